"""Celery task of background imports (listed in CELERY_IMPORTS)."""

import logging

from celery import shared_task

from surveys.imports.jobs import ImportJobBusyError, run_import
from surveys.models import ImportJob

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(ImportJobBusyError,),
    retry_backoff=60,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
def run_import_task(job_id: str) -> None:
    """Import one job's file; a missing job is dropped, a finished one left alone."""
    if not ImportJob.objects.filter(pk=job_id).exists():
        logger.warning("run_import_task: import %s is gone", job_id)
        return
    run_import(job_id=job_id)
