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


def _row(
    submission: Submission, by_severity: dict[str, int], verdict: str | None, rate: float
) -> ReviewPriority:
    """The one place the risk formula lives (single and bulk updates share it)."""
    score = sum(SEVERITY_WEIGHT[Severity(sev)] * n for sev, n in by_severity.items())
    score += _ELIGIBILITY_WEIGHT.get(verdict or "", 0) + round(20 * rate)
    score += 30 if submission.changed_since_review else 0
    return ReviewPriority(
        submission_id=submission.pk,
        score=score,
        blockers=by_severity.get(Severity.BLOCKER, 0),
        majors=by_severity.get(Severity.MAJOR, 0),
        minors=by_severity.get(Severity.MINOR, 0),
        enumerator_flag_rate=rate,
        spot_check=is_spot_check(submission.root_uuid),
    )


_FIELDS = ["score", "blockers", "majors", "minors", "enumerator_flag_rate", "spot_check"]


def update_priority(*, submission: Submission, verdict: str | None) -> ReviewPriority:
    """Recompute and store the interview's risk score."""
    by_severity = dict(
        Flag.objects.open()
        .filter(submission=submission)
        .values("severity")
        .annotate(n=Count("pk"))
        .values_list("severity", "n")
    )
    row = _row(submission, by_severity, verdict, enumerator_flag_rate(submission.enumerator_id))
    priority, _ = ReviewPriority.objects.update_or_create(
        submission=submission, defaults={f: getattr(row, f) for f in _FIELDS}
    )
    return priority


def update_priorities(rows: list[tuple[Submission, dict[str, int]]]) -> None:
    """update_priority for many submissions (with their open flags by severity) in a few queries."""
    if not rows:
        return
    verdicts = dict(
        Eligibility.objects.filter(submission_id__in=[s.pk for s, _ in rows]).values_list(
            "submission_id", "verdict"
        )
    )
    rates = {e: enumerator_flag_rate(e) for e in {s.enumerator_id for s, _ in rows}}
    ReviewPriority.objects.bulk_create(
        [_row(s, by_sev, verdicts.get(s.pk), rates[s.enumerator_id]) for s, by_sev in rows],
        update_conflicts=True,
        unique_fields=["submission"],
        update_fields=[*_FIELDS, "computed_at"],
        batch_size=1000,
    )
