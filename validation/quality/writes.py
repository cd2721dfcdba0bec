"""Writing a run's findings as flags, and moving the review status the flags decide."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils import timezone

from surveys.models import Submission
from validation.checks.base import (
    Finding,
)
from validation.engine import validate as engine
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
    added: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    resolved: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    blocks: set[str] = field(default_factory=set)


# --- writing -----------------------------------------------------------------------------------


def write_flags(
    desired: dict[int, list[Finding]],
    covered: dict[int, set[str]],
    report: QualityReport,
    *,
    dry_run: bool,
) -> None:
    """Apply the findings where the stored flags differ; count per code what changes."""
    existing: dict[int, dict[tuple[str, str], Flag]] = defaultdict(dict)
    ids = list(covered)
    for start in range(0, len(ids), 5000):
        for flag in Flag.objects.filter(
            submission_id__in=ids[start : start + 5000], check_code__in=QUALITY_CODES
        ):
            existing[flag.submission_id][(flag.check_code, flag.path)] = flag
    changed: list[int] = []
    reviewable: list[int] = []  # open non-info flags changed: status and priority follow
    creates: list[Flag] = []
    updates: list[Flag] = []
    for pk, codes in covered.items():
        want = {(f.code, f.path): f for f in desired.get(pk, []) if f.code in codes}
        have = {key: flag for key, flag in existing[pk].items() if key[0] in codes}
        reopen = [
            flag
            for key, flag in have.items()
            if flag.check_code == OUTLIER_CODE
            and flag.status == Flag.Status.OKAYED
            and key in want
            and want[key].values.get("value") != flag.values.get("value")
        ]
        differs = relevant = bool(reopen)
        for key, finding in want.items():
            stored = have.get(key)
            if stored is None or stored.status == Flag.Status.RESOLVED:
                report.added[key[0]] += 1
                differs = True
                relevant = relevant or finding.severity != "info"
            elif (stored.severity, stored.message, stored.values) != (
                finding.severity,
                finding.message,
                _jsonable(finding.values),
            ):
                differs = True
                relevant = relevant or stored.severity != finding.severity
        for key, flag in have.items():
            if key not in want and flag.status == Flag.Status.OPEN:
                report.resolved[key[0]] += 1
                differs = True
                relevant = relevant or flag.severity != "info"
        if not differs or dry_run:
            continue
        _stage(pk, want, have, reopen, creates, updates)
        changed.append(pk)
        if relevant:
            reviewable.append(pk)
    report.written = len(changed)
    if dry_run:
        return
    # One bulk insert and one bulk update for all submissions (engine.apply_findings' rules).
    Flag.objects.bulk_create(creates, batch_size=2000)
    Flag.objects.bulk_update(
        updates,
        ["status", "resolved_at", "severity", "message", "values", "last_seen_at", "okayed_by"],
        batch_size=1000,
    )
    _refresh_review_states(reviewable)


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


def _stage(
    pk: int,
    want: dict[tuple[str, str], Finding],
    have: dict[tuple[str, str], Flag],
    reopen: list[Flag],
    creates: list[Flag],
    updates: list[Flag],
) -> None:
    """Flags to create and to update so the submission's flags of these codes equal `want`.

    As engine.apply_findings: new findings open flags, vanished ones resolve open flags, a
    finding that came back reopens its resolved flag, and a supervisor's okay persists (unless
    the outlier's value changed since: then it needs a new look).
    """
    now = timezone.now()
    for key, finding in want.items():
        values = _jsonable(finding.values)
        flag = have.get(key)
        if flag is None:
            creates.append(
                Flag(
                    submission_id=pk,
                    check_code=finding.code,
                    path=finding.path,
                    severity=finding.severity,
                    message=finding.message,
                    values=values,
                )
            )
            continue
        if flag.status == Flag.Status.RESOLVED:
            flag.status, flag.resolved_at = Flag.Status.OPEN, None  # it came back
        if flag in reopen:
            flag.status, flag.okayed_by = Flag.Status.OPEN, None
        flag.severity, flag.message, flag.values = finding.severity, finding.message, values
        flag.last_seen_at = now
        updates.append(flag)
    for key, flag in have.items():
        if key not in want and flag.status == Flag.Status.OPEN:
            flag.status, flag.resolved_at = Flag.Status.RESOLVED, now
            updates.append(flag)


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    """As the JSON column will hold it (tuples become lists, dates text), to compare."""
    result: dict[str, Any] = json.loads(json.dumps(values, default=str))
    return result
