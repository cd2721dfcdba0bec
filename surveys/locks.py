"""One sync per form at a time, across workers: a lease claimed by a conditional update."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from mtm.errors import DomainError
from surveys.models import KoboForm, SyncCursor

LEASE = timedelta(minutes=10)


class SyncAlreadyRunningError(DomainError):
    code = "sync_running"


class FormLease:
    """Held while a sync runs; renew() after each page so a long sync keeps it."""

    def __init__(self, form: KoboForm, owner: str) -> None:
        self.form = form
        self.owner = owner

    def renew(self) -> None:
        SyncCursor.objects.filter(form=self.form, lease_owner=self.owner).update(
            lease_expires_at=timezone.now() + LEASE
        )


@contextmanager
def form_lease(form: KoboForm) -> Iterator[FormLease]:
    """Claim the form's sync lease or raise SyncAlreadyRunningError; release it on exit."""
    SyncCursor.objects.get_or_create(form=form)
    owner = uuid.uuid4().hex
    now = timezone.now()
    claimed = (
        SyncCursor.objects.filter(form=form)
        .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now))
        .update(lease_owner=owner, lease_expires_at=now + LEASE)
    )
    if claimed != 1:
        raise SyncAlreadyRunningError(f"A sync of form {form.asset_uid} is already running.")
    try:
        yield FormLease(form, owner)
    finally:
        SyncCursor.objects.filter(form=form, lease_owner=owner).update(
            lease_owner="", lease_expires_at=None
        )
