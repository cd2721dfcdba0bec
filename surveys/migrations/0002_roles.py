"""Create the role groups: data manager, supervisor, enumerator."""

from typing import Any

from django.db import migrations

from surveys.roles import sync_role_groups


def forwards(apps: Any, schema_editor: Any) -> None:
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
