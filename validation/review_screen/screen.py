"""Everything the review screen shows for one interview, read in a fixed number of queries."""

from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from surveys.models import Submission
from surveys.push import KOBO_STATUS_FOR_REVIEW
from surveys.selectors import UserLike, visible_submissions
from validation.engine.validate import compiled_form
from validation.flags import wording
from validation.models import (
    CorrectionEvent,
    CorrectionTask,
    ExclusionReason,
    Flag,
    QuestionComment,
    ReviewEvent,
)
from validation.privacy.masking import PersonalData, personal_data_for
from validation.review import ALLOWED, ApprovalRisks
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
    "validation_status_approved": gettext_lazy("Approved"),
    "validation_status_not_approved": gettext_lazy("Not approved"),
    "validation_status_on_hold": gettext_lazy("On hold"),
    "": gettext_lazy("no status"),
}


def viewable_submissions(user: UserLike) -> QuerySet[Submission]:
    """Interviews the user may open on the review screen: in scope, with the review role."""
    if not getattr(user, "has_perm", lambda _: False)("validation.view_interviewreview"):
        return Submission.objects.none()
    return visible_submissions(user)


_SCREEN_RELATED = (
    "form__round",
    "enumerator__team",
    "location__parent",
    "version",
    "eligibility",
)


@dataclass(frozen=True)
class Lookup:
    """What an interview number names among the user's rows: one interview, or several."""

    submission: Submission | None
    choices: list[Submission]


def find_interview(rows: QuerySet[Submission], number: int, form_id: int | None = None) -> Lookup:
    """The interview with KoBo ID `number` among `rows` (already scoped to the user).

    KoBo's `_id` is unique on one KoBo server; rows of two servers (or of a server reset
    since) can share it, so `form_id` names the form when it matters. Within a form, the
    live interview wins over tombstones (which keep their `_id`); across forms, the caller
    asks the user to choose.
    """
    matches = rows.filter(kobo_id=number)
    if form_id is not None:
        matches = matches.filter(form_id=form_id)
    found = list(
        matches.select_related(*_SCREEN_RELATED)
        .defer("version__content")
        .order_by(F("deleted_at").asc(nulls_first=True), "-pk")[:20]
    )
    per_form: dict[int, Submission] = {}
    for row in found:
        per_form.setdefault(row.form_id, row)
    if len(per_form) == 1:
        return Lookup(found[0], [])
    return Lookup(None, list(per_form.values()))


def submission_for_screen(user: UserLike, number: int, form_id: int | None = None) -> Lookup:
    return find_interview(viewable_submissions(user), number, form_id)


def next_in_queue(user: UserLike, current: Submission) -> tuple[Submission | None, bool]:
    """The waiting interview after `current` in the queue's order; True when it wrapped.

    The queue is ordered by risk (highest first), then oldest, then pk. "Next" continues
    from the current row's place, so a low-risk row leads to the next lower one, not back
    to the top; past the last row it starts again at the top.
    """
    queue = review_queue(user).exclude(pk=current.pk).values_list("pk", "kobo_id", "form_id")
    score = current.risk_score
    later = Q(submission_time__gt=current.submission_time) | Q(
        submission_time=current.submission_time, pk__gt=current.pk
    )
    # Two range walks of the queue's index (the same score later on, then any lower score),
    # each stopping at its first row, rather than one OR that filters every row above.
    row = queue.filter(later, risk_score=score).first()
    if row is None:
        row = queue.filter(risk_score__lt=score).first()
    wrapped = row is None
    if row is None:
        row = queue.first()
    if row is None:
        return None, wrapped
    pk, kobo_id, form_id = row
    return Submission(pk=pk, kobo_id=kobo_id, form_id=form_id), wrapped


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


@dataclass(frozen=True)
class FindingLine:
    flag: Flag
    question: str  # the question's label when the flag sits on a shown answer, else ""
    text: str


def finding_lines(flags: list[Flag], layout: Layout | None) -> list[FindingLine]:
    placed = layout.placed if layout else set()
    questions = layout.questions if layout else {}
    return [
        FindingLine(
            f, questions.get(f.path, f.path), str(wording.SHORT.get(f.check_code, f.message))
        )
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
    # Submission's labels are plain strings (surveys has no catalogue): translated here.
    return _(S(status).label) if status in S.values else status


def history_rows(events: list[ReviewEvent], questions: dict[str, str]) -> list[HistoryRow]:
    reasons = dict(ExclusionReason.choices)
    return [
        HistoryRow(
            event=e,
            who=(e.actor.get_username() if e.actor is not None else _("system")),
            before=_label(e.from_status),
            after=_label(e.to_status),
            reason=str(reasons.get(e.reason, e.reason)),
            questions=[questions.get(q, q) for q in e.questions or []],
        )
        for e in events
    ]


@dataclass(frozen=True)
class CorrectionStep:
    at: Any
    who: str
    state: str
    note: str


@dataclass(frozen=True)
class CorrectionView:
    """A correction task of the interview: its state and every step, newest task first."""

    task: CorrectionTask
    state: str
    active: bool
    steps: list[CorrectionStep]


def _task_state(state: str) -> str:
    states = CorrectionTask.State
    return str(states(state).label) if state in states.values else state


def correction_views(submission: Submission) -> list[CorrectionView]:
    """Two queries: the tasks, then all their events."""
    tasks = list(CorrectionTask.objects.filter(submission=submission).order_by("-opened_at", "-pk"))
    events: dict[int, list[CorrectionEvent]] = {t.pk: [] for t in tasks}
    for event in CorrectionEvent.objects.filter(task__in=tasks).select_related("actor"):
        events[event.task_id].append(event)
    return [
        CorrectionView(
            task=t,
            state=_task_state(t.state),
            active=t.is_active,
            steps=[
                CorrectionStep(
                    at=e.at,
                    who=e.actor.get_username() if e.actor is not None else _("system"),
                    state=_("Opened by the enumerator")
                    if "seen" in e.data
                    else _task_state(e.to_state),
                    note=e.note,
                )
                for e in events[t.pk]
            ],
        )
        for t in tasks
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
    risks: ApprovalRisks
    corrections: list[CorrectionView]
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
    return KoboDrift(
        ours=str(_KOBO_WORDS[wanted]), theirs=str(_KOBO_WORDS.get(submission.kobo_status, "?"))
    )


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
        problem = _("Form version %(uid)s is not available.") % {
            "uid": submission.version_uid or _("(none)")
        }
    else:
        try:
            form = compiled_form(submission.version)
        except XLSFormError as exc:
            problem = _("The form version cannot be read: %(error)s") % {"error": exc}
    language = form_language(form, lang)
    gps_path = question_path(submission.form.round_id, "gps") if submission.form.round_id else ""
    layout = (
        lay_out(form, submission.data, flags, comments, language)
        if form
        else raw_layout(submission.data, flags, comments)
    )
    mask_personal(layout, personal, revealed)
    for flag in flags:
        if flag.check_code == wording.CONSTRAINT_FAILED and flag.path not in layout.placed:
            # Not at an answer of the form (no version, or a key it lacks): no XPath either.
            flag.message = wording.constraint_failed(None, "")
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
        risks=ApprovalRisks(
            eligibility is not None and eligibility.verdict == "ineligible",
            sum(1 for f in open_flags if f.severity == "blocker"),
        ),
        corrections=correction_views(submission),
        gps_path=gps_path if gps_path in personal and submission.data.get(gps_path) else "",
    )
