"""Export jobs get a hand-over time, an attempt count and a lease; beat sweeps stuck ones."""

import json
from typing import Any

from django.db import migrations, models

TASK = "validation.exports.tasks.sweep_exports_task"


def forwards(apps: Any, schema_editor: Any) -> None:
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = interval_model.objects.get_or_create(every=1, period="minutes")
    task_model.objects.get_or_create(
        name="Sweep stuck exports",
        defaults={"task": TASK, "interval": interval, "kwargs": json.dumps({})},
    )


def backwards(apps: Any, schema_editor: Any) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("validation", "0014_access_log"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [
        migrations.AddField(
            model_name="exportjob",
            name="enqueued_at",
            field=models.DateTimeField(
                blank=True, help_text="Last handed to the task queue; empty: not yet", null=True
            ),
        ),
        migrations.AddField(
            model_name="exportjob",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, help_text="Builds started"),
        ),
        migrations.AddField(
            model_name="exportjob",
            name="lease_until",
            field=models.DateTimeField(
                blank=True,
                help_text="While running: renewed by progress; past it, dead",
                null=True,
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
