"""The clean dataset: approved, eligible interviews with personal-data columns removed.

Answers are the latest synced from KoBo, so corrections enumerators made there are applied.
Repeat groups (children) are one JSON column each, personal data removed inside them too.

Two ways to the same rows: ``clean_rows`` through the ORM (any database; the dashboard's
streamed CSV), and PostgreSQL's ``COPY ... TO STDOUT`` (``copy_lines``: the fast path of export
jobs, bench/export.py), with its meta columns from ``copy_inner_query`` and, for the rows whose
cells it does not write itself, one JSON array per interview (its meta columns and its answers
as stored) parsed a few megabytes at a time by orjson (``parsed_rows``).
"""

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import orjson
from django.db.models import Case, F, Func, IntegerField, QuerySet, TextField, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from surveys.models import Submission
from validation.exports.forms import round_questions
from validation.exports.personal_data import personal_data_paths
from validation.models import CheckConfig, Eligibility

META_COLUMNS = (
    "_submission_id",
    "_uuid",
    "_kobo_id",
    "_version",
    "_interview_start",
    "_interview_end",
    "_submission_time",
    "_enumerator",
    "_location",
    "_eligibility",
)
# Structural rows carry no answer of their own.
_SKIP_TYPES = frozenset({"begin_group", "end_group", "end_repeat", "note"})


@dataclass(frozen=True)
class Layout:
    columns: tuple[str, ...]  # answer columns, after META_COLUMNS
    repeats: frozenset[str]
    removed: frozenset[str]

    @property
    def header(self) -> tuple[str, ...]:
        return META_COLUMNS + self.columns


def layout(round_id: int) -> Layout:
    """The columns of the round's clean dataset, decided before the first row is written."""
    questions = round_questions(round_id)
    config = (
        CheckConfig.objects.filter(round_id=round_id, is_active=True)
        .order_by("form_id")
        .values_list("question_map", flat=True)
        .first()
    )
    removed = personal_data_paths(questions, config if isinstance(config, dict) else None)
    repeats = frozenset(q.path for q in questions if q.type == "begin_repeat")
    columns = tuple(
        q.path
        for q in questions
        if q.type not in _SKIP_TYPES
        and q.path not in removed
        and not any(q.path.startswith(r + "/") for r in repeats)
    )
    return Layout(columns=columns, repeats=repeats, removed=removed)


def clean_submissions(scope: QuerySet[Submission], round_id: int) -> QuerySet[Submission]:
    return (
        scope.filter(
            form__round_id=round_id,
            deleted_at__isnull=True,
            review_status=Submission.ReviewStatus.APPROVED,
            eligibility__verdict=Eligibility.Verdict.ELIGIBLE,
        )
        .select_related("enumerator", "location")
        .order_by("pk")
    )


def clean_rows(
    submissions: QuerySet[Submission], shape: Layout, *, chunk_size: int = 1000
) -> Iterator[list[Any]]:
    for sub in submissions.iterator(chunk_size=chunk_size):
        data = sub.data if isinstance(sub.data, dict) else {}
        meta = [
            sub.pk,
            sub.root_uuid,
            sub.kobo_id,
            sub.version_uid,
            _when(sub.started_at),
            _when(sub.ended_at),
            _when(sub.submission_time),
            sub.enumerator.kobo_username if sub.enumerator else sub.submitted_by,
            sub.location.code if sub.location else "",
            Eligibility.Verdict.ELIGIBLE.value,  # a str: the XLSX writer's templates take it
        ]
        yield meta + [_answer(data.get(path), path, shape) for path in shape.columns]


def _answer(value: Any, path: str, shape: Layout) -> Any:
    if value is None:
        return ""
    if path in shape.repeats and isinstance(value, list):
        return json.dumps(_scrub(value, shape.removed), ensure_ascii=False)
    return value


def _scrub(entries: Sequence[Any], removed: frozenset[str]) -> list[Any]:
    return [
        {k: v for k, v in entry.items() if k not in removed} if isinstance(entry, dict) else entry
        for entry in entries
    ]


def _when(value: Any) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


# A JSON number of 19 digits or more (in an array or as a value; a string's digits follow a quote).
_BIG_INTEGER = re.compile(rb"[\[,:] ?-?[0-9]{19,}")
# COPY's text format doubles each backslash (JSON text holds no other character it escapes).
_COPY_BACKSLASH = (b"\\\\", b"\\")
BATCH_BYTES = 4 << 20  # parse about this much COPY output at a time: memory stays flat


def _local_time(field: str, zone: str) -> tuple[Func, Func]:
    """The local time (to the second, '' for none) and its UTC offset in seconds (0 for none).

    Converted by PostgreSQL (with its time-zone rules, as Django's date lookups are); Python
    only appends the offset's text (``_Offsets``), as ``isoformat(timespec="seconds")`` does.
    """

    def at(name: str) -> Func:  # the wall-clock time there: t AT TIME ZONE name
        return Func(
            F(field), Value(name), template="(%(expressions)s)", arg_joiner=" AT TIME ZONE "
        )

    local = Func(
        at(zone),
        template="COALESCE(TO_CHAR(DATE_TRUNC('second', %(expressions)s), "
        "'YYYY-MM-DD\"T\"HH24:MI:SS'), '')",
        output_field=TextField(),
    )
    offset = Func(
        at(zone),
        at("UTC"),
        template="COALESCE(EXTRACT(EPOCH FROM %(expressions)s)::int, 0)",
        arg_joiner=" - ",
        output_field=IntegerField(),
    )
    return local, offset


class _Offsets(dict[int, str]):
    """UTC offsets in seconds to isoformat's text: +05:00, -03:30, +05:07:48."""

    def __missing__(self, seconds: int) -> str:
        sign = "-" if seconds < 0 else "+"
        hours, rest = divmod(abs(seconds), 3600)
        minutes, secs = divmod(rest, 60)
        text = f"{sign}{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")
        self[seconds] = text
        return text


def _meta_columns(zone: str) -> list[Any]:
    """The meta columns as ``parsed_rows`` reads them (local times and their offsets apart)."""
    return [
        F("pk"),
        F("root_uuid"),
        F("kobo_id"),
        F("version_uid"),
        *_local_time("started_at", zone),
        *_local_time("ended_at", zone),
        *_local_time("submission_time", zone),
        Case(
            When(enumerator__isnull=False, then=F("enumerator__kobo_username")),
            default=F("submitted_by"),
            output_field=TextField(),
        ),
        Coalesce(F("location__code"), Value(""), output_field=TextField()),
    ]


def copy_inner_query(submissions: QuerySet[Submission]) -> tuple[str, tuple[Any, ...]]:
    """SELECT of the meta columns, then the answers as stored, by pk.

    Sorted while still compressed: the caller decompresses them once, after the sort.
    """
    zone = timezone.get_current_timezone_name()
    query = submissions.order_by("pk").values_list(*_meta_columns(zone), F("data")).query
    sql, params = query.get_compiler(using=submissions.db).as_sql()
    return sql, tuple(params)


def parsed_rows(lines: bytes, shape: Layout, *, copy_text: bool = True) -> Iterator[list[Any]]:
    """Lines of one JSON array each (of COPY's text format: backslashes doubled) to export rows."""
    if not lines.strip():
        return
    if copy_text:
        lines = lines.replace(*_COPY_BACKSLASH)
    text = lines.rstrip(b"\n").replace(b"\n", b",")
    # orjson reads an integer past 64 bits as a float (1e+20): the json module keeps it whole.
    loads = json.loads if _BIG_INTEGER.search(text) else orjson.loads
    records = loads(b"[" + text + b"]")
    # No null but the answers' own (meta columns are never null in the array): fix those rows.
    nulls = b"null" in text
    columns, blanks = shape.columns, repeat("")
    repeats = [i for i, path in enumerate(columns, len(META_COLUMNS)) if path in shape.repeats]
    eligible = Eligibility.Verdict.ELIGIBLE.value
    width = len(columns)
    zone = _Offsets()
    for record in records:
        pk, uuid, kobo_id, version, start, start_off, end, end_off, sent, sent_off = record[:10]
        enumerator, location, data = record[10:]
        row = [
            pk,
            uuid,
            kobo_id,
            version,
            start and start + zone[start_off],
            end and end + zone[end_off],
            sent and sent + zone[sent_off],
            enumerator,
            location,
            eligible,
        ]
        if isinstance(data, dict):
            row += map(data.get, columns, blanks)
            for i in repeats:
                if isinstance(row[i], list):
                    row[i] = json.dumps(_scrub(row[i], shape.removed), ensure_ascii=False)
            if nulls and None in row:
                row = ["" if value is None else value for value in row]
        else:
            row += [""] * width
        yield row
