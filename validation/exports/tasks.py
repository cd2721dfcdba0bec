"""Celery tasks of the exports (listed in CELERY_IMPORTS): build one export, sweep stuck ones."""

import logging

from celery import shared_task

from validation.exports.jobs import run_export, sweep_exports
from validation.models import ExportJob

logger = logging.getLogger(__name__)


@shared_task
def run_export_task(job_id: str) -> None:
    """Build the export file; a missing job is logged and dropped, a re-delivery is a no-op."""
    if not ExportJob.objects.filter(pk=job_id).exists():
        logger.warning("run_export_task: export %s is gone", job_id)
        return
    run_export(job_id=job_id)


@shared_task
def sweep_exports_task() -> None:
    """Beat: send again exports the broker lost, re-queue those whose worker died."""
    report = sweep_exports()
    if report.sent or report.requeued or report.failed:
        logger.info(
            "export sweep: %s sent, %s requeued, %s failed",
            report.sent,
            report.requeued,
            report.failed,
        )
