"""Background imports: start one for a large file, run it all-or-nothing in a worker.

The import runs in one transaction (django-import-export's ``use_transactions``), so a worker
killed half-way leaves no row behind; the job stays ``running`` until its lease lapses, then a
redelivered task or "Run again" claims it and starts over. Rows are matched on natural keys
(location code, quota round/location/sex...), so a re-run after success changes nothing.
Progress is written through a second database connection: the import's own transaction would
keep it invisible until the end.
"""

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from import_export.resources import ModelResource

from mtm.celery import task_named
from mtm.errors import DomainError
from surveys.imports.files import Format, decode_text, read_dataset
from surveys.imports.problems import problems
from surveys.models import ImportJob
from surveys.resources import (
    BulkLocationResource,
    EnumeratorResource,
    LocationResource,
    QuotaResource,
    TeamResource,
)

logger = logging.getLogger(__name__)

RESOURCES: dict[str, type[ModelResource]] = {
    ImportJob.Kind.LOCATIONS: LocationResource,
    ImportJob.Kind.QUOTAS: QuotaResource,
    ImportJob.Kind.TEAMS: TeamResource,
    ImportJob.Kind.ENUMERATORS: EnumeratorResource,
}
MAX_ERRORS = 200
_PROGRESS_EVERY = 250

RUN_IMPORT_TASK = "surveys.imports.tasks.run_import_task"


class ImportJobBusyError(DomainError):
    """Another worker holds the job's lease; try again once it may have lapsed."""

    code = "import_job_busy"


def start_import(*, user: Any, kind: str, file_name: str, fmt: Format, data: bytes) -> ImportJob:
    """Check the file reads, keep it and queue the import once committed."""
    run_import_task = task_named(RUN_IMPORT_TASK)  # by name: the task module imports this one
    dataset = read_dataset(data, fmt)  # ImportFileError now, in the request, not in a worker
    encoding = decode_text(data)[1] if fmt == "csv" else ""
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            format=fmt,
            file_name=file_name[:255],
            content=data,
            encoding=encoding,
            requested_by=user,
            rows_total=len(dataset),
        )
        transaction.on_commit(lambda: run_import_task.delay(str(job.pk)))
    return job


def retry_import(*, job_id: str) -> bool:
    """Queue a failed job, or one whose worker died, again; False when it is neither."""
    run_import_task = task_named(RUN_IMPORT_TASK)
    requeued = (
        ImportJob.objects.filter(pk=job_id)
        .filter(Q(status=ImportJob.Status.FAILED) | _stale_running())
        .exclude(content=b"")
        .update(status=ImportJob.Status.QUEUED, error="", errors=[], heartbeat_at=None)
    )
    if requeued:
        transaction.on_commit(lambda: run_import_task.delay(job_id))
    return requeued == 1


def may_retry(job: ImportJob) -> bool:
    """A job stopped by something other than its rows (a killed worker, a lost database)."""
    if not job.content:
        return False
    return job.status == ImportJob.Status.FAILED or (
        ImportJob.objects.filter(pk=job.pk).filter(_stale_running()).exists()
    )


def _stale_running() -> Q:
    lapsed = timezone.now() - timedelta(seconds=settings.MTM_IMPORT_LEASE_S)
    return Q(status=ImportJob.Status.RUNNING) & (
        Q(heartbeat_at__lt=lapsed) | Q(heartbeat_at__isnull=True)
    )


def run_import(*, job_id: str) -> None:
    """Import the job's file in one transaction; a finished job is left alone."""
    now = timezone.now()
    claimed = (
        ImportJob.objects.filter(pk=job_id)
        .filter(Q(status=ImportJob.Status.QUEUED) | _stale_running())
        .update(
            status=ImportJob.Status.RUNNING,
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat_at=now,
            rows_done=0,
        )
    )
    if claimed != 1:
        status = ImportJob.objects.filter(pk=job_id).values_list("status", flat=True).first()
        if status == ImportJob.Status.RUNNING:
            raise ImportJobBusyError(f"Import {job_id} is running in another worker.")
        logger.info("import %s already finished (%s)", job_id, status)
        return
    job = ImportJob.objects.get(pk=job_id)
    try:
        _import(job)
    except Exception as exc:  # the job records any failure, then re-raises it
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            error=f"The import stopped ({type(exc).__name__}); nothing was saved.",
            finished_at=timezone.now(),
        )
        raise


def _import(job: ImportJob) -> None:
    dataset = read_dataset(bytes(job.content), job.format)  # type: ignore[arg-type]
    fast = job.kind == ImportJob.Kind.LOCATIONS and connection.vendor == "postgresql"
    result = _run(job, BulkLocationResource() if fast else RESOURCES[job.kind](), dataset)
    if fast and result.base_errors:
        # A batch the database refused names no line: find it row by row (all rolled back).
        result = _run(job, LocationResource(), dataset)
    errors = row_errors(result)
    if errors:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            errors=errors[:MAX_ERRORS],
            error=f"{len(errors)} error(s) on {len({e['line'] for e in errors})} line(s); "
            "nothing was imported.",
            content=b"",  # the same file would fail the same way: a corrected one is uploaded
            finished_at=timezone.now(),
        )
        return
    totals = result.totals
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE,
        rows_done=len(dataset),
        created=totals.get("new", 0),
        updated=totals.get("update", 0),
        skipped=totals.get("skip", 0),
        content=b"",  # names and usernames are not kept longer than needed
        finished_at=timezone.now(),
    )


def _run(job: ImportJob, resource: ModelResource, dataset: Any) -> Any:
    """One all-or-nothing pass over the file (django-import-export rolls back on any error)."""
    report = _progress_reporter(job)
    resource.on_row = report  # type: ignore[attr-defined]
    try:
        return resource.import_data(
            dataset,
            dry_run=False,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
            user=job.requested_by,
        )
    finally:
        report.close()  # type: ignore[attr-defined]


def row_errors(result: Any) -> list[dict[str, Any]]:
    """Every error as {line, column, message}, lines as the file's (the header is line 1)."""
    return [dict(problem) for problem in problems(result)]


def _progress_reporter(job: ImportJob) -> Callable[[int], None]:
    """A callback writing rows_done and the lease every few hundred rows, outside the import."""
    if connection.vendor != "postgresql":
        # SQLite has one writer: the import holds it, so progress would wait for the end.
        def nothing(row_number: int) -> None:
            return None

        nothing.close = lambda: None  # type: ignore[attr-defined]
        return nothing
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    table = ImportJob._meta.db_table

    def report(row_number: int) -> None:
        if row_number % _PROGRESS_EVERY:
            return
        with side.cursor() as cursor:
            cursor.execute(
                f'UPDATE "{table}" SET rows_done = %s, heartbeat_at = %s WHERE id = %s',  # noqa: S608
                [row_number, timezone.now(), job.pk],
            )

    report.close = side.close  # type: ignore[attr-defined]
    return report
