"""Supervisors' decisions on an interview: approve, hold, exclude, return, in bulk.

Built on the status machine (validation.flags.status); returning an interview opens its
correction task (validation.corrections) in the same transaction.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from surveys.models import Submission
from validation.corrections.services import open_or_update_correction
from validation.flags.status import DecisionInputError, IllegalTransitionError, transition
from validation.models import ExclusionReason, ReviewEvent

S = Submission.ReviewStatus


def approve(*, submission: Submission, actor: AbstractBaseUser, comment: str = "") -> ReviewEvent:
    return transition(submission=submission, to=S.APPROVED, actor=actor, comment=comment)


def hold(*, submission: Submission, actor: AbstractBaseUser, comment: str = "") -> ReviewEvent:
    return transition(submission=submission, to=S.ON_HOLD, actor=actor, comment=comment)


def exclude(
    *, submission: Submission, actor: AbstractBaseUser, reason: str, comment: str = ""
) -> ReviewEvent:
    if reason not in ExclusionReason.values:
        raise DecisionInputError(
            "Excluding an interview needs a reason: " + ", ".join(ExclusionReason.values) + "."
        )
    if reason == ExclusionReason.OTHER and not comment.strip():
        raise DecisionInputError("Say why in a comment when the reason is 'other'.")
    return transition(
        submission=submission, to=S.EXCLUDED, actor=actor, comment=comment, reason=reason
    )


def return_to_enumerator(
    *, submission: Submission, actor: AbstractBaseUser, comment: str, questions: Sequence[str]
) -> ReviewEvent:
    if not comment.strip():
        raise DecisionInputError("Returning an interview needs a comment for the enumerator.")
    if not questions:
        raise DecisionInputError("Choose at least one question for the enumerator to re-ask.")
    with transaction.atomic():  # the return and the enumerator's task commit together
        event = transition(
            submission=submission, to=S.RETURNED, actor=actor, comment=comment, questions=questions
        )
        open_or_update_correction(review_event=event)
    return event


@dataclass(frozen=True)
class BulkReport:
    decided: int
    skipped: int

    @property
    def message(self) -> str:
        skipped = f"; {self.skipped} skipped (not clean)" if self.skipped else ""
        return f"{self.decided} interviews updated{skipped}."


def bulk_decide(
    *,
    submissions: Iterable[Submission],
    actor: AbstractBaseUser | AnonymousUser,
    to: str,
    only_clean: bool = True,
) -> BulkReport:
    """Approve or hold many interviews at once; flagged ones need a look and are skipped."""
    if to not in (S.APPROVED, S.ON_HOLD):
        raise DecisionInputError("Bulk decisions are approve or hold only.")
    decided = skipped = 0
    user = actor if isinstance(actor, AbstractBaseUser) else None
    for submission in submissions:
        if only_clean and submission.review_status != S.CLEAN:
            skipped += 1
            continue
        try:
            transition(submission=submission, to=to, actor=user)
        except IllegalTransitionError:
            skipped += 1
            continue
        decided += 1
    return BulkReport(decided, skipped)
