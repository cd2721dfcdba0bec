"""A supervisor's decision made while the quality checks run is never overwritten by them.

Two real PostgreSQL connections: the supervisor approves an interview (row locked, not yet
committed) while the quality run, which read the interview as "flagged" and resolved its last
flag, goes to move it to "clean". The run must see the approval and leave it.
"""

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.db import connection, connections, transaction

from surveys.models import Submission
from tests import factories
from tests.integration.test_quality_pipeline import ALM, NOW, World
from validation import quality, review
from validation.models import Flag, ReviewEvent
from validation.models.flags import Severity

pytestmark = pytest.mark.django_db(transaction=True)


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _waits_on_a_lock(pid: int) -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


def test_an_approval_made_during_a_quality_run_stands(settings: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the race needs two PostgreSQL connections")
    world = World()
    submission = world.add("A0", ALM)
    quality.check_form(world.form, now=NOW)
    assert not Flag.objects.open().filter(submission=submission).exclude(severity="info").exists()
    # The interview was flagged for a short interview that the checks no longer find.
    Flag.objects.create(
        submission=submission,
        check_code="duration.too_short",
        severity=Severity.MAJOR,
        message="Interview took 4 minutes.",
    )
    Submission.objects.filter(pk=submission.pk).update(review_status="flagged")
    supervisor = factories.supervisor(username="sup_race")

    approved = threading.Event()
    release = threading.Event()
    run_pid: list[int] = []
    errors: list[BaseException] = []

    def supervise() -> None:
        try:
            with transaction.atomic():
                row = Submission.objects.get(pk=submission.pk)
                review.approve(submission=row, actor=supervisor, comment="Checked by phone.")
                approved.set()
                release.wait(timeout=30)  # commit only once the run is waiting for the row
        except BaseException as exc:  # noqa: BLE001 -- reported by the main thread
            errors.append(exc)
            approved.set()
        finally:
            connection.close()

    def run_checks() -> None:
        try:
            run_pid.append(_backend_pid())
            quality.check_form(world.form, full=True, now=NOW + dt.timedelta(minutes=5))
        except BaseException as exc:  # noqa: BLE001 -- reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    sup = threading.Thread(target=supervise)
    sup.start()
    assert approved.wait(timeout=30)
    run = threading.Thread(target=run_checks)
    run.start()
    deadline = time.monotonic() + 30
    while not (run_pid and _waits_on_a_lock(run_pid[0])) and time.monotonic() < deadline:
        time.sleep(0.02)
    blocked = bool(run_pid) and _waits_on_a_lock(run_pid[0])
    release.set()
    sup.join(timeout=60)
    run.join(timeout=60)
    assert not errors, errors
    assert blocked, "the quality run never reached the interview's row"

    submission.refresh_from_db()
    assert submission.review_status == Submission.ReviewStatus.APPROVED
    flag = Flag.objects.get(submission=submission, check_code="duration.too_short")
    assert flag.status == Flag.Status.RESOLVED  # the checks' own work is done
    assert list(
        ReviewEvent.objects.filter(submission=submission).values_list("from_status", "to_status")
    ) == [("flagged", "approved")]
