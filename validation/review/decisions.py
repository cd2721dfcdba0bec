"""Supervisors' decisions on an interview: approve, hold, exclude, return, in bulk.

Built on the status machine (validation.flags.status); returning an interview opens its
correction task (validation.corrections) in the same transaction. ``decide`` is the one entry
point of the review screen, the API and the admin's bulk actions: it cleans the input the same
way for all three and asks for a confirmation before approving a risky interview.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from surveys.models import Submission
from validation.corrections.services import open_or_update_correction
from validation.flags.status import DecisionInputError, IllegalTransitionError, transition
from validation.models import Eligibility, ExclusionReason, Flag, ReviewEvent

S = Submission.ReviewStatus
ACTIONS = ("approve", "hold", "return", "exclude")
# Kept at the head of the comment of a confirmed risky approval, so the history shows it.
RISK_NOTE = "Approved despite: {risks}."


class ConfirmationNeededError(DecisionInputError):
    """Approving an ineligible interview, or one with an open blocker, needs a yes and a why."""

    code = "confirmation_needed"

    def __init__(self, message: str, risks: "ApprovalRisks") -> None:
        super().__init__(message)
        self.risks = risks


def approve(*, submission: Submission, actor: AbstractBaseUser, comment: str = "") -> ReviewEvent:
    return transition(submission=submission, to=S.APPROVED, actor=actor, comment=comment)


def hold(*, submission: Submission, actor: AbstractBaseUser, comment: str = "") -> ReviewEvent:
    return transition(submission=submission, to=S.ON_HOLD, actor=actor, comment=comment)


def exclude(
    *, submission: Submission, actor: AbstractBaseUser, reason: str, comment: str = ""
) -> ReviewEvent:
    if reason not in ExclusionReason.values:
        raise DecisionInputError(
            _("Excluding an interview needs a reason: %(reasons)s.")
            % {"reasons": ", ".join(str(label) for label in ExclusionReason.labels)}
        )
    if reason == ExclusionReason.OTHER and not comment.strip():
        raise DecisionInputError(_("Say why in a comment when the reason is 'other'."))
    return transition(
        submission=submission, to=S.EXCLUDED, actor=actor, comment=comment, reason=reason
    )


def return_to_enumerator(
    *, submission: Submission, actor: AbstractBaseUser, comment: str, questions: Sequence[str]
) -> ReviewEvent:
    if not comment.strip():
        raise DecisionInputError(_("Returning an interview needs a comment for the enumerator."))
    if not questions:
        raise DecisionInputError(_("Choose at least one question for the enumerator to re-ask."))
    with transaction.atomic():  # the return and the enumerator's task commit together
        event = transition(
            submission=submission, to=S.RETURNED, actor=actor, comment=comment, questions=questions
        )
        open_or_update_correction(review_event=event)
    return event


@dataclass(frozen=True)
class ApprovalRisks:
    """Why approving an interview needs a second thought."""

    ineligible: bool
    blockers: int

    def __bool__(self) -> bool:
        return self.ineligible or self.blockers > 0

    @property
    def history(self) -> str:
        """In English, as the review log keeps it (whoever reads it later, in any language)."""
        parts = ["not eligible"] if self.ineligible else []
        if self.blockers:
            parts.append(f"{self.blockers} open blocker{'s' if self.blockers != 1 else ''}")
        return RISK_NOTE.format(risks="; ".join(parts))

    @property
    def words(self) -> list[str]:
        """The same, in the active language."""
        parts = [_("not eligible")] if self.ineligible else []
        if self.blockers:
            parts.append(
                ngettext("%(n)d open blocker", "%(n)d open blockers", self.blockers)
                % {"n": self.blockers}
            )
        return parts


def approval_risks(submission: Submission) -> ApprovalRisks:
    """Read the interview's eligibility verdict and its open blockers (two small queries)."""
    verdict = (
        Eligibility.objects.filter(submission_id=submission.pk)
        .values_list("verdict", flat=True)
        .first()
    )
    blockers = Flag.objects.open().filter(submission_id=submission.pk, severity="blocker").count()
    return ApprovalRisks(verdict == Eligibility.Verdict.INELIGIBLE, blockers)


@dataclass(frozen=True)
class Decision:
    event: ReviewEvent
    message: str  # a line for the supervisor, in the active language


def decide(
    *,
    submission: Submission,
    actor: AbstractBaseUser,
    action: str,
    comment: str = "",
    reason: str = "",
    questions: Sequence[str] = (),
    confirmed: bool = False,
) -> Decision:
    """Apply one decision, whoever asks (screen, API, bulk action); log it; say what happened.

    Comments are stripped and questions de-duplicated here, once for every caller. Approving
    an ineligible interview or one with an open blocker raises ConfirmationNeededError unless
    `confirmed` and a comment are given; the comment then starts with the risks (history).
    """
    comment = comment.strip()
    chosen = list(dict.fromkeys(q.strip() for q in questions if q.strip()))
    if action == "approve":
        risks = approval_risks(submission)
        if risks and not (confirmed and comment):
            raise ConfirmationNeededError(
                _(
                    "This interview is %(risks)s. To approve it anyway, tick the confirmation "
                    "and say why in the comment."
                )
                % {"risks": ", ".join(risks.words)},
                risks,
            )
        if risks:
            comment = f"{risks.history} {comment}"
        event = approve(submission=submission, actor=actor, comment=comment)
        return Decision(event, _("Approved."))
    if action == "hold":
        return Decision(
            hold(submission=submission, actor=actor, comment=comment), _("Put on hold.")
        )
    if action == "return":
        event = return_to_enumerator(
            submission=submission, actor=actor, comment=comment, questions=chosen
        )
        done = ngettext(
            "Returned to the enumerator with %(n)d question to re-ask.",
            "Returned to the enumerator with %(n)d questions to re-ask.",
            len(chosen),
        ) % {"n": len(chosen)}
        return Decision(event, done)
    if action == "exclude":
        event = exclude(submission=submission, actor=actor, reason=reason, comment=comment)
        return Decision(event, _("Excluded."))
    raise DecisionInputError(_("Choose approve, hold, return or exclude."))


@dataclass(frozen=True)
class BulkReport:
    decided: int
    skipped: int

    @property
    def message(self) -> str:
        done = ngettext("%(n)d interview updated.", "%(n)d interviews updated.", self.decided) % {
            "n": self.decided
        }
        if not self.skipped:
            return done
        return (
            done
            + " "
            + ngettext(
                "%(n)d skipped (not clean, or it needs a look before approval).",
                "%(n)d skipped (not clean, or they need a look before approval).",
                self.skipped,
            )
            % {"n": self.skipped}
        )


def bulk_decide(
    *,
    submissions: Iterable[Submission],
    actor: AbstractBaseUser | AnonymousUser,
    to: str,
    only_clean: bool = True,
) -> BulkReport:
    """Approve or hold many interviews at once through ``decide``; risky ones are skipped."""
    action = {str(S.APPROVED): "approve", str(S.ON_HOLD): "hold"}.get(str(to))
    if action is None:
        raise DecisionInputError(_("Bulk decisions are approve or hold only."))
    if not isinstance(actor, AbstractBaseUser):
        raise DecisionInputError(_("Log in to decide on interviews."))
    decided = skipped = 0
    for submission in submissions:
        if only_clean and submission.review_status != S.CLEAN:
            skipped += 1
            continue
        try:
            decide(submission=submission, actor=actor, action=action)
        except (IllegalTransitionError, ConfirmationNeededError):
            skipped += 1
            continue
        decided += 1
    return BulkReport(decided, skipped)
