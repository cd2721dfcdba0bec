"""Celery task of retention (listed in CELERY_IMPORTS; run nightly by beat)."""

import logging

from celery import shared_task

from surveys.models import PurgeRun
from validation.retention.purge import purge_personal_data

logger = logging.getLogger(__name__)


@shared_task(name="validation.retention_tasks.purge_personal_data_task")  # the name beat stores
def purge_personal_data_task() -> None:
    """Apply every round's retention policy; each round's removals are audited as a PurgeRun."""
    for purge in purge_personal_data(actor="schedule", trigger=PurgeRun.Trigger.SCHEDULE):
        if purge.removed_anything:
            logger.info(
                "purged round %s: %s tombstones, %s personal answers, %s interviews deleted",
                purge.round.pk,
                purge.deleted_answers,
                purge.personal_answers,
                purge.interviews_deleted,
            )
