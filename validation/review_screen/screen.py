"""Everything the review screen shows for one interview, read in a fixed number of queries."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from surveys.models import Submission
from surveys.push import KOBO_STATUS_FOR_REVIEW
from surveys.selectors import UserLike, visible_submissions
from validation.engine.validate import compiled_form
from validation.models import ExclusionReason, Flag, QuestionComment, ReviewEvent
from validation.privacy.masking import PersonalData, personal_data_for
from validation.review import ALLOWED
from validation.review_screen import place
from validation.review_screen.answers import (
    AnswerRow,
    Layout,
    lay_out,
    raw_layout,
    severity_rank,
)
from validation.review_screen.scorecards import Scorecard, enumerator_scorecard
from validation.selectors import question_path, review_queue
from validation.xlsform import CompiledForm
from validation.xlsform.errors import XLSFormError

S = Submission.ReviewStatus
LANGUAGES = {"en": "English", "ru": "Русский"}
_KOBO_WORDS = {
    "validation_status_approved": "Approved",
    "validation_status_not_approved": "Not approved",
    "validation_status_on_hold": "On hold",
    "": "no status",
}


def viewable_submissions(user: UserLike) -> QuerySet[Submission]:
    """Interviews the user may open on the review screen: in scope, with the review role."""
    if not getattr(user, "has_perm", lambda _: False)("validation.view_interviewreview"):
        return Submission.objects.none()
    return visible_submissions(user)


def submission_for_screen(user: UserLike, pk: int) -> Submission | None:
    return (
        viewable_submissions(user)
        .filter(pk=pk)
        .select_related(
            "form__round",
            "enumerator__team",
            "location__parent",
            "version",
            "priority",
            "eligibility",
        )
        .defer("version__content")
        .first()
    )


def next_in_queue(user: UserLike, after: int) -> int | None:
    """The riskiest waiting interview other than `after` (read when asked: a top-N sort)."""
    return review_queue(user).exclude(pk=after).values_list("pk", flat=True).first()


def form_language(form: CompiledForm | None, choice: str) -> str:
    """The form's language matching the supervisor's choice ('en' or 'ru')."""
    if form is None:
        return ""
    wanted = {"en": ("(en)", "english"), "ru": ("(ru)", "russian", "рус")}.get(choice, ())
    for name in form.languages:
        folded = name.casefold()
        if any(token in folded for token in wanted):
            return name
    return form.default_language


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    result: str
    reason: str


@dataclass(frozen=True)
class KoboDrift:
    """KoBo shows another status than our decision: someone changed it there directly."""

    ours: str
    theirs: str


# A short line for the findings summary; the checker's full sentence is shown at the answer.
_SHORT = {
    "skip_logic.not_relevant": "answered, but should have been skipped",
    "skip_logic.required_missing": "required, but not answered",
    "skip_logic.constraint_failed": "breaks the form's constraint",
    "skip_logic.invalid_choice": "not one of the question's choices",
    "skip_logic.invalid_value": "not a valid value for the question",
    "skip_logic.repeat_count_mismatch": "wrong number of entries",
}


@dataclass(frozen=True)
class FindingLine:
    flag: Flag
    question: str  # the question's label when the flag sits on a shown answer, else ""
    text: str


def finding_lines(flags: list[Flag], layout: Layout | None) -> list[FindingLine]:
    placed = layout.placed if layout else set()
    questions = layout.questions if layout else {}
    return [
        FindingLine(f, questions.get(f.path, f.path), _SHORT.get(f.check_code, f.message))
        if f.path in placed
        else FindingLine(f, "", f.message)
        for f in flags
    ]


@dataclass(frozen=True)
class HistoryRow:
    event: ReviewEvent
    who: str
    before: str
    after: str
    reason: str
    questions: list[str]


def _label(status: str) -> str:
    return S(status).label if status in S.values else status


def history_rows(events: list[ReviewEvent], questions: dict[str, str]) -> list[HistoryRow]:
    reasons = dict(ExclusionReason.choices)
    return [
        HistoryRow(
            event=e,
            who=(e.actor.get_username() if e.actor is not None else "system"),
            before=_label(e.from_status),
            after=_label(e.to_status),
            reason=reasons.get(e.reason, e.reason),
            questions=[questions.get(q, q) for q in e.questions or []],
        )
        for e in events
    ]


@dataclass
class ReviewScreen:
    submission: Submission
    lang: str
    layout: Layout | None
    form_problem: str
    open_flags: list[Flag]
    findings: list[FindingLine]
    criteria: list[Criterion]
    verdict: str
    duration_min: float | None
    map: place.GpsPlace
    scorecard: Scorecard | None
    history: list[HistoryRow]
    allowed: frozenset[str]
    exclusion_reasons: list[tuple[str, str]]
    kobo_drift: KoboDrift | None
    gps_path: str = ""  # the personal GPS question, to reveal the exact point; "" if none

    @property
    def blocked_flags(self) -> int:
        return sum(1 for f in self.open_flags if f.severity == "blocker")

    @property
    def status_label(self) -> str:
        return _label(self.submission.review_status)

    def may(self, status: str) -> bool:
        return status in self.allowed

    @property
    def may_approve(self) -> bool:
        return self.may(S.APPROVED)

    @property
    def may_hold(self) -> bool:
        return self.may(S.ON_HOLD)

    @property
    def may_return(self) -> bool:
        return self.may(S.RETURNED)

    @property
    def may_exclude(self) -> bool:
        return self.may(S.EXCLUDED)


def kobo_drift(submission: Submission) -> KoboDrift | None:
    wanted = KOBO_STATUS_FOR_REVIEW.get(S(submission.review_status))
    # A drift is KoBo showing another status after we set ours there; a decision not yet
    # pushed is just pending (surveys.push sends it).
    if wanted is None or submission.kobo_status == wanted:
        return None
    if submission.kobo_status_pushed != wanted:
        return None
    return KoboDrift(ours=_KOBO_WORDS[wanted], theirs=_KOBO_WORDS.get(submission.kobo_status, "?"))


def _duration(submission: Submission) -> float | None:
    if submission.started_at and submission.ended_at:
        seconds = (submission.ended_at - submission.started_at).total_seconds()
        return round(seconds / 60, 1) if seconds >= 0 else None
    return None


def mask_personal(layout: Layout, personal: PersonalData, revealed: frozenset[str]) -> None:
    """Mask the personal answers not revealed, and any of them a stored text still quotes.

    Flags are redacted when written (engine.apply_findings); this also covers flags written
    before a question was declared personal. Nothing here is saved.
    """
    for section in layout.sections:
        for item in section.items:
            if isinstance(item, AnswerRow) and item.path in personal:
                item.personal = True
                item.revealed = item.path in revealed
                if not item.revealed and item.answered:
                    item.value = item.raw = personal.mask_answer(item.path, item.raw)


def build_screen(
    *,
    submission: Submission,
    lang: str,
    revealed: frozenset[str] = frozenset(),
    personal: PersonalData | None = None,
) -> ReviewScreen:
    """Read the interview's flags, comments, history, form, map and scorecard.

    Personal answers are masked except the paths in `revealed` (logged by the caller).
    """
    if personal is None:
        personal = personal_data_for(form_id=submission.form_id, round_id=submission.form.round_id)
    flags = list(
        Flag.objects.filter(submission=submission)
        .exclude(status=Flag.Status.RESOLVED)
        .select_related("okayed_by")
    )
    quoted = personal.quoted(submission.data)
    for flag in flags:
        flag.message = personal.redact_text(flag.message, quoted)
    comments = list(QuestionComment.objects.filter(submission=submission).select_related("author"))
    history = list(ReviewEvent.objects.filter(submission=submission).select_related("actor"))
    form: CompiledForm | None = None
    problem = ""
    if submission.version is None:
        problem = f"Form version {submission.version_uid or '(none)'} is not available."
    else:
        try:
            form = compiled_form(submission.version)
        except XLSFormError as exc:
            problem = f"The form version cannot be read: {exc}"
    language = form_language(form, lang)
    gps_path = question_path(submission.form.round_id, "gps") if submission.form.round_id else ""
    layout = (
        lay_out(form, submission.data, flags, comments, language)
        if form
        else raw_layout(submission.data, flags, comments)
    )
    mask_personal(layout, personal, revealed)
    eligibility: Any = getattr(submission, "eligibility", None)
    criteria = [
        Criterion(
            str(c.get("code", "")),
            str(c.get("label", "")),
            str(c.get("result", "")),
            personal.redact_text(str(c.get("reason", "")), quoted),
        )
        for c in (eligibility.criteria if eligibility is not None else [])
        if isinstance(c, dict)
    ]
    return ReviewScreen(
        submission=submission,
        lang=lang,
        layout=layout,
        form_problem=problem,
        open_flags=(
            open_flags := severity_rank([f for f in flags if f.status == Flag.Status.OPEN])
        ),
        findings=finding_lines(open_flags, layout),
        criteria=criteria,
        verdict=eligibility.verdict if eligibility is not None else "",
        duration_min=_duration(submission),
        map=place.gps_place(
            submission, flags, exact=gps_path in revealed or gps_path not in personal
        ),
        scorecard=enumerator_scorecard(submission),
        history=history_rows(history, layout.questions if layout else {}),
        allowed=ALLOWED.get(submission.review_status, frozenset()),
        exclusion_reasons=list(ExclusionReason.choices),
        kobo_drift=kobo_drift(submission),
        gps_path=gps_path if gps_path in personal and submission.data.get(gps_path) else "",
    )
