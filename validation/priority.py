"""Risk score of an interview for the review queue: flags, eligibility, the enumerator's record."""

import zlib
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from surveys.models import Submission
from validation.models import SEVERITY_WEIGHT, Eligibility, Flag, ReviewPriority, Severity

SPOT_CHECK_PERCENT = 5
_RECENT = timedelta(days=14)
_ELIGIBILITY_WEIGHT: dict[str, int] = {
    Eligibility.Verdict.INELIGIBLE: 50,
    Eligibility.Verdict.UNKNOWN: 10,
}


def is_spot_check(root_uuid: str) -> bool:
    """A stable random draw: the same interview is always in or out of the sample."""
    return zlib.crc32(root_uuid.encode()) % 100 < SPOT_CHECK_PERCENT


def enumerator_flag_rate(enumerator_id: int | None) -> float:
    if enumerator_id is None:
        return 0.0
    since = timezone.now() - _RECENT
    counts = (
        Submission.objects.active()
        .filter(enumerator_id=enumerator_id, submission_time__gte=since)
        .aggregate(
            total=Count("pk"),
            flagged=Count("pk", filter=Q(review_status=Submission.ReviewStatus.FLAGGED)),
        )
    )
    return counts["flagged"] / counts["total"] if counts["total"] else 0.0


def update_priority(*, submission: Submission, verdict: str | None) -> ReviewPriority:
    """Recompute and store the interview's risk score."""
    by_severity = dict(
        Flag.objects.open()
        .filter(submission=submission)
        .values("severity")
        .annotate(n=Count("pk"))
        .values_list("severity", "n")
    )
    rate = enumerator_flag_rate(submission.enumerator_id)
    score = sum(SEVERITY_WEIGHT[Severity(sev)] * n for sev, n in by_severity.items())
    score += _ELIGIBILITY_WEIGHT.get(verdict or "", 0) + round(20 * rate)
    score += 30 if submission.changed_since_review else 0
    priority, _ = ReviewPriority.objects.update_or_create(
        submission=submission,
        defaults={
            "score": score,
            "blockers": by_severity.get(Severity.BLOCKER, 0),
            "majors": by_severity.get(Severity.MAJOR, 0),
            "minors": by_severity.get(Severity.MINOR, 0),
            "enumerator_flag_rate": rate,
            "spot_check": is_spot_check(submission.root_uuid),
        },
    )
    return priority
