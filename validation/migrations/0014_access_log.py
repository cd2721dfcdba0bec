"""The access log (append-only: a PostgreSQL trigger refuses UPDATE and DELETE); data managers may read it."""

from typing import Any

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from mtm.append_only import append_only
from surveys.roles import sync_role_groups


def grant(apps: Any, schema_editor: Any) -> None:
    sync_role_groups(apps)


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0011_push_state_and_server_links'),
        ('validation', '0013_validation_sweep_schedule'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AccessLog',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('actor_name', models.CharField(blank=True, help_text='as it was then', max_length=150)),
                ('action', models.CharField(choices=[('view', 'viewed'), ('reveal', 'revealed'), ('export', 'exported'), ('change', 'changed')], max_length=10)),
                ('object_type', models.CharField(blank=True, max_length=100)),
                ('object_id', models.CharField(blank=True, max_length=64)),
                ('object_repr', models.CharField(blank=True, max_length=200)),
                ('field', models.CharField(blank=True, help_text='the revealed question', max_length=255)),
                ('channel', models.CharField(blank=True, help_text='review screen, api, admin', max_length=20)),
                ('detail', models.JSONField(blank=True, default=dict)),
                ('ip', models.GenericIPAddressField(blank=True, null=True)),
                ('admin_log_id', models.IntegerField(blank=True, help_text='the admin LogEntry this row copies', null=True, unique=True)),
                ('actor', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('submission', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='surveys.submission')),
            ],
            options={
                'verbose_name': 'access log entry',
                'verbose_name_plural': 'access log',
                'ordering': ('-at', '-pk'),
                'indexes': [models.Index(fields=['submission', 'at'], name='accesslog_sub_idx'), models.Index(fields=['actor', 'at'], name='accesslog_actor_idx'), models.Index(fields=['action', 'at'], name='accesslog_action_idx')],
            },
        ),
        append_only("validation_accesslog"),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
