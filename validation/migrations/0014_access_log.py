"""The access log (append-only: a PostgreSQL trigger refuses UPDATE and DELETE); data managers may read it."""

from typing import Any

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from surveys.roles import sync_role_groups

# Row triggers: TRUNCATE (a test database's flush) is left to the table's owner.
_GUARD = """
CREATE FUNCTION validation_accesslog_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'validation_accesslog is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER validation_accesslog_append_only
    BEFORE UPDATE OR DELETE ON validation_accesslog
    FOR EACH ROW EXECUTE FUNCTION validation_accesslog_append_only();
"""
_UNGUARD = """
DROP TRIGGER IF EXISTS validation_accesslog_append_only ON validation_accesslog;
DROP FUNCTION IF EXISTS validation_accesslog_append_only();
"""


def guard(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_GUARD, params=None)


def unguard(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_UNGUARD, params=None)


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
        migrations.RunPython(guard, unguard),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
