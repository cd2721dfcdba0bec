"""Celery tasks of the correction workflow (notifications queue): thin, idempotent wrappers."""

import logging

from celery import shared_task

from validation.corrections import notifications, services

logger = logging.getLogger(__name__)
_RESCHEDULED = (notifications.Outcome.BUSY, notifications.Outcome.RETRY)


@shared_task(bind=True, max_retries=None, soft_time_limit=60, time_limit=90)
def deliver_notification_task(self, notification_id: int) -> str:  # type: ignore[no-untyped-def]
    """Send one logged notification; the log's claim and lease make re-delivery harmless."""
    result = notifications.deliver(notification_id=notification_id)
    # Without a broker (dev) there is no delayed retry: the sweep below picks the row up.
    if result.outcome in _RESCHEDULED and not self.request.is_eager:
        raise self.retry(countdown=result.retry_in)
    return str(result.outcome)


@shared_task
def retry_notifications_task() -> int:
    """Beat, every minute: re-queue failed rows now due, expired leases and stale pending rows."""
    due = notifications.due_for_retry()
    for pk in due:
        deliver_notification_task.delay(pk)
    return len(due)


@shared_task
def settle_corrections_task() -> int:
    """After validation (and on beat): judge corrected versions, open tasks for blockers."""
    return len(services.settle_corrections())


@shared_task
def send_reminders_task() -> int:
    """Beat: remind enumerators before the due time (once per due time)."""
    return services.send_reminders()


@shared_task
def escalate_overdue_task() -> int:
    """Beat: tell supervisors about overdue tasks (once per due time)."""
    return services.escalate_overdue()


@shared_task
def send_digests_task() -> int:
    """Beat, daily: one digest per enumerator with live tasks and channel."""
    return services.send_digests()
