"""Celery tasks of the validation app: thin wrappers over the engine and the quality checks."""

import time

from celery import shared_task
from django.conf import settings

from validation import quality
from validation.corrections.tasks import settle_corrections_task
from validation.engine.validate import stale_validation_count, validate_pending

_BATCH = 200
_BUDGET_S = 240  # well under the soft time limit; the rest goes to a fresh task


@shared_task(bind=True)
def validate_pending_task(self) -> int:  # type: ignore[no-untyped-def]
    """Validate what sync marked; re-queues itself while work remains (safe to re-deliver)."""
    deadline = time.monotonic() + _BUDGET_S
    total = 0
    while time.monotonic() < deadline:
        done = validate_pending(limit=_BATCH)
        total += done
        if done < _BATCH:
            # Quality checks follow validation; they only touch what changed since last time.
            run_quality_checks_task.delay()
            return total
    self.apply_async()
    return total


@shared_task
def validate_stale_task() -> int:
    """Periodic: queue validation again if rows have waited for it too long (a lost message)."""
    stale = stale_validation_count(older_than_s=settings.MTM_VALIDATION_SWEEP_AGE_S)
    if stale:
        validate_pending_task.delay()
    return stale


@shared_task
def run_quality_checks_task() -> int:
    """Bring quality flags up to date for due interviews; idempotent, safe to re-deliver."""
    due = sum(report.due for report in quality.check_due())
    # Flags are settled now: corrected versions can be judged against them.
    settle_corrections_task.delay()
    return due
