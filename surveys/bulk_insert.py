"""Insert many new rows at once: COPY on PostgreSQL, bulk_create elsewhere.

Sync inserts whole pages of 1,000 submissions of ~150 answers. Through bulk_create, Django
compiles one placeholder per value, psycopg splits and quotes that query in Python, and the
stdlib json encodes each document: together most of the sync's time. COPY streams the rows
through psycopg's C code and orjson encodes the JSON, several times faster. Same rows, same
constraints (a conflict still fails the statement), inside the caller's transaction.
"""

import json
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

# Fields whose Python value psycopg already writes as PostgreSQL expects (COPY text format).
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.DateTimeField,
    models.ForeignKey,
)


def json_text(value: Any) -> str | None:
    """A JSON document as text, by orjson; the stdlib for what orjson refuses (huge ints)."""
    if value is None:
        return None
    try:
        return orjson.dumps(value).decode()
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(value, ensure_ascii=False)


def insert_rows(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, batch_size: int = 500
) -> None:
    """INSERT rows given as {attname: value}, all with the same keys.

    Fields left out get their default, auto_now(_add) fields the current time. No model
    instances are built on PostgreSQL, and no primary keys are returned.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create([model(**row) for row in rows], batch_size=batch_size)
        return
    given = rows[0].keys()
    now = timezone.now()
    fields: list[models.Field[Any, Any]] = []
    fixed: dict[str, Any] = {}  # values the same for every row
    per_row: dict[str, Callable[[], Any]] = {}  # callable defaults, called once per row
    for f in model._meta.concrete_fields:
        if f.primary_key and isinstance(f, models.AutoField | models.BigAutoField):
            continue
        fields.append(f)
        if f.attname in given:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            fixed[f.attname] = now
        elif f.has_default() and callable(f.default):
            per_row[f.attname] = f.get_default
        else:
            fixed[f.attname] = f.get_default()
    converters = [(f.attname, _converter(f, connection)) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    statement = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    # wrap_database_errors: psycopg's errors surface as Django's (IntegrityError...), as usual.
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(statement) as copy,
    ):
        for row in rows:
            values = {**fixed, **{name: make() for name, make in per_row.items()}, **row}
            copy.write_row(
                [
                    values[name] if convert is None else convert(values[name])
                    for name, convert in converters
                ]
            )


def _converter(
    field: models.Field[Any, Any], connection: BaseDatabaseWrapper
) -> Callable[[Any], Any] | None:
    if isinstance(field, models.JSONField):
        if field.encoder is None:
            return json_text
        encoder = field.encoder
        return lambda v: None if v is None else json.dumps(v, cls=encoder)
    if isinstance(field, _PLAIN):
        return None
    return lambda v: field.get_db_prep_save(v, connection)
