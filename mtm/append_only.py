"""Append-only tables: a PostgreSQL row trigger refuses UPDATE and DELETE (audit records).

Used by migrations. TRUNCATE, which a test database's flush uses, is left to the table's owner.
"""

from typing import Any

from django.db import migrations

_GUARD = """
CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{table} is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
"""
_UNGUARD = """
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
DROP FUNCTION IF EXISTS {table}_append_only();
"""


def append_only(table: str) -> migrations.RunPython:
    """A migration operation that makes `table` append-only on PostgreSQL (a no-op elsewhere)."""

    def run(sql: str) -> Any:
        def apply(apps: Any, schema_editor: Any) -> None:
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql.format(table=table), params=None)

        return apply

    return migrations.RunPython(run(_GUARD), run(_UNGUARD))
