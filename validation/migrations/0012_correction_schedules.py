"""Beat schedules of the correction workflow, and role grants for its models."""

import json
from typing import Any

from django.db import migrations

from surveys.roles import sync_role_groups

EVERY: list[tuple[str, str, int]] = [
    ("Retry correction notifications", "retry_notifications_task", 1),
    ("Judge corrected interviews", "settle_corrections_task", 5),
    ("Remind enumerators of corrections", "send_reminders_task", 15),
    ("Escalate overdue corrections", "escalate_overdue_task", 15),
]
DIGEST = "Daily correction digest"
PREFIX = "validation.corrections.tasks."


def forwards(apps: Any, schema_editor: Any) -> None:
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minutes in EVERY:
        interval, _ = interval_model.objects.get_or_create(every=minutes, period="minutes")
        task_model.objects.get_or_create(
            name=name,
            defaults={"task": PREFIX + task, "interval": interval, "kwargs": json.dumps({})},
        )
    morning, _ = crontab_model.objects.get_or_create(
        minute="0",
        hour="8",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Almaty",
    )
    task_model.objects.get_or_create(
        name=DIGEST,
        defaults={"task": PREFIX + "send_digests_task", "crontab": morning, "kwargs": "{}"},
    )
    sync_role_groups(apps)


def backwards(apps: Any, schema_editor: Any) -> None:
    names = [name for name, _, _ in EVERY] + [DIGEST]
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("validation", "0011_correction_tasks"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
