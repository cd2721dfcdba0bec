"""Create the periodic "Check quotas" task (flags over-quota interviews, alerts supervisors)."""

import json
from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = interval_model.objects.get_or_create(every=15, period="minutes")
    task_model.objects.get_or_create(
        name="Check quotas",
        defaults={
            "task": "validation.quota_tasks.check_quotas_task",
            "interval": interval,
            "kwargs": json.dumps({}),
        },
    )


def backwards(apps: Any, schema_editor: Any) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name="Check quotas"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("validation", "0008_exports_and_quota_alerts"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
