"""Risk score of an interview for the review queue: flags, eligibility, the enumerator's record."""

import zlib
from collections import defaultdict
from datetime import timedelta

from django.db import connection
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
    copy_to_submissions([priority])
    submission.risk_score, submission.spot_check = priority.score, priority.spot_check
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
    priorities = [_row(s, by_sev, verdicts.get(s.pk), rates[s.enumerator_id]) for s, by_sev in rows]
    ReviewPriority.objects.bulk_create(
        priorities,
        update_conflicts=True,
        unique_fields=["submission"],
        update_fields=[*_FIELDS, "computed_at"],
        batch_size=1000,
    )
    copy_to_submissions(priorities)


def copy_to_submissions(priorities: list[ReviewPriority]) -> None:
    """Copy each score and spot-check draw onto its Submission, for the queue's index.

    The review queue's order and its spot checks are read from the interview (surveys'
    submission_queue_idx): whoever writes a ReviewPriority calls this.

    Rows already holding their values are not rewritten: re-running the checks mostly
    recomputes the same scores, and every rewrite is a new row version in each index.
    """
    if not priorities:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Submission._meta.db_table} AS s"  # noqa: S608 (our table's name)
                " SET risk_score = v.score, spot_check = v.spot"
                " FROM unnest(%s::bigint[], %s::integer[], %s::boolean[]) AS v(id, score, spot)"
                " WHERE s.id = v.id"
                " AND (s.risk_score, s.spot_check) IS DISTINCT FROM (v.score, v.spot)",
                [
                    [p.submission_id for p in priorities],
                    [p.score for p in priorities],
                    [p.spot_check for p in priorities],
                ],
            )
        return
    by_value: dict[tuple[int, bool], list[int]] = defaultdict(list)
    for p in priorities:
        by_value[(p.score, p.spot_check)].append(p.submission_id)
    for (score, spot), ids in by_value.items():
        Submission.objects.filter(pk__in=ids).exclude(risk_score=score, spot_check=spot).update(
            risk_score=score, spot_check=spot
        )
