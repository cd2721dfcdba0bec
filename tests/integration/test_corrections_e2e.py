"""End to end with a real Celery worker, Redis and PostgreSQL: return, notify, fix, resolve.

The worker is a separate `celery -A mtm worker` process on this test's database. Messages go
to a real SMTP server (aiosmtpd) and to a local HTTP server standing in for Telegram and a
webhook receiver; the interview is edited on the fake KoBo server and comes back by sync.
"""

import os
import signal
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from demo.data import build_form
from demo.kobo_fake import FakeKoboServer, FakeKoboStore
from surveys.models import KoboForm, KoboServer, Submission
from surveys.tasks import sync_form_task
from tests import factories
from tests.integration import corrections_world as cw
from tests.integration.celery_worker import Worker, database_url, e2e_broker, queued, wait_for
from validation import review
from validation.corrections.notifications import due_for_retry
from validation.corrections.tasks import retry_notifications_task
from validation.models import CorrectionTask, Notification

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]
T = CorrectionTask.State
N = Notification.Status
_ = e2e_broker
UID = "aMTMkzR3demo2024"
TOKEN = "e2e-token"
LEASE_S = 10  # long enough that the redelivered message meets a live lease


class Mailbox:
    """aiosmtpd handler: keeps every accepted message."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[str]:
        return [body for rcpt, body in self.messages if address in rcpt]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture
def channels(settings: Any) -> Iterator[cw.ChannelServer]:
    server = cw.ChannelServer().start()
    settings.MTM_TELEGRAM_BOT_TOKEN = cw.TELEGRAM_TOKEN
    settings.MTM_TELEGRAM_API_URL = f"{server.url}/tg"
    settings.MTM_NOTIFY_WEBHOOK_URL = f"{server.url}/hook"
    settings.MTM_NOTIFY_WEBHOOK_SECRET = cw.WEBHOOK_SECRET
    yield server
    server.stop()


@pytest.fixture
def kobo() -> Iterator[tuple[FakeKoboStore, FakeKoboServer]]:
    store = FakeKoboStore(token=TOKEN, username="kobo-admin")
    store.add_asset(UID, "MTM R3", versions=[("vDemo2", build_form.load_content("v2"))])
    with FakeKoboServer(store) as server:
        yield store, server


@pytest.fixture
def worker_factory(
    tmp_path: Path, mailbox: tuple[Mailbox, int], channels: cw.ChannelServer, e2e_broker: str
) -> Iterator[Callable[[], Worker]]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": e2e_broker,
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "DJANGO_EMAIL_HOST": "127.0.0.1",
        "DJANGO_EMAIL_PORT": str(mailbox[1]),
        "MTM_TELEGRAM_BOT_TOKEN": cw.TELEGRAM_TOKEN,
        "MTM_TELEGRAM_API_URL": f"{channels.url}/tg",
        "MTM_NOTIFY_WEBHOOK_URL": f"{channels.url}/hook",
        "MTM_NOTIFY_WEBHOOK_SECRET": cw.WEBHOOK_SECRET,
        "MTM_NOTIFY_LEASE_S": str(LEASE_S),
        "MTM_NOTIFY_BACKOFF_S": "1",
        "MTM_NOTIFY_TIMEOUT_S": "60",
    }
    started: list[Worker] = []

    def start() -> Worker:
        worker = Worker(env, tmp_path / f"worker{len(started)}.log").start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()


def _setup(kobo: tuple[FakeKoboStore, FakeKoboServer], *, remit: str = "140") -> dict[str, Any]:
    store, server = kobo
    sup = factories.supervisor(username="sup_a", email="sup_a@example.org")
    team = factories.TeamFactory.create(name="Almaty A", supervisor=sup)
    enumerator = factories.EnumeratorFactory.create(
        kobo_username="enum01", team=team, telegram_chat_id="777001"
    )
    user = factories.user_of(enumerator)
    user.email = "enum01@example.org"
    user.save(update_fields=["email"])
    kobo_server = KoboServer.objects.create(name="fake", base_url=server.url, api_token=TOKEN)
    form = KoboForm.objects.create(
        server=kobo_server, asset_uid=UID, name="MTM R3", round=factories.RoundFactory.create()
    )
    doc = store.add_submission(
        UID, cw.demo_answers(**{cw.REMIT: remit}), version_uid="vDemo2", submitted_by="enum01"
    )
    return {"sup": sup, "enumerator": enumerator, "form": form, "kobo_id": doc["_id"]}


def _synced_and_flagged(form: KoboForm) -> Submission | None:
    return Submission.objects.filter(
        form=form, needs_validation=False, review_status=Submission.ReviewStatus.FLAGGED
    ).first()


def _return(world: dict[str, Any], submission: Submission) -> CorrectionTask:
    review.return_to_enumerator(
        submission=submission,
        actor=world["sup"],
        comment="Ask again how much they send home.",
        questions=[cw.REMIT],
    )
    return CorrectionTask.objects.get(submission=submission)


def _sent(task: CorrectionTask, kind_prefix: str, count: int) -> bool:
    return (
        Notification.objects.filter(task=task, kind__startswith=kind_prefix, status=N.SENT).count()
        == count
    )


def test_return_notify_fix_in_kobo_sync_resolve(
    kobo: tuple[FakeKoboStore, FakeKoboServer],
    worker_factory: Callable[[], Worker],
    mailbox: tuple[Mailbox, int],
    channels: cw.ChannelServer,
) -> None:
    store, _ = kobo
    box, _ = mailbox
    world = _setup(kobo)
    worker = worker_factory()
    sync_form_task.delay(world["form"].pk)
    submission = wait_for(
        lambda: _synced_and_flagged(world["form"]), what="sync and validation", worker=worker
    )

    task = _return(world, submission)
    wait_for(lambda: _sent(task, "opened", 3), what="three 'opened' messages", worker=worker)
    assert len(box.to("enum01@example.org")) == 1
    assert "needs corrections" in box.to("enum01@example.org")[0]
    assert [r.body["chat_id"] for r in channels.delivered("/tg/")] == ["777001"]
    assert [r.body["event"] for r in channels.delivered("/hook")] == ["correction.opened"]
    assert CorrectionTask.objects.get(pk=task.pk).state == T.NOTIFIED
    assert task.edit_url.endswith(f"/data/{submission.kobo_id}/enketo/redirect/edit/")

    # The enumerator opens KoBo's edit link, fixes the answer, and says so on the API.
    store.edit_submission(UID, world["kobo_id"], {cw.REMIT: "30"})
    token = Token.objects.create(user=world["enumerator"].user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.post(f"/api/v1/correction-tasks/{task.pk}/fixed/").json()["state"] == T.SUBMITTED

    # Their button queued a sync; the worker syncs, re-validates, and the task closes itself.
    wait_for(
        lambda: CorrectionTask.objects.get(pk=task.pk).state == T.RESOLVED,
        what="the task to resolve",
        worker=worker,
    )
    wait_for(lambda: _sent(task, "resolved", 2), what="the supervisor's messages", worker=worker)
    task.refresh_from_db()
    fresh = Submission.objects.get(pk=submission.pk)
    assert task.instance_id == fresh.instance_id != submission.instance_id
    assert fresh.data[cw.REMIT] == "30"
    assert [m for m in box.to("sup_a@example.org") if "Corrected: interview" in m]
    assert [r.body["event"] for r in channels.delivered("/hook")] == [
        "correction.opened",
        "correction.resolved",
    ]
    # One message per channel and kind: nothing went out twice.
    assert len(box.messages) == 2
    assert len(channels.seen("/")) == 3
    assert list(task.events.values_list("to_state", flat=True)) == [
        T.OPEN,
        T.NOTIFIED,
        T.SUBMITTED,
        T.RESOLVED,
    ]


def test_still_failing_is_told_to_the_enumerator(
    kobo: tuple[FakeKoboStore, FakeKoboServer],
    worker_factory: Callable[[], Worker],
    mailbox: tuple[Mailbox, int],
) -> None:
    store, _ = kobo
    box, _ = mailbox
    world = _setup(kobo)
    worker = worker_factory()
    sync_form_task.delay(world["form"].pk)
    submission = wait_for(
        lambda: _synced_and_flagged(world["form"]), what="sync and validation", worker=worker
    )
    task = _return(world, submission)
    wait_for(lambda: _sent(task, "opened", 3), what="the opening messages", worker=worker)
    store.edit_submission(UID, world["kobo_id"], {cw.REMIT: "150"})
    sync_form_task.delay(world["form"].pk)
    wait_for(
        lambda: CorrectionTask.objects.get(pk=task.pk).state == T.STILL_FAILING,
        what="the task to be judged",
        worker=worker,
    )
    wait_for(lambda: _sent(task, "still_failing.1", 3), what="the enumerator's messages")
    told = [m for m in box.to("enum01@example.org") if "still need" in m]
    assert len(told) == 1
    # The rule in the form's own words; the answer is not quoted (the text rides the webhook).
    assert "The form says: Between 0 and 100" in told[0]
    assert "'150'" not in told[0]


def _hang_webhook_then_return(
    kobo: tuple[FakeKoboStore, FakeKoboServer],
    worker_factory: Callable[[], Worker],
    channels: cw.ChannelServer,
) -> tuple[Worker, CorrectionTask]:
    world = _setup(kobo)
    worker = worker_factory()
    sync_form_task.delay(world["form"].pk)
    submission = wait_for(
        lambda: _synced_and_flagged(world["form"]), what="sync and validation", worker=worker
    )
    channels.plan["/hook"] = ["hang"]
    task = _return(world, submission)
    wait_for(lambda: channels.seen("/hook"), what="the webhook send to start", worker=worker)
    row = Notification.objects.get(task=task, channel="webhook")
    assert (row.status, row.attempts) == (N.SENDING, 1)
    return worker, task


def _assert_exactly_once(task: CorrectionTask, box: Mailbox, channels: cw.ChannelServer) -> None:
    row = Notification.objects.get(task=task, channel="webhook")
    assert (row.status, row.attempts) == (N.SENT, 2)
    [delivered] = channels.delivered("/hook")
    assert [r.answered for r in channels.seen("/hook")] == [None, 200]
    assert {r.headers["Idempotency-Key"] for r in channels.seen("/hook")} == {row.idempotency_key}
    assert delivered.body["event"] == "correction.opened"
    assert len(box.to("enum01@example.org")) == 1
    assert len(channels.delivered("/tg/")) == 1
    assert Notification.objects.filter(task=task, status=N.SENT).count() == 3


def test_pool_process_killed_mid_send_is_redelivered_and_sends_once(
    kobo: tuple[FakeKoboStore, FakeKoboServer],
    worker_factory: Callable[[], Worker],
    mailbox: tuple[Mailbox, int],
    channels: cw.ChannelServer,
) -> None:
    worker, task = _hang_webhook_then_return(kobo, worker_factory, channels)
    os.kill(worker.pool_child(), signal.SIGKILL)
    # The broker redelivers (reject on worker lost); the lease holds the retry back until it
    # expires, then the webhook goes out once more with the same idempotency key.
    wait_for(lambda: _sent(task, "opened", 3), what="the redelivered webhook", worker=worker)
    log = worker.log.read_text()
    assert "WorkerLostError" in log
    assert "retry: Retry in" in log  # it met the dead sender's lease and waited it out
    _assert_exactly_once(task, mailbox[0], channels)


def test_whole_worker_killed_mid_send_and_restarted_sends_once(
    kobo: tuple[FakeKoboStore, FakeKoboServer],
    worker_factory: Callable[[], Worker],
    mailbox: tuple[Mailbox, int],
    channels: cw.ChannelServer,
) -> None:
    worker, task = _hang_webhook_then_return(kobo, worker_factory, channels)
    worker.kill()
    channels.release.set()  # the hung request ends without an answer
    restarted = worker_factory()
    # The broker holds the lost message until its visibility timeout; beat's minute sweep
    # finds the expired lease first and queues the send again.
    webhook = Notification.objects.get(task=task, channel="webhook")
    wait_for(
        lambda: webhook.pk in due_for_retry(),
        what="the dead sender's lease to expire",
        timeout=LEASE_S + 30,
    )
    retry_notifications_task.delay()
    wait_for(lambda: _sent(task, "opened", 3), what="the resent webhook", worker=restarted)
    # Anything else queued (a duplicate send) has run once the queues and the worker are idle.
    wait_for(
        lambda: queued(restarted.env["CELERY_BROKER_URL"]) == 0 and restarted.idle(),
        what="the worker to finish every queued task",
        worker=restarted,
    )
    _assert_exactly_once(task, mailbox[0], channels)
