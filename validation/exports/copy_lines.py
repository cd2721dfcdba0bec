r"""The clean dataset by one COPY in which PostgreSQL formats each cell it can.

PostgreSQL extracts the answers from the jsonb, decompressed once a row after the sort (as the
bench's anchor does), and writes each cell's text: local times with their offset as
``isoformat``, repeat groups as ``json.dumps`` of the scrubbed entries (jsonb's text: same
separators, escapes and key order). It does so for a row whose answers it writes as Python
does: strings, nulls or missing, repeat groups arrays without numbers ("typed"). Any other row
(numbers, booleans, lists or objects, whose text is Python's own) comes as the JSON array
``clean_dataset.parsed_rows`` reads, in its place among the others.

* CSV: PostgreSQL's CSV is csv.writer's (the same quoting, once an empty text is NULL), but for
  its line ends and the formula rule: Python joins the lines with CR LF and applies
  ``mtm.spreadsheets.escape_row`` to any row a cell of which starts with a formula trigger (read
  back by csv.reader). Python touches no other row: whole batches go to the file as ``Lines``.
* XLSX: COPY's text format, split by Python into the row's values, written by
  ``xlsx.SheetWriter`` (its templates, its escaping) as any other row.

So the rule and the escaping stay Python's; PostgreSQL only writes text that needs none.
"""

# The SQL here is put together from the form's question paths, each a quoted literal
# (_literal), and constants; the only values from a request go as parameters (the scope's).
# ruff: noqa: S608

import csv
import io
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Literal

from django.db import connections
from django.db.models import QuerySet

from mtm.spreadsheets import FORMULA_TRIGGERS, escape_row
from surveys.models import Submission
from validation.exports import clean_dataset
from validation.exports.clean_dataset import Layout
from validation.exports.writers import Lines, csv_line_writer
from validation.exports.xlsx import CheckedRow
from validation.models import Eligibility

Format = Literal["csv", "xlsx"]

# The meta columns the inner query gives, then the answers as stored.
_INNER = (
    "id",
    "uuid",
    "kobo_id",
    "version",
    "start",
    "start_off",
    "end_",
    "end_off",
    "sent",
    "sent_off",
    "enumerator",
    "location",
    "data",
)
_INNER_MARK = "\x00inner\x00"  # where the inner query goes, once the rest's % are doubled
_ELIGIBLE = Eligibility.Verdict.ELIGIBLE.value
# KoBo's own keys in a submission's JSON, no question of the form's (sync keeps them).
KOBO_KEYS = frozenset(
    {
        "_id",
        "_uuid",
        "_index",
        "_status",
        "_submission_time",
        "_submitted_by",
        "_tags",
        "_notes",
        "_attachments",
        "_geolocation",
        "_validation_status",
        "_xform_id_string",
        "__version__",
        "formhub/uuid",
        "meta/instanceID",
        "meta/rootUuid",
        "meta/deprecatedID",
    }
)
_JSON_ROW = (
    "json_build_array(q.id, q.uuid, q.kobo_id, q.version, q.start, q.start_off, q.end_,"
    " q.end_off, q.sent, q.sent_off, q.enumerator, q.location, q.d)::text"
)
# A cell starting with a formula trigger (quoted or not), after a line start or a comma; a
# line break inside a quoted cell only makes a row looked at again.
_CSV_TRIGGER = re.compile(rb'(?:^|,|\n)"?[' + re.escape("".join(FORMULA_TRIGGERS).encode()) + rb"]")
# COPY's text format: a backslash before b f n r t v or itself stands for that character.
_COPY_ESCAPE = re.compile(r"\\(.)")
_COPY_CHARS = {"\\": "\\", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_NULL_END = "\t\\N"  # a typed row's line ends with an empty JSON column
_NULL_END_LINE = b"\t\\N\n"
# _checked's view of the bytes: separators (tab, line feed) as a tab, a space, a formula
# trigger as "=" (tab and carriage return, triggers too, are COPY escapes), what XML or the
# writer would have to escape as \x00 (XML specials, control characters), the rest as "a".
# Then three two-byte searches find every edge at once (bytes.translate is one table look-up
# a byte; a two-byte `in` costs about a nanosecond a byte, a regular expression ten).
_CLASSES = bytearray(b"a" * 256)
for _b in b"\t\n":
    _CLASSES[_b] = ord("\t")
for _b in (*range(32), *b"&<>"):
    if _b not in b"\t\n":
        _CLASSES[_b] = 0
for _b in "".join(t for t in FORMULA_TRIGGERS if t.isprintable()).encode():
    _CLASSES[_b] = ord("=")
_CLASSES[ord(" ")] = ord(" ")
_CLASS_TABLE = bytes(_CLASSES)
# Non-ASCII: a space (str.isspace; none above the BMP, tested), U+FFFE, U+FFFF anywhere.
_UNICODE_UNCHECKED = re.compile(
    "[" + "".join(c for c in map(chr, range(0x80, 0x10000)) if c.isspace()) + "\ufffe\uffff]"
)


def _literal(text: str) -> str:
    """A SQL string literal (standard_conforming_strings: only quotes are doubled)."""
    return "'" + text.replace("'", "''") + "'"


def _iso(local: str, offset: str) -> str:
    """isoformat(timespec="seconds") of a local time and its UTC offset in seconds, '' if none."""
    o = f"abs({offset})"
    return (
        f"CASE WHEN {local} = '' THEN '' ELSE {local}"
        f" || CASE WHEN {offset} < 0 THEN '-' ELSE '+' END"
        f" || to_char({o} / 3600, 'FM00') || ':' || to_char({o} % 3600 / 60, 'FM00')"
        f" || CASE WHEN {o} % 60 <> 0 THEN ':' || to_char({o} % 60, 'FM00') ELSE '' END END"
    )


def _repeat_text(key: str, removed: frozenset[str]) -> str:
    """A repeat group's text: json.dumps(_scrub(entries), ensure_ascii=False) as jsonb's text.

    The same separators and escapes, the same key order (Python reads the keys in jsonb's
    order). Numbers, whose text may differ, keep the row off this path (``_repeat_typed``).
    """
    value = f"q.d -> {key}"
    scrubbed = value
    if removed:
        drop = "ARRAY[" + ", ".join(_literal(k) for k in sorted(removed)) + "]::text[]"
        scrubbed = (
            f"COALESCE((SELECT jsonb_agg(CASE WHEN jsonb_typeof(e) = 'object' THEN e - {drop}"
            f" ELSE e END) FROM jsonb_array_elements({value}) AS e), '[]'::jsonb)"
        )
    # Not an array: not plain (_repeat_typed), and never given to jsonb_array_elements.
    return f"CASE WHEN jsonb_typeof({value}) = 'array' THEN ({scrubbed})::text END"


def _repeat_typed(key: str) -> str:
    """A repeat group PostgreSQL writes as Python does: missing, or an array holding no number."""
    value = f"q.d -> {key}"
    return (
        f"COALESCE(jsonb_typeof({value}) = 'array'"
        f" AND NOT {value} @? '$[*].** ? (@.type() == \"number\")', true)"
    )


def _answers_typed(shape: Layout) -> str:
    """Whether every other answer is a string, null or missing (PostgreSQL writes it as Python).

    Asked of the answers object less the keys that are no such column (repeats, personal data,
    KoBo's own), in one jsonpath pass (cheaper than column by column; a key unknown here only
    sends the row to Python). Answers that are no object: Python's too.
    """
    columns = set(shape.columns) - shape.repeats
    ignored = sorted((shape.removed | shape.repeats | KOBO_KEYS) - columns)
    rest = f"q.d - ARRAY[{', '.join(_literal(k) for k in ignored)}]::text[]" if ignored else "q.d"
    return (
        f"CASE WHEN jsonb_typeof(q.d) = 'object' THEN NOT jsonb_path_exists({rest},"
        ' \'strict $.* ? (@.type() != "string" && @.type() != "null")\') ELSE false END'
    )


def _answers_query(shape: Layout) -> tuple[str, list[tuple[str, bool]]]:
    """Level 2: meta columns as text, whether the row is typed plainly, each answer's text.

    NULL for no answer. Each is computed once a row (OFFSET 0 keeps the levels apart).
    """
    answers = []
    cells: list[tuple[str, bool]] = []
    typed = [_answers_typed(shape)]
    for i, path in enumerate(shape.columns):
        key, is_repeat = _literal(path), path in shape.repeats
        text = f"q.d ->> {key}"
        if is_repeat:
            text = _repeat_text(key, shape.removed)
        answers.append(f"{text} AS a{i}")
        cells.append((f"q.a{i}", is_repeat))
        if is_repeat:
            typed.append(_repeat_typed(key))
    sql = (
        "SELECT q.id, q.uuid, q.kobo_id, q.version, q.enumerator, q.location, q.d,"
        " q.start, q.start_off, q.end_, q.end_off, q.sent, q.sent_off,"
        f" {_iso('q.start', 'q.start_off')} AS start_t, {_iso('q.end_', 'q.end_off')} AS end_t,"
        f" {_iso('q.sent', 'q.sent_off')} AS sent_t, ({' AND '.join(typed)}) AS typed, "
        + ", ".join(answers)
        # data || '{}' decompresses the stored jsonb once a row (each -> on the stored
        # column would again), after the sort, which so moves only the compressed values.
        + f" FROM (SELECT q.*, q.data || '{{}}'::jsonb AS d FROM ({_INNER_MARK} OFFSET 0)"
        f" AS q({', '.join(_INNER)}) OFFSET 0) AS q OFFSET 0"
    )
    return sql, cells


def statement(
    submissions: QuerySet[Submission], shape: Layout, fmt: Format
) -> tuple[str, tuple[Any, ...]]:
    """The COPY of every row in the order of the rows (by pk): its cells, then its JSON or NULL.

    The rows keep the inner query's order through the subqueries, which neither join nor
    group. CSV: an empty text is NULL (PostgreSQL quotes an empty text, csv.writer does not).
    Text format (XLSX): no NULL among the cells, so that none reads as a backslash-N.
    """
    inner, params = clean_dataset.copy_inner_query(submissions)
    level2, cells = _answers_query(shape)
    texts = ["q.uuid", "q.version", "q.start_t", "q.end_t", "q.sent_t", "q.enumerator"]
    texts += ["q.location", _literal(_ELIGIBLE), *(cell for cell, _ in cells)]
    wrap = "NULLIF({}, '')" if fmt == "csv" else "COALESCE({}, '')"
    values = ["q.id", wrap.format(texts[0]), "q.kobo_id", *(wrap.format(t) for t in texts[1:])]
    sql = (
        f"COPY (SELECT {', '.join(values)}, CASE WHEN q.typed THEN NULL ELSE {_JSON_ROW} END"
        f" FROM ({level2}) AS q) TO STDOUT" + (" WITH (FORMAT csv)" if fmt == "csv" else "")
    )
    return sql.replace("%", "%%").replace(_INNER_MARK, inner), params


def csv_items(submissions: QuerySet[Submission], shape: Layout) -> Iterator[Lines | list[Any]]:
    """A CSV's rows: runs of PostgreSQL's finished lines, and rows of values (Python's)."""
    with _copy(submissions, shape, "csv") as copy:
        yield from _csv_items(copy, shape)


def xlsx_rows(submissions: QuerySet[Submission], shape: Layout) -> Iterator[list[Any]]:
    """An XLSX's rows of values, the cells' text written by PostgreSQL where it can."""
    with _copy(submissions, shape, "xlsx") as copy:
        yield from _text_rows(copy, shape)


@contextmanager
def _copy(submissions: QuerySet[Submission], shape: Layout, fmt: Format) -> Iterator[Any]:
    """The COPY, holding the connection until the last row is read.

    Nothing else may use the connection meanwhile: progress goes through another (``jobs``).
    """
    connection = connections[submissions.db]
    sql, params = statement(submissions, shape, fmt)
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(sql, params) as copy,
    ):
        yield copy


def _csv_items(copy: Iterable[Any], shape: Layout) -> Iterator[Lines | list[Any]]:
    """PostgreSQL's CSV rows as Lines, the others parsed.

    Each COPY message is one row (libpq hands them over so), quoted line breaks and all.

    A typed row's last column (the JSON) is empty: the row ends in a comma and a line feed,
    taken without them.
    """
    rows: list[bytes] = []
    size = 0
    for block in copy:
        row = bytes(block)
        typed = row.endswith(b",\n")
        if typed:
            rows.append(row[:-2])
            size += len(row)
            if size < clean_dataset.BATCH_BYTES:
                continue
        if rows:
            yield _csv_lines(rows)
            rows, size = [], 0
        if not typed:
            # The JSON is the last field, quoted: it alone holds ,"[ (a quote inside the JSON
            # is escaped, \", so doubled here: \"").
            start = row.rindex(b',"[') + 2
            text = row[start:-2].replace(b'""', b'"')
            yield from clean_dataset.parsed_rows(text, shape, copy_text=False)
    if rows:
        yield _csv_lines(rows)


def _csv_lines(rows: list[bytes]) -> Lines:
    """The rows as the file's lines, a row with a cell starting with a formula trigger escaped.

    That row is read back by csv.reader (its values, as Python's path has them but the numbers
    pk and kobo_id, which the rule leaves alone either way) and written by Python.
    """
    text = b"\r\n".join(rows) + b"\r\n"
    if _CSV_TRIGGER.search(text) is None:
        return Lines(text, len(rows))
    writerow = csv_line_writer()
    fixed = []
    for row in rows:
        if _CSV_TRIGGER.search(row) is not None:
            values = next(csv.reader(io.StringIO(row.decode(), newline="")))
            row = writerow(escape_row(values)).encode()[:-2]
        fixed.append(row)
    return Lines(b"\r\n".join(fixed) + b"\r\n", len(rows))


def _text_rows(copy: Iterable[Any], shape: Layout) -> Iterator[list[Any]]:
    """COPY's text format, a few megabytes at a time, to rows of values."""
    pending: list[bytes] = []
    size = 0
    for block in copy:
        pending.append(bytes(block))
        size += len(block)
        if size >= clean_dataset.BATCH_BYTES:
            text = b"".join(pending)
            cut = text.rfind(b"\n") + 1
            pending, size = [text[cut:]], len(text) - cut
            yield from _text_batch(text[:cut], shape)
    yield from _text_batch(b"".join(pending), shape)


def _text_batch(text: bytes, shape: Layout) -> Iterator[list[Any]]:
    """Lines of COPY's text format to rows: a typed row's values, or its JSON array's.

    A typed row is a ``CheckedRow`` (no test in the writer) when the batch as a whole, else
    its own line, passes ``_checked``: a few scans of the bytes instead of tests row by row.
    """
    whole = _checked(text, text.count(_NULL_END_LINE))
    lines = text.decode().split("\n")[:-1]
    raw = None if whole else text.split(b"\n")
    for i, line in enumerate(lines):
        if line.endswith(_NULL_END):
            values = line[: -len(_NULL_END)]
            row: list[Any] = values.split("\t")
            if "\\" in values:
                row = [_COPY_ESCAPE.sub(_copy_char, v) if "\\" in v else v for v in row]
            elif whole or (raw is not None and _checked(raw[i], 1)):
                row = CheckedRow(row)
            row[0], row[2] = int(row[0]), int(row[2])
            yield row
        else:
            json_text = line[line.rindex("\t") + 1 :].encode()
            yield from clean_dataset.parsed_rows(json_text, shape)


def _checked(text: bytes, typed: int) -> bool:
    r"""Whether COPY text lines (values split by tab) need no test of the XLSX writer's.

    ``typed``: how many backslashes the text may hold, those of its typed lines' ``\N``
    ends; any other is an escape (a tab, a line break or a backslash in a value). Checked
    on the UTF-8 bytes, a value's edges being next to a tab or a line break; the first
    value, the pk, is digits. A non-ASCII space anywhere fails it (a rare, careful row).
    """
    if text.count(b"\\") != typed:
        return False
    view = text.translate(_CLASS_TABLE)
    return (
        view[:1] == b"a"
        and b"\x00" not in view
        and b"\t " not in view
        and b" \t" not in view
        and b"\t=" not in view
        and (text.isascii() or _UNICODE_UNCHECKED.search(text.decode()) is None)
    )


def _copy_char(match: re.Match[str]) -> str:
    return _COPY_CHARS[match.group(1)]
