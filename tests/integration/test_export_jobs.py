"""Export jobs survive a broker outage and a worker's death: asked for, they are built.

The outage is real: the broker URL points at a closed port on 127.0.0.1, then back at the
Redis the tests run with, whose queue is read to see the message arrive.
"""

import datetime as dt
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import pytest
import redis
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from kombu import pools
from rest_framework.test import APIClient

from mtm.celery import app as celery_app
from tests.integration import round_data
from validation.exports import jobs
from validation.exports.tasks import run_export_task
from validation.models import ExportJob

pytestmark = pytest.mark.django_db
REDIS = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/0"


@pytest.fixture(autouse=True)
def _export_dir(settings: Any, tmp_path: Path) -> None:
    settings.MTM_EXPORT_DIR = tmp_path


@pytest.fixture
def rd() -> round_data.RoundData:
    built = round_data.build()
    round_data.add(built, round_data.answers(1, "KZ-ALA-BOS"))
    return built


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again on leaving: nothing listens there


@contextmanager
def broker(url: str) -> Iterator[None]:
    """Publish to `url` for real (not in-process), with fresh connection pools."""
    saved = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)

    def reset() -> None:
        pools.reset()  # kombu's registry would hand back a pool made for the other URL
        # Drops the app's connection and producer pools, as after a fork (private: untyped).
        celery_app._after_fork()  # type: ignore[attr-defined]

    saved_env = os.environ.get("CELERY_BROKER_URL")
    reset()
    # Celery reads CELERY_BROKER_URL from the environment before its own setting.
    os.environ["CELERY_BROKER_URL"] = url
    celery_app.conf.update(broker_url=url, task_always_eager=False)
    try:
        yield
    finally:
        reset()
        celery_app.conf.update(broker_url=saved[0], task_always_eager=saved[1])
        if saved_env is None:
            del os.environ["CELERY_BROKER_URL"]
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env


def _queued_messages(job_id: str) -> list[bytes]:
    client = redis.Redis.from_url(REDIS)
    # No decode_responses: the stubs' bytes | str is bytes here.
    messages = cast("list[bytes]", client.lrange("default", 0, -1))
    return [m for m in messages if job_id.encode() in m]


def _drop_messages(job_id: str) -> None:
    client = redis.Redis.from_url(REDIS)
    for message in _queued_messages(job_id):
        client.lrem("default", 0, message)  # type: ignore[arg-type]  # the stubs say str only


@pytest.mark.django_db(transaction=True)  # the request commits, as it does when served
def test_an_export_asked_for_while_the_broker_is_down_answers_and_starts_later(
    rd: round_data.RoundData,
) -> None:
    api = APIClient()
    api.force_authenticate(rd.manager)
    with broker(f"redis://127.0.0.1:{_closed_port()}/0"):
        response = api.post(
            "/api/v1/exports/",
            {"kind": "clean_dataset", "round": rd.round.pk, "format": "csv"},
            format="json",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == "queued"
        assert body["error"] == jobs.QUEUE_DOWN_MESSAGE
        job = ExportJob.objects.get(pk=body["id"])
        assert job.enqueued_at is None
        # Still down: the sweep tries, keeps the job and says so.
        assert jobs.sweep_exports().sent == 0
        job.refresh_from_db()
        assert (job.status, job.enqueued_at) == (ExportJob.Status.QUEUED, None)

    try:
        with broker(REDIS):
            report = jobs.sweep_exports()
        assert report.sent == 1
        job.refresh_from_db()
        assert job.status == ExportJob.Status.QUEUED
        assert job.enqueued_at is not None
        assert job.error == ""
        assert len(_queued_messages(str(job.pk))) == 1  # on the queue a worker reads
        # A sweep soon after does not send it twice.
        with broker(REDIS):
            assert jobs.sweep_exports().sent == 0
        assert len(_queued_messages(str(job.pk))) == 1
    finally:
        _drop_messages(str(job.pk))

    run_export_task(str(job.pk))  # what the worker does with that message
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.attempts) == (ExportJob.Status.DONE, 1, 1)
    assert api.get(f"/api/v1/exports/{job.pk}/download/").status_code == 200


def _job(rd: round_data.RoundData, **fields: Any) -> ExportJob:
    return ExportJob.objects.create(
        kind=ExportJob.Kind.CLEAN_DATASET, round=rd.round, requested_by=rd.manager, **fields
    )


def test_a_job_whose_worker_died_is_requeued_and_built(rd: round_data.RoundData) -> None:
    past = timezone.now() - dt.timedelta(seconds=5)
    job = _job(rd, status=ExportJob.Status.RUNNING, attempts=1, lease_until=past, rows_done=0)
    report = jobs.sweep_exports()
    assert (report.requeued, report.sent, report.failed) == (1, 1, 0)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.lease_until) == (ExportJob.Status.DONE, 2, None)


def test_a_redelivered_message_takes_over_a_lapsed_lease_only(rd: round_data.RoundData) -> None:
    alive = _job(
        rd,
        status=ExportJob.Status.RUNNING,
        attempts=1,
        lease_until=timezone.now() + dt.timedelta(minutes=4),
    )
    dead = _job(
        rd,
        status=ExportJob.Status.RUNNING,
        attempts=1,
        lease_until=timezone.now() - dt.timedelta(seconds=1),
    )
    run_export_task(str(alive.pk))
    run_export_task(str(dead.pk))
    assert jobs.sweep_exports().requeued == 0
    alive.refresh_from_db()
    dead.refresh_from_db()
    assert (alive.status, alive.attempts) == (ExportJob.Status.RUNNING, 1)
    assert (dead.status, dead.attempts) == (ExportJob.Status.DONE, 2)


def test_a_job_that_keeps_dying_is_failed_with_a_reason(
    rd: round_data.RoundData, settings: Any
) -> None:
    settings.MTM_EXPORT_MAX_ATTEMPTS = 3
    past = timezone.now() - dt.timedelta(seconds=5)
    job = _job(rd, status=ExportJob.Status.RUNNING, attempts=3, lease_until=past)
    assert jobs.sweep_exports().failed == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert job.error == "The export stopped 3 times without finishing (worker lost)."
    assert job.finished_at is not None


def test_a_queued_job_no_worker_took_is_sent_again_after_a_while(
    rd: round_data.RoundData, settings: Any
) -> None:
    settings.MTM_EXPORT_REQUEUE_S = 600
    now = timezone.now()
    lost = _job(rd, enqueued_at=now - dt.timedelta(minutes=11))
    waiting = _job(rd, enqueued_at=now - dt.timedelta(minutes=2))
    assert jobs.sweep_exports(now=now).sent == 1
    lost.refresh_from_db()
    waiting.refresh_from_db()
    assert lost.status == ExportJob.Status.DONE
    assert waiting.status == ExportJob.Status.QUEUED  # probably still in the queue: left alone


def test_the_sweep_is_on_beat() -> None:
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="Sweep stuck exports")
    assert task.task == "validation.exports.tasks.sweep_exports_task"
    assert task.enabled


@pytest.mark.django_db(transaction=True)  # committed rows: the progress connection sees the job
def test_progress_is_written_while_the_copy_holds_the_connection(
    rd: round_data.RoundData, monkeypatch: pytest.MonkeyPatch
) -> None:
    from validation.exports import clean_dataset, writers

    round_data.add(rd, round_data.answers(2, "KZ-ALA-BOS"))
    round_data.add(rd, round_data.answers(3, "KZ-ALA-MED"), team="b")
    monkeypatch.setattr(writers, "_PROGRESS_EVERY", 1)  # report after every row
    monkeypatch.setattr(writers, "_WRITE_EVERY", 1)
    monkeypatch.setattr(clean_dataset, "BATCH_BYTES", 1)  # each COPY line handed on alone
    seen: list[tuple[int, bool]] = []
    observer = connections.create_connection(DEFAULT_DB_ALIAS)  # as the API reads progress
    real = jobs._progress_writer

    @contextmanager
    def observed(job_id: str, attempt: int, *, side: bool) -> Iterator[Any]:
        with real(job_id, attempt, side=side) as write:

            def progress(rows_done: int) -> None:
                write(rows_done)
                with observer.cursor() as cursor:
                    table = ExportJob._meta.db_table
                    cursor.execute(
                        f"SELECT rows_done, lease_until FROM {table} WHERE id = %s",  # noqa: S608
                        [job_id],
                    )
                    done, lease = cursor.fetchone()
                seen.append((done, lease is not None))

            yield progress

    monkeypatch.setattr(jobs, "_progress_writer", observed)
    try:
        for fmt in ("csv", "xlsx"):
            seen.clear()
            job = _job(rd, format=fmt)
            run_export_task(str(job.pk))
            job.refresh_from_db()
            assert (job.status, job.rows_done, job.rows_total) == (ExportJob.Status.DONE, 3, 3)
            assert seen == [(1, True), (2, True), (3, True)]
    finally:
        observer.close()
