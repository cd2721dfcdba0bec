"""Grant the role groups their permissions on the validation models."""

from typing import Any

from django.db import migrations

from surveys.roles import sync_role_groups


def forwards(apps: Any, schema_editor: Any) -> None:
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("validation", "0001_initial"), ("surveys", "0002_roles")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
