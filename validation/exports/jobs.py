"""Export jobs: request one (queued after commit), build it in a worker with progress."""

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError

from mtm.celery import task_named
from mtm.errors import DomainError
from surveys.models import Round
from validation.exports import clean_dataset, cleaning_log, copy_lines, writers
from validation.models import ExportJob
from validation.selectors import export_scope, may_export

logger = logging.getLogger(__name__)

# What publishing raises when the broker cannot be reached (kombu wraps socket errors).
BROKER_ERRORS = (BrokerOperationalError, OSError)
BROKER_CONNECT_TIMEOUT_S = 3
QUEUE_DOWN_MESSAGE = (
    "The task queue is unreachable, so the export has not started; it is kept and starts by "
    "itself once the queue is back."
)

RUN_EXPORT_TASK = "validation.exports.tasks.run_export_task"


class ExportNotAllowedError(DomainError):
    code = "export_not_allowed"
    http_status = 403


def request_export(*, user: Any, kind: str, round_id: int, fmt: str) -> ExportJob:
    """Record the request and queue the build once committed.

    The job is saved before the broker is asked: with the broker down the request still
    answers, the job says it waits for the queue, and the sweep sends it when the broker is back.
    """
    if not may_export(user):
        raise ExportNotAllowedError("You may not export interviews.")
    if kind not in ExportJob.Kind.values or fmt not in ExportJob.Format.values:
        raise DomainError("Unknown export kind or format.")
    round_ = Round.objects.get(pk=round_id)
    with transaction.atomic():
        job = ExportJob.objects.create(kind=kind, format=fmt, round=round_, requested_by=user)
        transaction.on_commit(lambda: enqueue_export(job_id=str(job.pk)))
    return job


def enqueue_export(*, job_id: str) -> bool:
    """Hand a queued job to the broker; on a broker failure record why and return False."""
    run_export_task = task_named(RUN_EXPORT_TASK)  # by name: the task module imports this one
    if run_export_task.app.conf.task_always_eager:  # no broker: built here and now
        run_export_task.apply_async((job_id,))
        return True
    try:
        # One connection attempt and no publish retries: the request must answer now (kombu's
        # default keeps trying for seconds); the sweep is the retry.
        with run_export_task.app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0, timeout=BROKER_CONNECT_TIMEOUT_S)
            run_export_task.apply_async(  # type: ignore[call-arg]  # the stubs lack it
                (job_id,), connection=connection, retry=False
            )
    except BROKER_ERRORS as exc:
        logger.warning("export %s not queued: broker unreachable (%s)", job_id, type(exc).__name__)
        ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
            error=QUEUE_DOWN_MESSAGE
        )
        return False
    ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        enqueued_at=timezone.now(), error=""
    )
    return True


@dataclass
class SweepReport:
    sent: int = 0  # queued jobs handed to the broker (again)
    requeued: int = 0  # running jobs whose worker died, queued again
    failed: int = 0  # jobs that died too often, given up with a reason


def sweep_exports(*, now: dt.datetime | None = None) -> SweepReport:
    """Send again queued jobs no worker took; re-queue (or fail) builds whose lease lapsed."""
    now = now or timezone.now()
    report = SweepReport()
    dead = ExportJob.objects.filter(status=ExportJob.Status.RUNNING, lease_until__lt=now)
    for job_id, attempts in dead.values_list("pk", "attempts"):
        lapsed = dead.filter(pk=job_id, attempts=attempts)  # unless its worker came back
        if attempts >= settings.MTM_EXPORT_MAX_ATTEMPTS:
            report.failed += lapsed.update(
                status=ExportJob.Status.FAILED,
                error=f"The export stopped {attempts} times without finishing (worker lost).",
                lease_until=None,
                finished_at=now,
            )
        else:
            report.requeued += lapsed.update(
                status=ExportJob.Status.QUEUED, lease_until=None, enqueued_at=None
            )
    stale = now - dt.timedelta(seconds=settings.MTM_EXPORT_REQUEUE_S)
    waiting = ExportJob.objects.filter(status=ExportJob.Status.QUEUED).filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale)
    )
    for job_id in waiting.order_by("created_at").values_list("pk", flat=True):
        if not enqueue_export(job_id=str(job_id)):
            break  # the broker is still down: the next sweep tries again
        report.sent += 1
    return report


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


def _job_rows(
    *, user: Any, kind: str, round_id: int, fmt: str
) -> tuple[tuple[str, ...], Iterable[list[Any] | writers.Lines], int, bool]:
    """As ``export_header_and_rows``; the clean dataset by COPY on PostgreSQL (last: copied).

    Most rows then come as lines PostgreSQL finished (``copy_lines``).
    """
    scope = export_scope(user)
    if kind != ExportJob.Kind.CLEAN_DATASET or scope.db != DEFAULT_DB_ALIAS:
        return (*export_header_and_rows(user=user, kind=kind, round_id=round_id), False)
    if connections[scope.db].vendor != "postgresql":
        return (*export_header_and_rows(user=user, kind=kind, round_id=round_id), False)
    shape = clean_dataset.layout(round_id)
    subs = clean_dataset.clean_submissions(scope, round_id)
    rows: Iterable[list[Any] | writers.Lines] = (
        copy_lines.xlsx_rows(subs, shape)
        if fmt == ExportJob.Format.XLSX
        else copy_lines.csv_items(subs, shape)
    )
    return shape.header, rows, subs.count(), True


@contextmanager
def _progress_writer(job_id: str, attempt: int, *, side: bool) -> Iterator[Callable[[int], None]]:
    """Renew the lease and record the rows done, as rows are written.

    Through a second connection when the first is busy with a COPY (there, a job row not
    committed yet, as in a test's transaction, is not seen and so left as it is).
    """
    mine = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING, attempts=attempt)
    if not side:

        def update(rows_done: int) -> None:
            mine.update(rows_done=rows_done, lease_until=_lease())

        yield update
        return
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    table = ExportJob._meta.db_table

    def report(rows_done: int) -> None:
        with other.cursor() as cursor:
            cursor.execute(
                f'UPDATE "{table}" SET rows_done = %s, lease_until = %s '  # noqa: S608
                "WHERE id = %s AND status = %s AND attempts = %s",
                [rows_done, _lease(), job_id, ExportJob.Status.RUNNING, attempt],
            )

    try:
        yield report
    finally:
        other.close()


def export_path(job: ExportJob) -> Path:
    return Path(settings.MTM_EXPORT_DIR) / f"{job.pk}.{job.format}"


def claim_export(*, job_id: str, now: dt.datetime | None = None) -> int | None:
    """Claim a job for this worker: queued, or running under a lapsed lease (its worker died).

    Returns the attempt number, the fencing token of every later write; None: someone else
    holds it or it is finished (a redelivered message is then a no-op).
    """
    now = now or timezone.now()
    claimable = ExportJob.objects.filter(pk=job_id).filter(
        Q(status=ExportJob.Status.QUEUED) | Q(status=ExportJob.Status.RUNNING, lease_until__lt=now)
    )
    attempts = claimable.values_list("attempts", flat=True).first()
    if attempts is None:
        return None
    claimed = claimable.filter(attempts=attempts).update(
        status=ExportJob.Status.RUNNING,
        attempts=attempts + 1,
        lease_until=_lease(now),
        error="",
    )
    return attempts + 1 if claimed == 1 else None


def _lease(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) + dt.timedelta(seconds=settings.MTM_EXPORT_LEASE_S)


def run_export(*, job_id: str) -> None:
    """Build the file; a redelivered task finds the job claimed or done and does nothing."""
    attempt = claim_export(job_id=job_id)
    if attempt is None:
        logger.info("export %s already claimed or finished", job_id)
        return
    mine = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING, attempts=attempt)
    job = ExportJob.objects.select_related("requested_by", "round").get(pk=job_id)
    user = get_user_model().objects.get(pk=job.requested_by_id)
    header, rows, total, copied = _job_rows(
        user=user, kind=job.kind, round_id=job.round_id, fmt=job.format
    )
    mine.update(rows_total=total, lease_until=_lease())
    path = export_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    # One partial file per attempt: a build taken over from a stalled worker never shares one.
    partial = path.with_suffix(f"{path.suffix}.part{attempt}")

    try:
        # The lease lives while rows flow.
        with _progress_writer(job_id, attempt, side=copied) as progress:
            if job.format == ExportJob.Format.XLSX:
                # An XLSX's rows hold no Lines (copy_lines gives those for a CSV only).
                values = cast("Iterable[list[Any]]", rows)
                count = writers.write_xlsx(
                    partial, header, values, sheet=job.kind, progress=progress
                )
            else:
                count = writers.write_csv(partial, header, rows, progress=progress)
    except Exception as exc:  # the job records any failure, then re-raises it
        close = getattr(rows, "close", None)
        if close is not None:
            close()  # a COPY cut short is cancelled, so the connection is free again
        partial.unlink(missing_ok=True)
        mine.update(
            status=ExportJob.Status.FAILED,
            error=type(exc).__name__,
            lease_until=None,
            finished_at=timezone.now(),
        )
        raise
    if not mine.exists():  # taken over after our lease lapsed: the newer attempt finishes it
        partial.unlink(missing_ok=True)
        return
    partial.replace(path)  # the file appears whole or not at all
    mine.update(
        status=ExportJob.Status.DONE,
        rows_done=count,
        file_name=f"{job.kind}_R{job.round.number}.{job.format}",
        lease_until=None,
        finished_at=timezone.now(),
    )
