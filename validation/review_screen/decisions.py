"""The review screen's decision buttons, mapped onto the review state machine."""

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser

from surveys.models import Submission
from validation import review
from validation.models import ReviewEvent

ACTIONS = ("approve", "hold", "return", "exclude")
_DONE = {
    "approve": "Approved.",
    "hold": "Put on hold.",
    "return": "Returned to the enumerator with {n} question(s) to re-ask.",
    "exclude": "Excluded.",
}


def decide(
    *,
    submission: Submission,
    actor: AbstractBaseUser,
    action: str,
    comment: str = "",
    reason: str = "",
    questions: Sequence[str] = (),
) -> tuple[ReviewEvent, str]:
    """Apply one decision; returns the logged event and a line to tell the supervisor."""
    chosen = list(dict.fromkeys(q.strip() for q in questions if q.strip()))
    if action == "approve":
        event = review.approve(submission=submission, actor=actor, comment=comment.strip())
    elif action == "hold":
        event = review.hold(submission=submission, actor=actor, comment=comment.strip())
    elif action == "return":
        event = review.return_to_enumerator(
            submission=submission, actor=actor, comment=comment.strip(), questions=chosen
        )
    elif action == "exclude":
        event = review.exclude(
            submission=submission, actor=actor, reason=reason, comment=comment.strip()
        )
    else:
        raise review.DecisionInputError("Choose approve, hold, return or exclude.")
    return event, _DONE[action].format(n=len(chosen))
