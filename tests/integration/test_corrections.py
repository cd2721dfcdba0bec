"""Correction tasks through the services: open on return, channels, time, judging, access."""

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from surveys.models import Submission
from tests import factories
from tests.integration import corrections_world as cw
from validation import review
from validation.corrections import notifications, services
from validation.corrections.notifications import Outcome
from validation.models import (
    CorrectionEvent,
    CorrectionPolicy,
    CorrectionTask,
    Flag,
    Notification,
    Severity,
)

pytestmark = pytest.mark.django_db
T = CorrectionTask.State
N = Notification.Status


@pytest.fixture
def channels(settings: Any) -> Iterator[cw.ChannelServer]:
    server = cw.ChannelServer().start()
    settings.MTM_TELEGRAM_BOT_TOKEN = cw.TELEGRAM_TOKEN
    settings.MTM_TELEGRAM_API_URL = f"{server.url}/tg"
    settings.MTM_NOTIFY_WEBHOOK_URL = f"{server.url}/hook"
    settings.MTM_NOTIFY_WEBHOOK_SECRET = cw.WEBHOOK_SECRET
    settings.MTM_NOTIFY_BACKOFF_S = 30
    settings.MTM_PUBLIC_URL = "https://qc.example.org"
    yield server
    server.stop()


@pytest.fixture
def world() -> cw.World:
    return cw.build()


def send_back(world: cw.World, capture: Any, **kwargs: Any) -> CorrectionTask:
    with capture(execute=True):
        review.return_to_enumerator(
            submission=world.submission,
            actor=world.supervisor,
            comment=kwargs.get("comment", "Ask again how much they send home."),
            questions=kwargs.get("questions", [cw.REMIT]),
        )
    return CorrectionTask.objects.get(submission=world.submission)


def test_return_opens_a_task_and_sends_one_message_per_channel(
    world: cw.World, channels: cw.ChannelServer, django_capture_on_commit_callbacks: Any
) -> None:
    task = send_back(world, django_capture_on_commit_callbacks)

    assert task.enumerator == world.enumerator
    assert task.supervisor == world.supervisor
    assert task.opened_by == world.supervisor
    assert task.instance_id == world.submission.instance_id
    # By KoBo's _id: every KPI release takes it (a rootUuid there only since 2.026.07).
    assert task.edit_url == (
        f"http://127.0.0.1:8765/api/v2/assets/aMTMkzR3demo2024/data/"
        f"{world.submission.kobo_id}/enketo/redirect/edit/"
    )
    [item] = task.items
    assert item["path"] == cw.REMIT
    assert item["labels"]["Russian (ru)"] == "Какую долю дохода вы отправляете домой (%)?"
    assert item["answer"] == "140"
    assert [f["code"] for f in item["flags"]] == ["skip_logic.constraint_failed"]
    # The form's own constraint message reaches the enumerator, never the XPath behind it.
    assert item["flags"][0]["message"] == (
        "The form says: Between 0 and 100, within the band chosen above"
    )
    assert abs((task.due_at - task.opened_at) - dt.timedelta(hours=48)) < dt.timedelta(seconds=5)
    # One message per channel, each sent once; the task knows the enumerator was told.
    rows = Notification.objects.filter(task=task).order_by("channel")
    assert [(n.channel, n.kind, n.status) for n in rows] == [
        ("email", f"opened.{task.review_event_id}", N.SENT),
        ("telegram", f"opened.{task.review_event_id}", N.SENT),
        ("webhook", f"opened.{task.review_event_id}", N.SENT),
    ]
    assert task.__class__.objects.get(pk=task.pk).state == T.NOTIFIED
    [email] = mail.outbox
    assert email.to == ["enum01@example.org"]
    assert "Interview #4101 needs corrections" in email.subject
    assert "What share of your income do you send home (%)?" in email.body
    assert task.edit_url in email.body
    assert f"https://qc.example.org/my/tasks/{task.pk}/" in email.body
    [telegram] = channels.delivered("/tg/")
    assert telegram.path == f"/tg/bot{cw.TELEGRAM_TOKEN}/sendMessage"
    assert telegram.body["chat_id"] == "777001"
    [hook] = channels.delivered("/hook")
    stamp = hook.headers["X-MTM-Timestamp"]
    signed = hmac.new(
        cw.WEBHOOK_SECRET.encode(),
        f"{stamp}.".encode() + json.dumps(hook.body, sort_keys=True).encode(),
        hashlib.sha256,
    ).hexdigest()
    assert hook.headers["X-MTM-Signature"] == f"v1={signed}"
    assert hook.headers["Idempotency-Key"] == hook.body["id"]
    assert hook.body["event"] == "correction.opened"
    assert "140" not in json.dumps(hook.body["questions"])  # no answers leave by webhook
    # Redelivering any of them sends nothing more.
    for row in rows:
        assert notifications.deliver(notification_id=row.pk).outcome == Outcome.DONE_BEFORE
    assert len(mail.outbox) == 1
    assert len(channels.seen("/")) == 2
    assert list(
        CorrectionEvent.objects.filter(task=task).values_list("from_state", "to_state")
    ) == [("", T.OPEN), (T.OPEN, T.NOTIFIED)]


def test_edit_links_name_the_root_uuid_only_where_the_server_takes_it(
    world: cw.World, channels: cw.ChannelServer, django_capture_on_commit_callbacks: Any
) -> None:
    server = world.submission.form.server
    server.edit_links_by_root_uuid = True
    server.save(update_fields=["edit_links_by_root_uuid"])

    task = send_back(world, django_capture_on_commit_callbacks)

    assert task.edit_url.endswith(f"/data/{world.submission.root_uuid}/enketo/redirect/edit/"), (
        task.edit_url
    )


def test_a_personal_answer_reaches_the_enumerator_masked(
    world: cw.World, channels: cw.ChannelServer, django_capture_on_commit_callbacks: Any
) -> None:
    phone = world.submission.data["wellbeing/phone"]
    assert len(phone) > 6

    task = send_back(world, django_capture_on_commit_callbacks, questions=["wellbeing/phone"])

    [item] = task.items
    assert item["answer"] != phone
    assert item["answer"].endswith(phone[-2:])
    assert "*" in item["answer"]
    assert phone not in json.dumps(task.items)


def test_a_live_lease_blocks_a_second_sender_until_it_expires(
    world: cw.World, channels: cw.ChannelServer, django_capture_on_commit_callbacks: Any
) -> None:
    task = send_back(world, django_capture_on_commit_callbacks)
    now = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    row = Notification.objects.get(task=task, channel="webhook")
    # A worker claimed it and died while sending: its lease says "busy" for 120 s.
    Notification.objects.filter(pk=row.pk).update(
        status=N.SENDING, lease_until=now + dt.timedelta(seconds=120), sent_at=None
    )
    before = len(channels.seen("/hook"))
    busy = notifications.deliver(notification_id=row.pk, now=now)
    assert busy.outcome == Outcome.BUSY
    assert busy.retry_in == 120
    assert notifications.due_for_retry(now=now + dt.timedelta(seconds=119)) == []
    assert notifications.due_for_retry(now=now + dt.timedelta(seconds=121)) == [row.pk]
    later = notifications.deliver(notification_id=row.pk, now=now + dt.timedelta(seconds=121))
    assert later.outcome == Outcome.SENT
    assert len(channels.seen("/hook")) == before + 1
    keys = {r.headers["Idempotency-Key"] for r in channels.seen("/hook")}
    assert keys == {row.idempotency_key}  # the receiver can fold the two together


def test_reminder_then_escalation_with_controlled_time(
    world: cw.World, channels: cw.ChannelServer, django_capture_on_commit_callbacks: Any
) -> None:
    task = send_back(world, django_capture_on_commit_callbacks)
    due = task.due_at
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(now=due - dt.timedelta(hours=13)) == 0
        assert services.send_reminders(now=due - dt.timedelta(hours=11)) == 1
        assert services.send_reminders(now=due - dt.timedelta(hours=10)) == 0
        assert services.escalate_overdue(now=due - dt.timedelta(minutes=1)) == 0
        assert services.escalate_overdue(now=due + dt.timedelta(minutes=1)) == 1
        assert services.escalate_overdue(now=due + dt.timedelta(hours=5)) == 0
    stamp = due.astimezone(dt.UTC).strftime("%Y%m%dT%H%M")
    kinds = sorted(
        Notification.objects.filter(task=task, status=N.SENT).values_list("kind", "recipient")
    )
    assert (f"reminder.{stamp}", "enum01@example.org") in kinds
    assert (f"escalated.{stamp}", "sup_a@example.org") in kinds
    assert (f"escalated.{stamp}", "sup_a") in kinds  # the webhook names the supervisor
    assert not any(k.startswith("escalated") and r == "777001" for k, r in kinds)
    task.refresh_from_db()
    assert task.state == T.EXPIRED
    escalation = next(m for m in mail.outbox if m.to == ["sup_a@example.org"])
    assert "Overdue" in escalation.subject
    # A new due time re-arms both.
    new_due = due + dt.timedelta(days=2)
    services.set_due(task=task, due_at=new_due, actor=world.supervisor)
    assert CorrectionTask.objects.get(pk=task.pk).state == T.NOTIFIED
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(now=new_due - dt.timedelta(hours=1)) == 1
        assert services.escalate_overdue(now=new_due + dt.timedelta(hours=1)) == 1


def test_round_policy_sets_due_and_reminder_window(
    world: cw.World, channels: cw.ChannelServer, django_capture_on_commit_callbacks: Any
) -> None:
    CorrectionPolicy.objects.create(
        round=factories.round_of(world.form), due_hours=6, remind_before_hours=2
    )
    task = send_back(world, django_capture_on_commit_callbacks)
    assert abs((task.due_at - task.opened_at) - dt.timedelta(hours=6)) < dt.timedelta(seconds=5)
    assert services.send_reminders(now=task.due_at - dt.timedelta(hours=3)) == 0
    assert services.send_reminders(now=task.due_at - dt.timedelta(hours=1)) == 1


def test_a_failing_channel_backs_off_and_never_blocks_the_others(
    world: cw.World, channels: cw.ChannelServer, django_capture_on_commit_callbacks: Any
) -> None:
    channels.plan["/tg/"] = ["fail", "fail"]
    task = send_back(world, django_capture_on_commit_callbacks)
    sent = dict(Notification.objects.filter(task=task).values_list("channel", "status"))
    assert sent == {"email": N.SENT, "webhook": N.SENT, "telegram": N.FAILED}
    tg = Notification.objects.get(task=task, channel="telegram")
    assert tg.attempts == 1
    assert tg.last_error == "Telegram: HTTP 500"
    assert tg.next_attempt_at is not None
    first_due = tg.next_attempt_at
    assert notifications.due_for_retry(now=first_due - dt.timedelta(seconds=1)) == []
    assert notifications.due_for_retry(now=first_due) == [tg.pk]
    # A duplicate message arriving early sends nothing: the row waits for its backoff.
    early = notifications.deliver(notification_id=tg.pk, now=first_due - dt.timedelta(seconds=10))
    assert (early.outcome, early.retry_in) == (Outcome.RETRY, 10)
    assert len(channels.seen("/tg/")) == 1
    again = notifications.deliver(notification_id=tg.pk, now=first_due)
    assert again.outcome == Outcome.RETRY
    assert again.retry_in == 60  # 30 s, then 60 s: exponential
    third = notifications.deliver(notification_id=tg.pk, now=first_due + dt.timedelta(minutes=1))
    assert third.outcome == Outcome.SENT
    tg.refresh_from_db()
    assert (tg.status, tg.attempts) == (N.SENT, 3)
    assert len(channels.delivered("/tg/")) == 1
    assert len(channels.seen("/tg/")) == 3
    assert len(channels.delivered("/hook")) == 1
    # A refusal (400: unknown chat) is final: no retries.
    channels.plan["/tg/"] = ["reject"]
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminders(now=task.due_at - dt.timedelta(hours=1))
    reminder = Notification.objects.get(task=task, channel="telegram", kind__startswith="reminder")
    assert reminder.status == N.GAVE_UP
    assert notifications.due_for_retry(now=task.due_at + dt.timedelta(days=1)) == []


def test_still_failing_then_resolved_when_new_versions_are_validated(
    world: cw.World, channels: cw.ChannelServer, django_capture_on_commit_callbacks: Any
) -> None:
    task = send_back(world, django_capture_on_commit_callbacks)
    # Nothing new yet: nothing is judged.
    assert services.settle_corrections() == []
    cw.new_version(world.submission, **{cw.REMIT: "150"})
    with django_capture_on_commit_callbacks(execute=True):
        [judged] = services.settle_corrections()
    assert judged.state == T.STILL_FAILING
    task.refresh_from_db()
    assert (task.state, task.attempts) == (T.STILL_FAILING, 1)
    assert task.items[0]["answer"] == "150"
    assert task.items[0]["previous_answer"] == "140"
    assert task.items[0]["passing"] is False
    told = [m for m in mail.outbox if m.to == ["enum01@example.org"]][-1]
    assert "still need fixing" in told.subject
    # The form's own words for the rule it breaks: no XPath, and no answer quoted (the text
    # also rides the webhook).
    assert "'150'" not in told.body
    assert "The form says: Between 0 and 100" in told.body
    assert "<= 100" not in told.body
    assert services.settle_corrections() == []  # the same version is judged once

    fixed = cw.new_version(world.submission, **{cw.REMIT: "30"})
    with django_capture_on_commit_callbacks(execute=True):
        [judged] = services.settle_corrections()
    assert judged.state == T.RESOLVED
    task.refresh_from_db()
    assert task.state == T.RESOLVED
    assert task.closed_at is not None
    assert task.instance_id == fixed.instance_id
    assert task.items[0]["passing"] is True
    assert not Flag.objects.open().filter(submission=world.submission, path=cw.REMIT).exists()
    resolved = [m for m in mail.outbox if m.to == ["sup_a@example.org"]]
    assert [m.subject for m in resolved] == [
        "Corrected: interview #4101 by " + world.enumerator.full_name
    ]
    hook = channels.delivered("/hook")[-1]
    assert hook.body["event"] == "correction.resolved"
    assert hook.body["audience"] == "supervisor"
    assert Submission.objects.get(pk=world.submission.pk).review_status == "clean"


def test_blocker_flags_open_a_task_by_themselves_when_the_round_asks(
    world: cw.World, channels: cw.ChannelServer, django_capture_on_commit_callbacks: Any
) -> None:
    Flag.objects.create(
        submission=world.submission,
        check_code="eligibility.age",
        path="",
        severity=Severity.BLOCKER,
        message="Inclusion criterion 'Age 18 or more' fails: 16.",
    )
    assert services.open_for_blockers() == 0  # the round has not asked for it
    CorrectionPolicy.objects.create(
        round=factories.round_of(world.form), auto_open_for_blockers=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.open_for_blockers() == 1
        assert services.open_for_blockers() == 0
    task = CorrectionTask.objects.get(submission=world.submission)
    assert task.opened_by is None
    assert [i["flags"][0]["code"] for i in task.items] == ["eligibility.age"]
    assert Submission.objects.get(pk=world.submission.pk).review_status == "returned"
    assert Notification.objects.filter(task=task, status=N.SENT).count() == 3


def test_daily_digest_once_per_day_and_channel(
    world: cw.World, channels: cw.ChannelServer, django_capture_on_commit_callbacks: Any
) -> None:
    send_back(world, django_capture_on_commit_callbacks)
    morning = dt.datetime(2026, 3, 3, 3, tzinfo=dt.UTC)  # 08:00 in Almaty
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_digests(now=morning) == 3
        assert services.send_digests(now=morning + dt.timedelta(hours=2)) == 0
        assert services.send_digests(now=morning + dt.timedelta(days=1)) == 3
    digest = Notification.objects.filter(kind="digest", channel="email").order_by("day").first()
    assert digest is not None
    assert digest.status == N.SENT
    assert "#4101" in digest.body


# -- access ------------------------------------------------------------------------------


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_enumerator_sees_only_their_own_tasks(
    world: cw.World, django_capture_on_commit_callbacks: Any
) -> None:
    task = send_back(world, django_capture_on_commit_callbacks)
    mine = login(world.enumerator.user)
    other = login(world.other.user)
    page = mine.get("/my/")
    assert page.status_code == 200
    assert f"/my/tasks/{task.pk}/".encode() in page.content
    detail = mine.get(f"/my/tasks/{task.pk}/")
    assert detail.status_code == 200
    assert "What share of your income do you send home (%)?" in detail.content.decode()
    assert task.edit_url in detail.content.decode()
    # Another enumerator: 404 on the page and on the button; nothing changes.
    assert other.get(f"/my/tasks/{task.pk}/").status_code == 404
    assert other.post(f"/my/tasks/{task.pk}/").status_code == 404
    assert f"/my/tasks/{task.pk}/".encode() not in other.get("/my/").content
    assert CorrectionTask.objects.get(pk=task.pk).state == T.NOTIFIED
    # A supervisor has no enumerator pages (sent on to the admin); anonymous users to log in.
    assert login(world.supervisor).get("/my/")["Location"] == "/admin/"
    anonymous = Client().get(f"/my/tasks/{task.pk}/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/my/login/")


def test_the_supervisor_sees_when_the_enumerator_opened_the_task(
    world: cw.World, django_capture_on_commit_callbacks: Any
) -> None:
    task = send_back(world, django_capture_on_commit_callbacks)
    user = world.enumerator.user
    assert user is not None
    mine = login(user)
    assert mine.get(f"/my/tasks/{task.pk}/").status_code == 200
    assert mine.get(f"/my/tasks/{task.pk}/").status_code == 200  # a second look: one event
    seen = CorrectionEvent.objects.filter(task=task, data={"seen": task.attempts})
    assert [(e.actor_id, e.from_state, e.to_state) for e in seen] == [
        (user.pk, T.NOTIFIED, T.NOTIFIED)
    ]
    assert CorrectionTask.objects.get(pk=task.pk).state == T.NOTIFIED  # opening is not fixing
    screen = login(world.supervisor).get(
        f"/admin/review/{world.submission.kobo_id}/?form={world.submission.form_id}"
    )
    assert screen.status_code == 200
    assert "Opened by the enumerator" in screen.content.decode()


def test_the_api_is_token_authenticated_and_scoped(
    world: cw.World, django_capture_on_commit_callbacks: Any
) -> None:
    task = send_back(world, django_capture_on_commit_callbacks)
    assert APIClient().get("/api/v1/correction-tasks/").status_code == 401

    def api(user: Any) -> APIClient:
        client = APIClient()
        client.credentials(
            HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}"
        )
        return client

    mine, other = api(world.enumerator.user), api(world.other.user)
    listed = mine.get("/api/v1/correction-tasks/").json()
    assert [t["id"] for t in listed["results"]] == [task.pk]
    [item] = listed["results"][0]["items"]
    assert item["answer"] == "140"
    assert item["label"] == "What share of your income do you send home (%)?"
    assert other.get("/api/v1/correction-tasks/").json()["results"] == []
    assert other.get(f"/api/v1/correction-tasks/{task.pk}/").status_code == 404
    assert other.post(f"/api/v1/correction-tasks/{task.pk}/fixed/").status_code == 404
    assert CorrectionTask.objects.get(pk=task.pk).state == T.NOTIFIED
    # The team's supervisor reads it but cannot press the enumerator's button; others see none.
    assert api(world.supervisor).get(f"/api/v1/correction-tasks/{task.pk}/").status_code == 200
    assert (
        api(world.supervisor).post(f"/api/v1/correction-tasks/{task.pk}/fixed/").status_code == 404
    )
    sup_b = factories.supervisor(username="sup_b")
    assert api(sup_b).get(f"/api/v1/correction-tasks/{task.pk}/").status_code == 404
    done = mine.post(f"/api/v1/correction-tasks/{task.pk}/fixed/")
    assert done.status_code == 200
    assert done.json()["state"] == T.SUBMITTED
    assert mine.get("/api/v1/correction-tasks/trend/").status_code == 200


def test_pages_speak_russian_when_chosen(
    world: cw.World, django_capture_on_commit_callbacks: Any
) -> None:
    task = send_back(world, django_capture_on_commit_callbacks)
    client = login(world.enumerator.user)
    chosen = client.post("/my/language/", {"language": "ru", "next": f"/my/tasks/{task.pk}/"})
    assert chosen.status_code == 302
    page = client.get(f"/my/tasks/{task.pk}/").content.decode()
    assert "Какую долю дохода вы отправляете домой (%)?" in page
    assert "Я исправил(а) это в KoBo" in page
    # The next message to this enumerator is in Russian too.
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminders(now=task.due_at - dt.timedelta(hours=1))
    reminder = Notification.objects.get(task=task, channel="email", kind__startswith="reminder")
    assert reminder.language == "ru"
    assert "Напоминание" in reminder.subject


def test_task_list_and_api_list_have_a_fixed_query_count(
    world: cw.World,
    django_capture_on_commit_callbacks: Any,
    django_assert_max_num_queries: Any,
) -> None:
    send_back(world, django_capture_on_commit_callbacks)
    for kobo_id in (4102, 4103, 4104):
        sub = cw.add_submission(world.form, world.version, world.enumerator, kobo_id=kobo_id)
        world.submission = sub
        send_back(world, django_capture_on_commit_callbacks)
    client = login(world.enumerator.user)
    api = APIClient()
    api.force_authenticate(world.enumerator.user)
    with django_assert_max_num_queries(12):
        assert client.get("/my/").status_code == 200
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/v1/correction-tasks/").json()["results"]) == 4


def test_quality_trend_compares_the_enumerator_with_the_team(world: cw.World) -> None:
    mate = factories.EnumeratorFactory.create(kobo_username="enum03", team=world.enumerator.team)
    for kobo_id in (4201, 4202, 4203):
        sub = cw.add_submission(world.form, world.version, mate, kobo_id=kobo_id)
        Flag.objects.filter(submission=sub).delete()  # the team-mate's are clean
    api = APIClient()
    api.force_authenticate(world.enumerator.user)
    [week] = api.get("/api/v1/correction-tasks/trend/").json()
    assert (week["interviews"], week["flagged_pct"]) == (1, 100.0)
    assert (week["team_interviews"], week["team_flagged_pct"]) == (4, 25.0)
    page = login(world.enumerator.user).get("/my/").content.decode()
    assert "100.0%" in page
    assert "25.0%" in page
