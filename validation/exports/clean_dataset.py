"""The clean dataset: approved, eligible interviews with personal-data columns removed.

Answers are the latest synced from KoBo, so corrections enumerators made there are applied.
Repeat groups (children) are one JSON column each, personal data removed inside them too.
"""

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
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
            Eligibility.Verdict.ELIGIBLE,
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
