"""Export jobs: request one (queued after commit), build it in a worker with progress."""

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from mtm.errors import DomainError
from surveys.models import Round
from validation.exports import clean_dataset, cleaning_log, writers
from validation.models import ExportJob
from validation.selectors import export_scope, may_export

logger = logging.getLogger(__name__)


class ExportNotAllowedError(DomainError):
    code = "export_not_allowed"
    http_status = 403


def request_export(*, user: Any, kind: str, round_id: int, fmt: str) -> ExportJob:
    """Record the request and queue the build once committed."""
    from validation.exports.tasks import run_export_task  # the task module imports this one

    if not may_export(user):
        raise ExportNotAllowedError("You may not export interviews.")
    if kind not in ExportJob.Kind.values or fmt not in ExportJob.Format.values:
        raise DomainError("Unknown export kind or format.")
    round_ = Round.objects.get(pk=round_id)
    with transaction.atomic():
        job = ExportJob.objects.create(kind=kind, format=fmt, round=round_, requested_by=user)
        transaction.on_commit(lambda: run_export_task.delay(str(job.pk)))
    return job


def export_header_and_rows(
    *, user: Any, kind: str, round_id: int
) -> tuple[tuple[str, ...], Iterable[list[Any]], int]:
    """Header, a lazy row iterator and the number of rows it will yield (for progress)."""
    scope = export_scope(user)
    if kind == ExportJob.Kind.CLEANING_LOG:
        subs = cleaning_log.cleaning_log_submissions(scope, round_id)
        return (
            cleaning_log.COLUMNS,
            cleaning_log.cleaning_log_rows(subs),
            cleaning_log.row_count(subs),
        )
    shape = clean_dataset.layout(round_id)
    subs = clean_dataset.clean_submissions(scope, round_id)
    return shape.header, clean_dataset.clean_rows(subs, shape), subs.count()


def export_path(job: ExportJob) -> Path:
    return Path(settings.MTM_EXPORT_DIR) / f"{job.pk}.{job.format}"


def run_export(*, job_id: str) -> None:
    """Build the file; a redelivered task finds the job claimed or done and does nothing."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING
    )
    if claimed != 1:
        logger.info("export %s already claimed or finished", job_id)
        return
    job = ExportJob.objects.select_related("requested_by", "round").get(pk=job_id)
    user = get_user_model().objects.get(pk=job.requested_by_id)
    header, rows, total = export_header_and_rows(user=user, kind=job.kind, round_id=job.round_id)
    ExportJob.objects.filter(pk=job.pk).update(rows_total=total)
    path = export_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")

    def progress(rows_done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=rows_done)

    try:
        if job.format == ExportJob.Format.XLSX:
            count = writers.write_xlsx(partial, header, rows, sheet=job.kind, progress=progress)
        else:
            count = writers.write_csv(partial, header, rows, progress=progress)
    except Exception as exc:  # the job records any failure, then re-raises it
        partial.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=type(exc).__name__, finished_at=timezone.now()
        )
        raise
    partial.replace(path)  # the file appears whole or not at all
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        rows_done=count,
        file_name=f"{job.kind}_R{job.round.number}.{job.format}",
        finished_at=timezone.now(),
    )
