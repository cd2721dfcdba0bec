"""Insert many new rows at once: COPY on PostgreSQL, bulk_create elsewhere.

Sync inserts whole pages of 1,000 submissions of ~150 answers. Through bulk_create, Django
compiles one placeholder per value, psycopg splits and quotes that query in Python, and the
stdlib json encodes each document: together most of the sync's time. COPY streams the rows
through psycopg's C code and orjson encodes the JSON, several times faster. Same rows, same
constraints (a conflict still fails the statement), inside the caller's transaction.

COPY goes in binary format when every column has a type below: PostgreSQL then reads each
value by its length instead of scanning the text for delimiters and escapes and parsing
numbers and timestamps, and the JSON stays the bytes orjson wrote (no decode, no re-encode).

A document may come already encoded (`EncodedJson`, e.g. by `JsonbOrder` in another thread).
`JsonbOrder` writes the top-level keys in jsonb's own order (shorter keys first, then by
bytes): PostgreSQL sorts an object's keys when it builds a jsonb value, and its sort checks
for sorted input first, so a presorted document of ~150 answers costs it about a third less
CPU (its largest cost in a sync). The stored value is the same: jsonb keeps no key order.
"""

import datetime as dt
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
# Column type (Django's db_type) -> the type whose binary dumper psycopg uses for the value.
# jsonb goes as "bytea": its converter writes jsonb's binary form (version 1 + the JSON
# bytes) and bytea's dumper passes bytes through in C (COPY names no types on the wire).
_BINARY_TYPES = {
    "bigint": "int8",
    "integer": "int4",
    "smallint": "int2",
    "boolean": "bool",
    "text": "text",
    "timestamp with time zone": "timestamptz",
    "jsonb": "bytea",
}
_JSONB_VERSION = b"\x01"

Converter = Callable[[Any], Any]
# A form has a few hundred question paths; a document with more distinct keys than this
# (never seen from KoBo) is written in its own order rather than growing the key list.
_MAX_ORDERED_KEYS = 5000


class EncodedJson(bytes):
    """A JSON document already encoded (UTF-8), passed to a jsonb column as it is."""


def _jsonb_key(key: str) -> tuple[int, bytes]:
    encoded = key.encode()
    return len(encoded), encoded


class JsonbOrder:
    """Encode documents with their top-level keys in jsonb's order (see the module docstring).

    Keeps the keys seen so far in that order, so a document costs a filter of that list
    rather than a sort. Not thread-safe: use one per thread.
    """

    def __init__(self) -> None:
        self._known: set[str] = set()
        self._order: list[str] = []

    def ordered(self, doc: dict[str, Any]) -> dict[str, Any]:
        """A new dict of the document's items, its keys in jsonb's order where possible."""
        if not doc.keys() <= self._known:
            if len(self._known) + len(doc) > _MAX_ORDERED_KEYS or not all(
                type(k) is str for k in doc
            ):
                return dict(doc)
            self._known.update(doc)
            self._order = sorted(self._known, key=_jsonb_key)
        return {k: doc[k] for k in self._order if k in doc}

    def encode(self, doc: dict[str, Any]) -> EncodedJson:
        return EncodedJson(dumps(self.ordered(doc)))


def dumps(value: Any) -> bytes:
    """JSON by orjson; by the stdlib for what orjson refuses (ints beyond 64 bits)."""
    try:
        return orjson.dumps(value)
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(value, ensure_ascii=False).encode()


def json_text(value: Any) -> str | None:
    """A JSON document as text, by orjson; the stdlib for what orjson refuses (huge ints)."""
    if value is None:
        return None
    if isinstance(value, EncodedJson):
        return value.decode()
    return dumps(value).decode()


def _jsonb_binary(value: Any) -> bytes | None:
    """A document in binary COPY form for jsonb, by orjson; the stdlib for what orjson refuses."""
    if value is None:
        return None
    return _JSONB_VERSION + (value if isinstance(value, EncodedJson) else dumps(value))


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # Binary timestamptz needs an offset: a naive time is local, as DateTimeField takes it.
    if value is None or value.tzinfo is not None:
        return value
    return timezone.make_aware(value)


def insert_rows(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, batch_size: int = 500
) -> None:
    """INSERT rows given as {attname: value}, all with the same keys.

    Fields left out get their default, auto_now(_add) fields the current time. No model
    instances are built on PostgreSQL, and no primary keys are returned. Values must be of
    the field's Python type (str for text fields, int, bool, datetime); a naive datetime is
    taken in the current time zone, as Django does. A JSON field may be given as EncodedJson.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            [model(**_decoded(row)) for row in rows], batch_size=batch_size
        )
        return
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField))
    ]
    types = [_binary_type(f, connection) for f in fields]
    binary = all(types)
    given = rows[0].keys()
    now = timezone.now()
    # One template per row: constant values converted once; the rest filled in per row.
    template: list[Any] = []
    from_row: list[tuple[int, str, Converter | None]] = []
    made: list[tuple[int, Callable[[], Any], Converter | None]] = []
    for index, f in enumerate(fields):
        convert = _converter(f, connection, binary=binary)
        constant = None
        if f.attname in given:
            from_row.append((index, f.attname, convert))
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            constant = now
        elif f.has_default() and callable(f.default):
            made.append((index, f.get_default, convert))
        else:
            constant = f.get_default()
        template.append(constant if convert is None else convert(constant))
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    statement = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    if binary:
        statement += " (FORMAT BINARY)"
    # wrap_database_errors: psycopg's errors surface as Django's (IntegrityError...), as usual.
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(statement) as copy,
    ):
        if binary:
            copy.set_types(types)
        for row in rows:
            values = template.copy()
            for index, name, convert in from_row:
                value = row[name]
                values[index] = value if convert is None else convert(value)
            for index, make, convert in made:
                value = make()
                values[index] = value if convert is None else convert(value)
            copy.write_row(values)


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    # orjson.loads takes no subclass of bytes.
    return {k: orjson.loads(bytes(v)) if isinstance(v, EncodedJson) else v for k, v in row.items()}


def _binary_type(field: models.Field[Any, Any], connection: BaseDatabaseWrapper) -> str | None:
    db_type = field.db_type(connection) or ""
    if db_type.startswith("varchar("):
        return "text"
    return _BINARY_TYPES.get(db_type)


def _converter(
    field: models.Field[Any, Any], connection: BaseDatabaseWrapper, *, binary: bool
) -> Converter | None:
    if isinstance(field, models.JSONField):
        if field.encoder is None:
            return _jsonb_binary if binary else json_text
        encoder = field.encoder

        def encode(v: Any) -> bytes:
            return v if isinstance(v, EncodedJson) else json.dumps(v, cls=encoder).encode()

        if binary:
            return lambda v: None if v is None else _JSONB_VERSION + encode(v)
        return lambda v: None if v is None else encode(v).decode()
    if binary and isinstance(field, models.DateTimeField):
        return _aware
    if isinstance(field, _PLAIN):
        return None
    return lambda v: field.get_db_prep_save(v, connection)
