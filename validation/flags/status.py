"""The interview's review status as an explicit state machine; every move is logged append-only.

Low in the layers: validation, the quality checks and the correction workflow move interviews
through it; the supervisors' decisions (validation.review) are built on it.
"""

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from mtm.errors import DomainError
from surveys.models import Submission
from surveys.push import KOBO_STATUS_FOR_REVIEW
from surveys.tasks import push_review_statuses_task
from validation.models import ReviewEvent

S = Submission.ReviewStatus

# Who moves what: supervisors decide (approve/return/exclude/hold); the system moves interviews
# through checking and correction. Anything not listed is refused.
ALLOWED: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.CLEAN, S.FLAGGED, S.EXCLUDED, S.ON_HOLD}),
    S.CLEAN: frozenset({S.FLAGGED, S.APPROVED, S.RETURNED, S.EXCLUDED, S.ON_HOLD}),
    S.FLAGGED: frozenset({S.CLEAN, S.APPROVED, S.RETURNED, S.EXCLUDED, S.ON_HOLD}),
    S.ON_HOLD: frozenset({S.APPROVED, S.RETURNED, S.EXCLUDED, S.CLEAN, S.FLAGGED}),
    S.RETURNED: frozenset({S.CORRECTED, S.EXCLUDED, S.ON_HOLD}),
    S.CORRECTED: frozenset({S.CLEAN, S.FLAGGED}),
    # A decision is reopened when the data changes in KoBo, or when a supervisor reverses it.
    S.APPROVED: frozenset({S.CLEAN, S.FLAGGED, S.ON_HOLD, S.EXCLUDED}),
    S.EXCLUDED: frozenset({S.CLEAN, S.FLAGGED, S.ON_HOLD}),
}
DECISIONS = frozenset({S.APPROVED, S.RETURNED, S.EXCLUDED, S.ON_HOLD})


class IllegalTransitionError(DomainError):
    code = "illegal_transition"
    http_status = 409


class DecisionInputError(DomainError):
    code = "decision_input"


def transition(
    *,
    submission: Submission,
    to: str,
    actor: AbstractBaseUser | None = None,
    comment: str = "",
    reason: str = "",
    questions: Sequence[str] = (),
) -> ReviewEvent:
    """Move an interview to `to`, or refuse with a clear message; logs the change."""
    with transaction.atomic():
        current = (
            Submission.objects.select_for_update().only("pk", "review_status").get(pk=submission.pk)
        )
        source = current.review_status
        if to not in ALLOWED.get(source, frozenset()):
            raise IllegalTransitionError(
                f"An interview that is {S(source).label.lower()} cannot be "
                f"{'set to' if to not in DECISIONS else 'moved to'} {S(to).label.lower()}."
            )
        fields: dict[str, object] = {"review_status": to}
        if to in DECISIONS or to == S.CORRECTED:
            fields["changed_since_review"] = False
            submission.changed_since_review = False
        if to in KOBO_STATUS_FOR_REVIEW:
            # A fresh decision is sent even over a status someone else set in KoBo.
            fields["kobo_status_pushed"] = ""
        Submission.objects.filter(pk=submission.pk).update(**fields)
        submission.review_status = to
        if to in KOBO_STATUS_FOR_REVIEW:
            _mirror_to_kobo(submission)
        return ReviewEvent.objects.create(
            submission=submission,
            actor_id=actor.pk if actor is not None else None,
            from_status=source,
            to_status=to,
            comment=comment,
            reason=reason,
            questions=list(questions),
        )


def _mirror_to_kobo(submission: Submission) -> None:
    """Queue the push of this decision to KoBo once committed; a failure never undoes it."""
    form_id, kobo_id = submission.form_id, submission.kobo_id
    transaction.on_commit(lambda: push_review_statuses_task.delay(form_id, [kobo_id]), robust=True)
