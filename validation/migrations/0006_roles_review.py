"""Grant the role groups their permissions on the review queue and its log."""

from typing import Any

from django.db import migrations

from surveys.roles import sync_role_groups


def forwards(apps: Any, schema_editor: Any) -> None:
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("validation", "0005_interview_review")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
