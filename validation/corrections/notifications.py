"""The notification log: queue one message per (task, channel, kind) and deliver it exactly once.

Delivery claims a row with a conditional update and a lease, so retries, broker redeliveries
and a second worker never send a row twice; a worker killed mid-send leaves a lease that
expires, and only then may another worker send again. That second send carries the same
idempotency key as the first (see channels.py), so a receiver that did get the first one can
drop it. Failures back off per row; one channel failing never holds up the others.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from mtm.celery import task_named
from surveys.models import Enumerator
from validation.corrections import channels, messages, states
from validation.models import Channel, CorrectionTask, Notification

logger = logging.getLogger(__name__)
N = Notification.Status
_BACKOFF_CAP_S = 3600


class Audience(StrEnum):
    ENUMERATOR = "enumerator"
    SUPERVISOR = "supervisor"


def _recipient(task: CorrectionTask, audience: Audience, channel: str) -> str:
    """Where this channel reaches the person; empty when it cannot (no address, no chat)."""
    if audience == Audience.ENUMERATOR:
        enumerator = task.enumerator
        user = enumerator.user
        if channel == Channel.EMAIL:
            return user.email if user is not None else ""
        if channel == Channel.TELEGRAM:
            return enumerator.telegram_chat_id
        return enumerator.kobo_username
    supervisor = task.supervisor
    if supervisor is None:
        return ""
    if channel == Channel.EMAIL:
        return str(supervisor.email or "")
    if channel == Channel.WEBHOOK:
        return str(supervisor.get_username())
    return ""  # supervisors have no Telegram chat id on file


def queue_for_task(*, task: CorrectionTask, kind: str, audience: Audience) -> list[Notification]:
    """Store the message on every reachable channel (once per key) and send after commit."""
    created = []
    for channel in channels.enabled_channels():
        recipient = _recipient(task, audience, channel)
        if not recipient:
            continue
        if Notification.objects.filter(task=task, channel=channel, kind=kind).exists():
            continue
        rendered = messages.render_for_task(task=task, kind=kind, audience=audience)
        try:
            with transaction.atomic():
                row = Notification.objects.create(
                    task=task,
                    channel=channel,
                    kind=kind,
                    recipient=recipient,
                    language=rendered.language,
                    subject=rendered.subject,
                    body=rendered.body,
                    payload=rendered.payload,
                )
        except IntegrityError:
            continue  # queued concurrently by another worker: theirs is the one
        created.append(row)
    _enqueue(row.pk for row in created)
    return created


def queue_digest(
    *, enumerator: Enumerator, day: dt.date, lines: list[str], language: str
) -> list[Notification]:
    """The enumerator's daily digest, at most once per channel and day."""
    rendered = messages.render_digest(
        enumerator=enumerator, lines=lines, language=language, day=day
    )
    user = enumerator.user
    recipients: dict[str, str] = {
        Channel.EMAIL: user.email if user is not None else "",
        Channel.TELEGRAM: enumerator.telegram_chat_id,
        Channel.WEBHOOK: enumerator.kobo_username,
    }
    enumerator_id = enumerator.pk
    created = []
    for channel in channels.enabled_channels():
        recipient = recipients[channel]
        if not recipient:
            continue
        try:
            with transaction.atomic():
                row, new = Notification.objects.get_or_create(
                    task=None,
                    enumerator_id=enumerator_id,
                    channel=channel,
                    kind="digest",
                    day=day,
                    defaults={
                        "recipient": recipient,
                        "language": language,
                        "subject": rendered.subject,
                        "body": rendered.body,
                        "payload": rendered.payload,
                    },
                )
        except IntegrityError:
            continue
        if new:
            created.append(row)
    _enqueue(row.pk for row in created)
    return created


DELIVER_TASK = "validation.corrections.tasks.deliver_notification_task"


def _enqueue(ids: Iterable[int]) -> None:
    for pk in list(ids):
        transaction.on_commit(lambda pk=pk: _deliver_later(pk), robust=True)  # type: ignore[misc]


def _deliver_later(notification_id: int) -> None:
    # By name: the tasks module imports the services, which import this one.
    task_named(DELIVER_TASK).delay(notification_id)


class Outcome(StrEnum):
    SENT = "sent"
    DONE_BEFORE = "done_before"  # sent or given up earlier: nothing to do
    BUSY = "busy"  # another worker holds a live lease
    RETRY = "retry"  # failed for now; due again at next_attempt_at
    GAVE_UP = "gave_up"


@dataclass(frozen=True)
class Delivery:
    outcome: Outcome
    retry_in: float = 0.0


def backoff_s(attempts: int, retry_after: float | None = None) -> float:
    """Exponential from MTM_NOTIFY_BACKOFF_S, capped at an hour; a server's Retry-After wins."""
    delay = min(_BACKOFF_CAP_S, settings.MTM_NOTIFY_BACKOFF_S * 2 ** max(0, attempts - 1))
    return max(float(delay), retry_after or 0.0)


def _claimable(now: dt.datetime) -> Q:
    # A failed row waits for its backoff even if a duplicate message asks early.
    return (
        Q(status=N.PENDING)
        | Q(status=N.FAILED, next_attempt_at__isnull=True)
        | Q(status=N.FAILED, next_attempt_at__lte=now)
        | Q(status=N.SENDING, lease_until__lt=now)
    )


def deliver(*, notification_id: int, now: dt.datetime | None = None) -> Delivery:
    """Send one stored notification unless it was sent, or another worker is sending it."""
    now = now or timezone.now()
    lease_until = now + dt.timedelta(seconds=settings.MTM_NOTIFY_LEASE_S)
    row = Notification.objects.filter(pk=notification_id).first()
    if row is None or row.status in (N.SENT, N.GAVE_UP):
        return Delivery(Outcome.DONE_BEFORE)
    # The claim: one conditional UPDATE; exactly one worker wins it per lease.
    claimed = (
        Notification.objects.filter(pk=notification_id)
        .filter(_claimable(now))
        .update(status=N.SENDING, lease_until=lease_until, attempts=row.attempts + 1)
    )
    if not claimed:
        row.refresh_from_db(fields=["status", "lease_until", "next_attempt_at"])
        if row.status == N.SENDING and row.lease_until is not None:
            return Delivery(Outcome.BUSY, max(1.0, (row.lease_until - now).total_seconds()))
        if row.status == N.FAILED and row.next_attempt_at is not None:
            return Delivery(Outcome.RETRY, max(1.0, (row.next_attempt_at - now).total_seconds()))
        return Delivery(Outcome.DONE_BEFORE)
    row.refresh_from_db()
    try:
        channels.send(row)
    except channels.TransientChannelError as exc:
        return _failed(row, str(exc), now=now, retry_after=exc.retry_after)
    except channels.PermanentChannelError as exc:
        return _failed(row, str(exc), now=now, permanent=True)
    Notification.objects.filter(pk=row.pk, status=N.SENDING).update(
        status=N.SENT, sent_at=timezone.now(), lease_until=None, last_error=""
    )
    logger.info("notification %s (%s, %s) sent", row.pk, row.kind, row.channel)
    if row.task_id is not None and messages.kind_base(row.kind) == "opened":
        task = CorrectionTask.objects.get(pk=row.task_id)
        states.move(
            task=task,
            to=CorrectionTask.State.NOTIFIED,
            only_from=(CorrectionTask.State.OPEN,),
            note=f"Told by {row.channel}.",
        )
    return Delivery(Outcome.SENT)


def _failed(
    row: Notification,
    error: str,
    *,
    now: dt.datetime,
    retry_after: float | None = None,
    permanent: bool = False,
) -> Delivery:
    give_up = permanent or row.attempts > settings.MTM_NOTIFY_MAX_RETRIES
    delay = backoff_s(row.attempts, retry_after)
    Notification.objects.filter(pk=row.pk, status=N.SENDING).update(
        status=N.GAVE_UP if give_up else N.FAILED,
        lease_until=None,
        last_error=error[:1000],
        next_attempt_at=None if give_up else now + dt.timedelta(seconds=delay),
    )
    logger.warning(
        "notification %s (%s) failed, attempt %s: %s", row.pk, row.channel, row.attempts, error
    )
    if give_up:
        return Delivery(Outcome.GAVE_UP)
    return Delivery(Outcome.RETRY, delay)


def due_for_retry(*, now: dt.datetime | None = None, stale_after_s: int = 60) -> list[int]:
    """Rows a worker should (re)try now: failed and due, lease expired, or pending and stale.

    The broker's own retry normally handles these; this sweep covers messages lost with a
    whole worker (their broker copy comes back only after the visibility timeout).
    """
    now = now or timezone.now()
    return list(
        Notification.objects.filter(
            Q(status=N.FAILED, next_attempt_at__lte=now)
            | Q(status=N.SENDING, lease_until__lt=now)
            | Q(status=N.PENDING, created_at__lt=now - dt.timedelta(seconds=stale_after_s))
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
