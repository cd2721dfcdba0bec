"""Schedule the sweep that re-queues validation of rows left waiting (a lost queue message)."""

import json
from typing import Any

from django.db import migrations

TASK = "validation.tasks.validate_stale_task"


def forwards(apps: Any, schema_editor: Any) -> None:
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = interval_model.objects.get_or_create(every=5, period="minutes")
    task_model.objects.get_or_create(
        name="Validate interviews left waiting",
        defaults={"task": TASK, "interval": interval, "kwargs": json.dumps({})},
    )


def backwards(apps: Any, schema_editor: Any) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("validation", "0012_correction_schedules"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
