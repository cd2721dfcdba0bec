"""Retention policy per round, the append-only purge audit, the nightly purge on beat."""

import json
from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from mtm.append_only import append_only
from surveys.roles import sync_role_groups

TASK = "validation.retention_tasks.purge_personal_data_task"


def schedule(apps: Any, schema_editor: Any) -> None:
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = crontab_model.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    task_model.objects.get_or_create(
        name="Purge personal data past retention",
        defaults={"task": TASK, "crontab": nightly, "kwargs": json.dumps({})},
    )


def unschedule(apps: Any, schema_editor: Any) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


def grant(apps: Any, schema_editor: Any) -> None:
    sync_role_groups(apps)


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0013_quota_citizenship'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name='PurgeRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_index=True)),
                ('actor', models.CharField(help_text='Who ran it: a username or the schedule', max_length=150)),
                ('trigger', models.CharField(choices=[('schedule', 'Schedule (beat)'), ('command', 'Command')], max_length=10)),
                ('round_id_value', models.PositiveIntegerField(help_text="The round's id when purged", verbose_name='round id')),
                ('round_label', models.CharField(max_length=200, verbose_name='round')),
                ('policy', models.JSONField(help_text='The policy applied: days and years')),
                ('deleted_answers', models.PositiveIntegerField(default=0, help_text='Interviews deleted in KoBo whose answers were removed')),
                ('personal_interviews', models.PositiveIntegerField(default=0, help_text='Interviews personal identifiers were removed from')),
                ('personal_answers', models.PositiveIntegerField(default=0, help_text='Personal answers removed, in all')),
                ('interviews_deleted', models.PositiveIntegerField(default=0, help_text='Interviews deleted whole, past the retention period')),
                ('detail', models.JSONField(blank=True, default=dict, help_text='Paths purged and, for deleted interviews, counts by review status')),
            ],
            options={
                'verbose_name': 'purge run',
                'ordering': ('-at', '-pk'),
            },
        ),
        migrations.CreateModel(
            name='RetentionPolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('personal_data_days', models.PositiveIntegerField(default=90, help_text='Days after fieldwork ends before personal identifiers (phone, name, exact GPS, the questions the check configuration lists) are removed from the answers')),
                ('deleted_answers_days', models.PositiveIntegerField(default=30, help_text='Days after an interview is deleted in KoBo before its answers are removed (its review history and flag codes stay)')),
                ('keep_years', models.PositiveSmallIntegerField(default=7, help_text="Years after fieldwork ends before the round's interviews are deleted whole")),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('round', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='retention_policy', to='surveys.round')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'retention policy',
                'verbose_name_plural': 'retention policies',
                'constraints': [models.CheckConstraint(condition=models.Q(('keep_years__gte', 1)), name='retention_keep_at_least_a_year', violation_error_message='Interviews are kept at least one year.')],
            },
        ),
        append_only("surveys_purgerun"),
        migrations.RunPython(schedule, unschedule),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
