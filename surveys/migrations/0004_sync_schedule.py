"""Create the periodic "Sync all KoBo forms" task (its interval is then edited in the admin)."""

import json
from typing import Any

from django.conf import settings
from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = interval_model.objects.get_or_create(
        every=settings.MTM_SYNC_INTERVAL_S, period="seconds"
    )
    task_model.objects.get_or_create(
        name="Sync all KoBo forms",
        defaults={"task": "surveys.tasks.sync_all_forms_task", "interval": interval,
                  "kwargs": json.dumps({})},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0003_sync_mapping_and_lease"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
