"""Role-scoped reads of the validation app: the review queue and an interview's history."""

from django.db.models import Q, QuerySet

from surveys.models import Submission
from surveys.selectors import UserLike, is_data_manager, visible_submissions
from validation.models import CheckConfig, ExportJob, Flag, ReviewEvent
from validation.models.check_config import QUESTION_ROLES

S = Submission.ReviewStatus
# What waits for a supervisor: flagged or held interviews, reopened decisions, corrections
# that still fail, and a random sample of clean ones. The same condition and order as
# surveys' submission_queue_idx (a partial index: change both together).
_WAITING = (
    Q(review_status__in=(S.FLAGGED, S.ON_HOLD))
    | Q(changed_since_review=True)
    | Q(review_status=S.CLEAN, spot_check=True)
)
QUEUE_ORDER = ("-risk_score", "submission_time", "pk")


def review_queue(user: UserLike) -> QuerySet[Submission]:
    """The user's interviews awaiting review, riskiest first."""
    return (
        visible_submissions(user)
        .filter(deleted_at__isnull=True)
        .filter(_WAITING)
        .select_related(
            "form__round", "enumerator__team", "location__parent", "priority", "eligibility"
        )
        .order_by(*QUEUE_ORDER)
    )


def visible_flags(user: UserLike) -> QuerySet[Flag]:
    """Flags of the interviews the user may see (as the admin's flag list)."""
    return Flag.objects.filter(submission__in=visible_submissions(user).values("pk"))


def visible_review_events(user: UserLike) -> QuerySet[ReviewEvent]:
    """The review log of the interviews the user may see."""
    if is_data_manager(user):  # all: no semi-join with every interview (the API's count)
        return ReviewEvent.objects.all()
    return ReviewEvent.objects.filter(submission__in=visible_submissions(user).values("pk"))


def decidable_submissions(user: UserLike) -> QuerySet[Submission]:
    """Interviews the user may decide on: in their scope, and with the review permission."""
    if not user.is_authenticated or not getattr(user, "has_perm", lambda _: False)(
        "validation.change_interviewreview"
    ):
        return Submission.objects.none()
    return visible_submissions(user).filter(deleted_at__isnull=True)


def may_export(user: UserLike) -> bool:
    """Staff who can view submissions in the admin may export their scope of them."""
    return bool(getattr(user, "is_staff", False)) and getattr(user, "has_perm", lambda _: False)(
        "surveys.view_submission"
    )


def export_scope(user: UserLike) -> QuerySet[Submission]:
    """Interviews the user may export: the admin's submission scope."""
    return visible_submissions(user) if may_export(user) else Submission.objects.none()


def visible_export_jobs(user: UserLike) -> QuerySet[ExportJob]:
    """A user's own exports; data managers see everyone's."""
    if not may_export(user):
        return ExportJob.objects.none()
    if is_data_manager(user):
        return ExportJob.objects.all()
    return ExportJob.objects.filter(requested_by_id=user.pk)


def question_path(round_id: int, role: str) -> str:
    """Where a round's interviews answer a role's question (sex, gps…), by its question map."""
    mapping = (
        CheckConfig.objects.filter(round_id=round_id, is_active=True)
        .values_list("question_map", flat=True)
        .first()
    )
    if isinstance(mapping, dict) and isinstance(mapping.get(role), str) and mapping[role]:
        return str(mapping[role])
    return QUESTION_ROLES[role]
