"""Small writes of the surveys app: registering KoBo forms and the sync schedule."""

import json

from django.conf import settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from surveys.kobo.client import KoboClient
from surveys.models import KoboForm, KoboServer, Round

SYNC_SCHEDULE_NAME = "Sync all KoBo forms"


def register_form(
    *, server: KoboServer, asset_uid: str, client: KoboClient, round: Round | None = None
) -> KoboForm:
    """Find or create the form for a KoBo asset (raises KoboNotFoundError if KoBo has none)."""
    existing = KoboForm.objects.filter(server=server, asset_uid=asset_uid).first()
    if existing is not None:
        return existing
    asset = client.get_asset(asset_uid)
    return KoboForm.objects.create(
        server=server,
        asset_uid=asset_uid,
        name=asset.name,
        round=round,
        deployed_version_uid=asset.deployed_version_id or "",
    )


def ensure_sync_schedule() -> PeriodicTask:
    """The periodic sync, created once; its interval is then the admin's to edit."""
    existing = PeriodicTask.objects.filter(name=SYNC_SCHEDULE_NAME).first()
    if existing is not None:
        return existing
    interval, _ = IntervalSchedule.objects.get_or_create(
        every=settings.MTM_SYNC_INTERVAL_S, period=IntervalSchedule.SECONDS
    )
    return PeriodicTask.objects.create(
        name=SYNC_SCHEDULE_NAME,
        task="surveys.tasks.sync_all_forms_task",
        interval=interval,
        kwargs=json.dumps({}),
    )
