"""Writing a run's findings as flags, and moving the review status the flags decide."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from surveys.models import Submission
from validation.checks.base import (
    Finding,
)
from validation.engine import validate as engine
from validation.engine.flag_diff import Finding as FlagFinding
from validation.engine.flag_diff import FlagDiff, diff_flags, write_flag_diff
from validation.flags import priority
from validation.flags.status import ALLOWED, DECISIONS
from validation.models import (
    Flag,
    ReviewEvent,
    Severity,
)
from validation.quality.config import OUTLIER_CODE, QUALITY_CODES


@dataclass
class QualityReport:
    form_id: int
    due: int = 0
    loaded: int = 0  # interviews read with all their answers (the touched blocks)
    written: int = 0  # submissions whose flags changed
    added: Counter[str] = field(default_factory=Counter)
    resolved: Counter[str] = field(default_factory=Counter)
    blocks: set[str] = field(default_factory=set)


# --- writing -----------------------------------------------------------------------------------


def write_flags(
    desired: dict[int, list[Finding]],
    covered: dict[int, set[str]],
    report: QualityReport,
    *,
    dry_run: bool,
) -> None:
    """Apply the findings (engine.flag_diff) where the stored flags differ; count what changes.

    covered holds, per submission, the codes its findings are complete for.
    """
    existing: dict[int, list[Flag]] = defaultdict(list)
    ids = list(covered)
    for start in range(0, len(ids), 5000):
        for flag in Flag.objects.filter(
            submission_id__in=ids[start : start + 5000], check_code__in=QUALITY_CODES
        ):
            existing[flag.submission_id].append(flag)
    diff = FlagDiff()
    now = timezone.now()
    for pk, codes in covered.items():
        diff_flags(
            diff,
            submission_id=pk,
            findings=[
                FlagFinding(f.code, f.path, f.severity, f.message, f.values)
                for f in desired.get(pk, ())
            ],
            existing=existing.get(pk, ()),
            owns=codes.__contains__,
            now=now,
            reopen_on_new_value=_REOPEN_ON_NEW_VALUE,
        )
    report.added.update(diff.added)
    report.resolved.update(diff.resolved)
    if dry_run:
        return
    report.written = len(diff.changed)
    write_flag_diff(diff)
    _refresh_review_states(diff.reviewable)


# A supervisor's okay of an outlier covers the value okayed, not the next one.
_REOPEN_ON_NEW_VALUE = frozenset({OUTLIER_CODE})


_CHECKED = (Submission.ReviewStatus.CLEAN, Submission.ReviewStatus.FLAGGED)


def _refresh_review_states(pks: list[int]) -> None:
    """engine.refresh_review_state for many submissions, with the per-row work batched.

    The common moves (received, clean or flagged to clean or flagged as the open flags say)
    are made with one update per target status and their ReviewEvents in one insert, as
    flags.status.transition logs them (none of these is mirrored to KoBo). Any other move (a
    decision or a return meeting changed data, a corrected interview) goes through the engine
    one by one.
    Then priorities: open-flag counts, eligibility verdicts and enumerators' flag rates read in
    a few queries and upserted at once, with validation.flags.priority's formula.
    """
    simple = (Submission.ReviewStatus.RECEIVED, *_CHECKED)
    for start in range(0, len(pks), 2000):
        chunk = pks[start : start + 2000]
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        for pk, severity, n in (
            Flag.objects.open()
            .filter(submission_id__in=chunk)
            .values_list("submission_id", "severity")
            .annotate(n=Count("pk"))
        ):
            counts[pk][severity] = n
        rows: list[tuple[Submission, dict[str, int]]] = []
        moves: dict[str, list[Submission]] = defaultdict(list)
        for submission in Submission.objects.filter(
            pk__in=chunk, deleted_at__isnull=True
        ).select_related("form", "enumerator"):
            by_severity = counts.get(submission.pk, {})
            open_total = sum(n for sev, n in by_severity.items() if sev != Severity.INFO)
            checked = _CHECKED[1] if open_total else _CHECKED[0]
            status = submission.review_status
            if status in simple:
                if status != checked and checked in ALLOWED[status]:
                    moves[checked].append(submission)
                rows.append((submission, by_severity))
            elif (submission.changed_since_review and status in DECISIONS) or (
                status in engine.REVIEWABLE and status != checked
            ):
                _refresh_one(submission)  # logged, maybe mirrored
            else:
                rows.append((submission, by_severity))
        events = []
        for to, moved in moves.items():
            for submission in _move_if_unchanged(moved, to):
                events.append(
                    ReviewEvent(
                        submission=submission, from_status=submission.review_status, to_status=to
                    )
                )
                submission.review_status = to
        ReviewEvent.objects.bulk_create(events, batch_size=2000)
        priority.update_priorities(rows)


def _move_if_unchanged(moved: list[Submission], to: str) -> list[Submission]:
    """Move to `to` those of `moved` still in the status they were read in; return them.

    The rows were read without a lock late in a long transaction: a supervisor's decision
    committed since must stand, so each row moves only from the status read (the lock-and-check
    re-reads the newest committed row on PostgreSQL), and only those moved are logged.
    """
    done: list[Submission] = []
    by_from: dict[str, list[Submission]] = defaultdict(list)
    for submission in moved:
        by_from[submission.review_status].append(submission)
    for source, group in by_from.items():
        unchanged = set(
            Submission.objects.select_for_update()
            .filter(pk__in=[s.pk for s in group], review_status=source)
            .values_list("pk", flat=True)
        )
        if unchanged:
            Submission.objects.filter(pk__in=unchanged).update(review_status=to)
        done.extend(s for s in group if s.pk in unchanged)
    return done


def _refresh_one(submission: Submission) -> None:
    """engine.refresh_review_state on the row as it is now, locked: not as read a while ago."""
    current = (
        Submission.objects.select_for_update()
        .filter(pk=submission.pk, deleted_at__isnull=True)
        .values("review_status", "changed_since_review")
        .first()
    )
    if current is None:
        return
    submission.review_status = current["review_status"]
    submission.changed_since_review = current["changed_since_review"]
    engine.refresh_review_state(submission=submission)
