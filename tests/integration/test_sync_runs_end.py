"""Every sync run ends: failed with its reason whatever stops it, and the form is free again.

Over real HTTP against the KoBo-compatible server; the interruptions are real too (a signal
arriving while a page downloads, the database connection terminated by PostgreSQL, a process
killed with SIGKILL).
"""

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, InterfaceError, connection
from django.utils import timezone

from demo.kobo_fake import FakeKoboServer, FakeKoboStore
from surveys.locks import SyncAlreadyRunningError, form_lease
from surveys.models import KoboForm, Submission, SyncCursor, SyncRun
from surveys.sync import sync_form
from tests.kobo_fixtures import (
    FORM_UID,
    KOBO_TOKEN,
    answers,
    form,
    kobo_server,
    kobo_store,
)
from tests.polling import wait_until

_ = (form, kobo_server, kobo_store)
PAGE = 100


@pytest.fixture(autouse=True)
def _small_pages(settings: Any) -> None:
    settings.KOBO_PAGE_SIZE = PAGE
    settings.KOBO_RETRIES = 1
    settings.KOBO_CONNECT_TIMEOUT_S = 2
    settings.KOBO_TIMEOUT_S = 10


def _seed(store: FakeKoboStore, n: int) -> list[dict[str, Any]]:
    return [store.add_submission(FORM_UID, answers(i), version_uid="vNew2") for i in range(n)]


def _slow_page_after(server: FakeKoboServer, kobo_id: int, seconds: float) -> None:
    """The keyset page that starts after `kobo_id` answers only after `seconds`."""
    needle = quote(f'"$gt":{kobo_id}' + "}", safe="")
    server.faults.add("slow", path_contains=needle, seconds=seconds)


def _waiting_on_the_slow_page(server: FakeKoboServer) -> bool:
    """The slow page is being served and the sync's thread blocks on it, its last page written.

    Read-ahead asks for page k+1 before page k is written; the main thread waits on the
    read-ahead future (threading's Condition.wait under Future.result) only once it has.
    """
    if server.faults.pending():
        return False
    frame = sys._current_frames().get(threading.main_thread().ident or 0)
    names = []
    while frame is not None:
        names.append(frame.f_code.co_name)
        frame = frame.f_back
    return names[:2] == ["wait", "result"] and "read_ahead" in names


def _once(condition: Callable[[], bool], action: Callable[[], object]) -> threading.Thread:
    """Run `action` in a thread as soon as `condition` holds (10 s at most)."""

    def run() -> None:
        wait_until(condition, 10, "the sync to reach its slow page", interval=0.01)
        action()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.fixture
def raises_on_signal() -> Iterator[None]:
    """SIGUSR1 raises SoftTimeLimitExceeded (as Celery's soft limit does), SIGTERM SystemExit."""

    def soft_limit(signum: int, frame: Any) -> None:
        raise SoftTimeLimitExceeded()

    def terminate(signum: int, frame: Any) -> None:
        raise SystemExit(143)

    old_usr1 = signal.signal(signal.SIGUSR1, soft_limit)
    old_term = signal.signal(signal.SIGTERM, terminate)
    yield
    signal.signal(signal.SIGUSR1, old_usr1)
    signal.signal(signal.SIGTERM, old_term)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("signum", "error", "reason"),
    [
        (signal.SIGUSR1, SoftTimeLimitExceeded, "time limit"),
        (signal.SIGTERM, SystemExit, "SystemExit"),
    ],
)
def test_a_run_stopped_mid_page_ends_failed_and_the_next_one_completes(
    form: KoboForm,
    kobo_store: FakeKoboStore,
    kobo_server: FakeKoboServer,
    raises_on_signal: None,
    signum: int,
    error: type[BaseException],
    reason: str,
) -> None:
    rows = _seed(kobo_store, 250)
    _slow_page_after(kobo_server, rows[PAGE - 1]["_id"], seconds=3)
    signaller = _once(
        lambda: _waiting_on_the_slow_page(kobo_server), lambda: os.kill(os.getpid(), signum)
    )

    with pytest.raises(error):
        sync_form(form=form)
    signaller.join()

    run = SyncRun.objects.get(form=form)
    assert run.status == SyncRun.Status.FAILED
    assert reason in run.error
    assert run.finished_at is not None
    assert Submission.objects.filter(form=form).count() == PAGE  # the first page committed
    assert SyncCursor.objects.get(form=form).lease_owner == ""  # the form is free again

    report = sync_form(form=form)

    assert report.created == 150
    assert Submission.objects.filter(form=form).count() == 250
    assert SyncRun.objects.filter(form=form, status=SyncRun.Status.RUNNING).count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_lost_database_connection_ends_the_run_failed(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    rows = _seed(kobo_store, 250)
    _slow_page_after(kobo_server, rows[PAGE - 1]["_id"], seconds=2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [pid] = cursor.fetchone()

    def terminate() -> None:
        # From a connection of its own, while the sync waits for its second page.
        db = connection.settings_dict
        with psycopg.connect(
            host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]
        ) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    # Mid-run: the first page is in and the slow second one requested (validation of the
    # first may still hold the main thread: this test's commits run their on_commit work).
    killer = _once(lambda: kobo_server.faults.pending() == 0, terminate)
    with pytest.raises((DatabaseError, InterfaceError)) as caught:
        sync_form(form=form)
    killer.join()

    run = SyncRun.objects.get(form=form)  # a fresh connection
    assert run.status == SyncRun.Status.FAILED, caught.value
    assert run.error.startswith("Database error:")
    assert SyncCursor.objects.get(form=form).lease_owner == ""


@pytest.mark.django_db
def test_the_lease_lapses_after_the_configured_time(form: KoboForm, settings: Any) -> None:
    assert django_settings.MTM_SYNC_LEASE_S == 120  # the default: 2 minutes, not 10
    settings.MTM_SYNC_LEASE_S = 30
    before = timezone.now()
    with form_lease(form):
        expires = SyncCursor.objects.get(form=form).lease_expires_at
        assert expires is not None
        assert dt.timedelta(seconds=29) < expires - before < dt.timedelta(seconds=31)
        with pytest.raises(SyncAlreadyRunningError):
            sync_form(form=form)
    # A lease held elsewhere (another host) and not renewed is free once it lapses.
    SyncCursor.objects.filter(form=form).update(
        lease_owner="otherhost:4242:abc", lease_expires_at=timezone.now() + dt.timedelta(seconds=5)
    )
    with pytest.raises(SyncAlreadyRunningError):
        sync_form(form=form)
    SyncCursor.objects.filter(form=form).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert sync_form(form=form).created == 0


@pytest.mark.django_db
def test_a_lease_of_a_dead_process_on_this_host_is_taken_over_and_its_run_ended(
    form: KoboForm, kobo_store: FakeKoboStore
) -> None:
    _seed(kobo_store, 5)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead_pid = int(gone.stdout)  # a process of this host that has ended
    SyncCursor.objects.create(
        form=form,
        lease_owner=f"{socket.gethostname()}:{dead_pid}:abc",
        lease_expires_at=timezone.now() + dt.timedelta(minutes=2),
    )
    stale = SyncRun.objects.create(form=form)

    report = sync_form(form=form)

    assert report.created == 5
    stale.refresh_from_db()
    assert stale.status == SyncRun.Status.FAILED
    assert stale.error.startswith("Interrupted")


@pytest.mark.django_db
def test_sync_kobo_on_a_form_already_syncing_says_so_in_one_line(
    form: KoboForm, kobo_server: FakeKoboServer, settings: Any
) -> None:
    settings.KOBO_URL = kobo_server.url
    settings.KOBO_TOKEN = KOBO_TOKEN
    with form_lease(form), pytest.raises(CommandError) as caught:
        call_command("sync_kobo", "--asset", FORM_UID)
    message = str(caught.value)
    assert message == f"Sync failed for {FORM_UID}: A sync of form {FORM_UID} is already running."
    assert "\n" not in message


def _sync_process(kobo_url: str, log: Path) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        # Validation handed to an in-process broker nobody reads: this test is about the sync
        # (in-line, validating each page took the kill's window on a loaded machine).
        "CELERY_BROKER_URL": "memory://",
        "KOBO_URL": kobo_url,
        "KOBO_TOKEN": KOBO_TOKEN,
        "KOBO_PAGE_SIZE": str(PAGE),
    }
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "sync_kobo", "--asset", FORM_UID, "--json"],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


@pytest.mark.django_db(transaction=True)
def test_a_sync_killed_with_sigkill_and_started_again_loses_and_doubles_nothing(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer, tmp_path: Path
) -> None:
    assert connection.vendor == "postgresql", "this test runs a second process on the database"
    rows = _seed(kobo_store, 450)
    for k in (1, 2, 3):  # each later page takes a while, so the kill lands mid-run
        _slow_page_after(kobo_server, rows[k * PAGE - 1]["_id"], seconds=1.5)
    log = tmp_path / "sync.log"
    first = _sync_process(kobo_server.url, log)

    def past_its_second_page() -> bool:
        assert first.poll() is None, log.read_text()
        return SyncCursor.objects.filter(form=form, last_kobo_id__gte=rows[PAGE]["_id"]).exists()

    wait_until(
        past_its_second_page, 60, "the first sync to write its second page", detail=log.read_text
    )
    first.kill()  # SIGKILL: no finally block runs, the lease and the run stay as they were
    first.wait(10)
    assert SyncRun.objects.get(form=form).status == SyncRun.Status.RUNNING
    # Edits and a deletion in KoBo meanwhile.
    kobo_store.edit_submission(FORM_UID, rows[3]["_id"], {"respondent/age": "77"})
    kobo_store.delete_submission(FORM_UID, rows[4]["_id"])

    second = _sync_process(kobo_server.url, log)  # at once: well within the old lease
    assert second.wait(120) == 0, log.read_text()

    local = dict(Submission.objects.active().filter(form=form).values_list("kobo_id", "root_uuid"))
    expected = {r["_id"]: r["meta/rootUuid"].removeprefix("uuid:") for r in rows}
    assert len(local) == Submission.objects.filter(form=form).count() - 1  # the one tombstone
    assert set(local.values()) == set(expected.values()) - {expected[rows[4]["_id"]]}
    assert Submission.objects.get(form=form, kobo_id=rows[3]["_id"]).data["respondent/age"] == "77"
    runs = list(SyncRun.objects.filter(form=form).order_by("started_at"))
    assert [r.status for r in runs] == [SyncRun.Status.FAILED, SyncRun.Status.SUCCEEDED]
    assert runs[0].error.startswith("Interrupted")
