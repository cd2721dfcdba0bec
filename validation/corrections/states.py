"""State changes of a correction task: a conditional update plus its append-only event."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from validation.models import CorrectionEvent, CorrectionTask

T = CorrectionTask.State
CLOSED = (T.RESOLVED, T.CANCELLED)
# Where each state may go (the services never write `state` any other way).
ALLOWED: dict[str, frozenset[str]] = {
    T.OPEN: frozenset(
        {T.NOTIFIED, T.SUBMITTED, T.RESOLVED, T.STILL_FAILING, T.EXPIRED, T.CANCELLED}
    ),
    T.NOTIFIED: frozenset(
        {T.OPEN, T.SUBMITTED, T.RESOLVED, T.STILL_FAILING, T.EXPIRED, T.CANCELLED}
    ),
    T.SUBMITTED: frozenset({T.OPEN, T.RESOLVED, T.STILL_FAILING, T.EXPIRED, T.CANCELLED}),
    T.STILL_FAILING: frozenset({T.OPEN, T.SUBMITTED, T.RESOLVED, T.EXPIRED, T.CANCELLED}),
    T.EXPIRED: frozenset(
        {T.OPEN, T.NOTIFIED, T.SUBMITTED, T.RESOLVED, T.STILL_FAILING, T.CANCELLED}
    ),
    T.RESOLVED: frozenset(),
    T.CANCELLED: frozenset(),
}


def move(
    *,
    task: CorrectionTask,
    to: str,
    actor_id: int | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    only_from: Iterable[str] | None = None,
    fields: dict[str, Any] | None = None,
) -> bool:
    """Move the task to `to` if it is still in an allowed state; False when someone else won.

    The condition is part of the UPDATE, so two workers judging the same task cannot both
    move it. `fields` are written in the same statement.
    """
    sources = [s for s in (only_from or ALLOWED) if to in ALLOWED[s]]
    values: dict[str, Any] = {"state": to, "changed_at": timezone.now(), **(fields or {})}
    if to in CLOSED:
        values.setdefault("closed_at", timezone.now())
    with transaction.atomic():
        current = CorrectionTask.objects.filter(pk=task.pk).values_list("state", flat=True).first()
        if current is None or current not in sources:
            return False
        if not CorrectionTask.objects.filter(pk=task.pk, state=current).update(**values):
            return False
        CorrectionEvent.objects.create(
            task=task,
            actor_id=actor_id,
            from_state=current,
            to_state=to,
            note=note,
            data=data or {},
        )
    for name, value in values.items():
        setattr(task, name, value)
    return True


def move_created(*, task: CorrectionTask, actor_id: int | None) -> None:
    """The first event of a task: it exists, open."""
    CorrectionEvent.objects.create(
        task=task, actor_id=actor_id, from_state="", to_state=task.state, note="Opened."
    )
