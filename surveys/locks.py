"""One sync per form at a time, across workers: a lease claimed by a conditional update.

The lease is renewed with every page a sync commits and lapses after MTM_SYNC_LEASE_S without
one (2 minutes by default), so a sync that was killed locks its form for minutes at most.
On the host where it ran, a lease whose process is gone is taken over at once.
"""

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from mtm.errors import DomainError
from surveys.models import KoboForm, SyncCursor, SyncRun

_HOST = socket.gethostname()


class SyncAlreadyRunningError(DomainError):
    code = "sync_running"


def _lease_time() -> timedelta:
    return timedelta(seconds=settings.MTM_SYNC_LEASE_S)


class FormLease:
    """Held while a sync runs; renew() after each page so a long sync keeps it."""

    def __init__(self, form: KoboForm, owner: str) -> None:
        self.form = form
        self.owner = owner

    def renew(self) -> None:
        SyncCursor.objects.filter(form=self.form, lease_owner=self.owner).update(
            lease_expires_at=timezone.now() + _lease_time()
        )


def _new_owner() -> str:
    return f"{_HOST}:{os.getpid()}:{uuid.uuid4().hex}"


def _holder_is_dead(owner: str) -> bool:
    """True when the lease was taken on this host by a process that no longer exists."""
    parts = owner.split(":")
    if len(parts) != 3 or parts[0] != _HOST or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return False  # this process: a sync of ours in another thread is alive
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@contextmanager
def form_lease(form: KoboForm) -> Iterator[FormLease]:
    """Claim the form's sync lease or raise SyncAlreadyRunningError; release it on exit."""
    SyncCursor.objects.get_or_create(form=form)
    owner = _new_owner()
    now = timezone.now()
    free = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now)
    held_by = SyncCursor.objects.filter(form=form).values_list("lease_owner", flat=True).first()
    if held_by and _holder_is_dead(held_by):
        free |= Q(lease_owner=held_by)
    claimed = (
        SyncCursor.objects.filter(form=form)
        .filter(free)
        .update(lease_owner=owner, lease_expires_at=now + _lease_time())
    )
    if claimed != 1:
        raise SyncAlreadyRunningError(f"A sync of form {form.asset_uid} is already running.")
    # A run left `running` by a sync that died without ending it (SIGKILL, power cut) ends
    # here: it holds no lease any more, so nothing is still working on it.
    SyncRun.objects.filter(form=form, status=SyncRun.Status.RUNNING).update(
        status=SyncRun.Status.FAILED,
        finished_at=now,
        error="Interrupted: the process stopped without ending the run (killed?); "
        "this form's next sync resumed from its last committed page.",
    )
    try:
        yield FormLease(form, owner)
    finally:
        SyncCursor.objects.filter(form=form, lease_owner=owner).update(
            lease_owner="", lease_expires_at=None
        )
