"""Role-scoped reads of the validation app: the review queue and an interview's history."""

from django.db.models import Q, QuerySet

from surveys.models import Submission
from surveys.selectors import UserLike, visible_submissions

S = Submission.ReviewStatus
# What waits for a supervisor: flagged or held interviews, reopened decisions, corrections
# that still fail, and a random sample of clean ones.
_WAITING = (
    Q(review_status__in=(S.FLAGGED, S.ON_HOLD))
    | Q(changed_since_review=True)
    | Q(review_status=S.CLEAN, priority__spot_check=True)
)


def review_queue(user: UserLike) -> QuerySet[Submission]:
    """The user's interviews awaiting review, riskiest first."""
    return (
        visible_submissions(user)
        .filter(deleted_at__isnull=True)
        .filter(_WAITING)
        .select_related(
            "form__round", "enumerator__team", "location__parent", "priority", "eligibility"
        )
        .order_by("-priority__score", "submission_time", "pk")
    )
