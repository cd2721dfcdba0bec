"""The cleaning log: one row per flag and per review decision, in the IPA/REACH column layout.

Field teams know the REACH log (uuid, question.name, issue, old.value, new.value, changed)
and IPA's (enumerator, variable, label, value, action, resolved by, date); this is both.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from surveys.models import Submission
from validation.engine.validate import compiled_form, interview_time
from validation.models import Flag, ReviewEvent
from validation.privacy.masking import PersonalData, personal_data_for
from validation.xlsform import CompiledForm, XLSFormError

COLUMNS = (
    "uuid",
    "kobo_id",
    "interview_date",
    "enumerator",
    "location",
    "question.name",
    "question.label",
    "old.value",
    "new.value",
    "changed",
    "check",
    "severity",
    "issue",
    "flag_status",
    "decision",
    "reason",
    "comment",
    "actor",
    "time",
)
SYSTEM = "system"


def cleaning_log_submissions(scope: QuerySet[Submission], round_id: int) -> QuerySet[Submission]:
    """The interviews of the round (in the user's scope) that have a flag or a decision."""
    return (
        scope.filter(form__round_id=round_id)
        .filter(
            Exists(Flag.objects.filter(submission=OuterRef("pk")))
            | Exists(ReviewEvent.objects.filter(submission=OuterRef("pk")))
        )
        .select_related("enumerator", "location", "version", "form")
        .prefetch_related(
            Prefetch("flags", queryset=Flag.objects.select_related("okayed_by").order_by("pk")),
            Prefetch(
                "review_events", queryset=ReviewEvent.objects.select_related("actor").order_by("pk")
            ),
        )
        .order_by("pk")
    )


def row_count(submissions: QuerySet[Submission]) -> int:
    ids = submissions.order_by().values("pk")
    return (
        Flag.objects.filter(submission__in=ids).count()
        + ReviewEvent.objects.filter(submission__in=ids).count()
    )


def cleaning_log_rows(
    submissions: QuerySet[Submission], *, chunk_size: int = 500
) -> Iterator[list[Any]]:
    """Rows of the log; prefetches run per chunk, so memory stays flat however big the round."""
    forms: dict[int, CompiledForm | None] = {}
    personal_by_form: dict[int, PersonalData] = {}
    for sub in submissions.iterator(chunk_size=chunk_size):
        form = _form(sub, forms)
        if sub.form_id not in personal_by_form:
            personal_by_form[sub.form_id] = personal_data_for(
                form_id=sub.form_id, round_id=sub.form.round_id
            )
        privacy = _Privacy(personal_by_form[sub.form_id], sub.data)
        head = [
            sub.root_uuid,
            sub.kobo_id,
            timezone.localtime(interview_time(sub)).date().isoformat(),
            sub.enumerator.kobo_username if sub.enumerator else sub.submitted_by,
            sub.location.code if sub.location else "",
        ]
        entries: list[tuple[dt.datetime, list[Any]]] = [
            (flag.first_seen_at, head + _flag_row(sub, flag, form, privacy))
            for flag in sub.flags.all()
        ]
        entries += [
            (event.at, head + _event_row(event, form, privacy)) for event in sub.review_events.all()
        ]
        for _, row in sorted(entries, key=lambda e: e[0]):
            yield row


def _form(sub: Submission, forms: dict[int, CompiledForm | None]) -> CompiledForm | None:
    if sub.version_id is None or sub.version is None:
        return None
    if sub.version_id not in forms:
        try:
            forms[sub.version_id] = compiled_form(sub.version)
        except (XLSFormError, ValueError, KeyError, TypeError):
            forms[sub.version_id] = None
    return forms[sub.version_id]


class _Privacy:
    """One interview's personal answers: masked in every value and text the log carries."""

    def __init__(self, personal: PersonalData, data: Any) -> None:
        self.personal = personal
        self.quoted = personal.quoted(data)

    def value(self, path: str, text: str) -> str:
        if text and path in self.personal:
            return self.personal.mask_answer(path, text)
        return self.text(text)

    def text(self, text: str) -> str:
        return self.personal.redact_text(text, self.quoted) if text else text


def _flag_row(
    sub: Submission, flag: Flag, form: CompiledForm | None, privacy: _Privacy
) -> list[Any]:
    old = _recorded_value(flag)
    current = _text(sub.data.get(flag.path)) if flag.path else ""
    if old is None or (old and old == privacy.value(flag.path, current)):
        old = current  # none recorded, or recorded masked (flags keep personal answers masked)
    new = current if current != old else ""
    changed = "yes" if flag.path and current != old else "no"
    okayed = flag.status == Flag.Status.OKAYED
    return [
        flag.path,
        form.label(flag.path) if form is not None and flag.path else "",
        privacy.value(flag.path, old),
        privacy.value(flag.path, new),
        changed,
        flag.check_code,
        flag.severity,
        privacy.text(flag.message),
        flag.status,
        "okayed" if okayed else "",
        "",
        "",
        flag.okayed_by.get_username() if okayed and flag.okayed_by else SYSTEM,
        timezone.localtime(flag.resolved_at or flag.first_seen_at).isoformat(timespec="seconds"),
    ]


def _event_row(event: ReviewEvent, form: CompiledForm | None, privacy: _Privacy) -> list[Any]:
    questions = event.questions if isinstance(event.questions, list) else []
    return [
        ";".join(questions),
        ";".join(form.label(q) for q in questions) if form is not None else "",
        "",
        "",
        "no",
        "review",
        "",
        f"{event.from_status} → {event.to_status}",
        "",
        event.to_status,
        event.reason,
        privacy.text(event.comment),
        event.actor.get_username() if event.actor else SYSTEM,
        timezone.localtime(event.at).isoformat(timespec="seconds"),
    ]


def _recorded_value(flag: Flag) -> str | None:
    """The answer as it was when the check fired, if the check recorded it."""
    values = flag.values if isinstance(flag.values, dict) else {}
    if flag.path:
        for key, value in values.items():
            if key == flag.path or key.endswith("/" + flag.path):
                return _text(value)
    if "value" in values:
        return _text(values["value"])
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)
