"""Decisions end to end: mirrored to the KoBo-compatible server (with a failure and its retry),
drift seen on the next sync, "changed since review" back in the queue, the queue's scope."""

from typing import Any

import pytest
from django.test import Client

from demo.kobo_fake import FakeKoboServer, FakeKoboStore
from surveys.models import KoboForm, KoboServer, Submission
from surveys.push import push_review_statuses
from surveys.sync import sync_form
from surveys.tasks import push_catch_up_task, push_review_statuses_task
from tests import factories
from tests.integration import two_teams
from tests.kobo_fixtures import FORM_UID, KOBO_TOKEN, add_form, answers, kobo_server, kobo_store
from validation import review
from validation.engine.validate import validate_submission
from validation.flags.priority import copy_to_submissions
from validation.models import ReviewEvent, ReviewPriority
from validation.selectors import review_queue

pytestmark = pytest.mark.django_db
_ = (kobo_server, kobo_store)
S = Submission.ReviewStatus
APPROVED, NOT_APPROVED, ON_HOLD = (
    "validation_status_approved",
    "validation_status_not_approved",
    "validation_status_on_hold",
)


@pytest.fixture(autouse=True)
def _fast_kobo(settings: Any) -> None:
    settings.KOBO_RETRIES = 0  # no in-client retry: a failure reaches the Celery retry
    settings.KOBO_CONNECT_TIMEOUT_S = 1
    settings.KOBO_TIMEOUT_S = 2


@pytest.fixture
def form(kobo_store: FakeKoboStore, kobo_server: FakeKoboServer) -> KoboForm:
    add_form(kobo_store)
    for i in range(4):
        kobo_store.add_submission(FORM_UID, answers(i), version_uid="vNew2")
    server = KoboServer.objects.create(name="fake", base_url=kobo_server.url, api_token=KOBO_TOKEN)
    form = KoboForm.objects.create(server=server, asset_uid=FORM_UID, name="test form")
    sync_form(form=form)
    Submission.objects.filter(form=form).update(review_status=S.FLAGGED, needs_validation=False)
    return form


def kobo_status(store: FakeKoboStore, sub: Submission) -> str | None:
    return store.submission(FORM_UID, sub.kobo_id)["_validation_status"].get("uid")


def subs(form: KoboForm) -> list[Submission]:
    return list(Submission.objects.filter(form=form).order_by("kobo_id"))


def test_each_decision_is_mirrored_to_kobo(
    form: KoboForm, kobo_store: FakeKoboStore, django_capture_on_commit_callbacks: Any
) -> None:
    actor = factories.data_manager(username="manager")
    a, b, c, d = subs(form)
    with django_capture_on_commit_callbacks(execute=True):
        review.approve(submission=a, actor=actor)
        review.exclude(submission=b, actor=actor, reason="fabricated")
        review.hold(submission=c, actor=actor)
        review.return_to_enumerator(submission=d, actor=actor, comment="x", questions=["gps"])
    assert [kobo_status(kobo_store, s) for s in (a, b, c, d)] == [
        APPROVED,
        NOT_APPROVED,
        ON_HOLD,
        ON_HOLD,
    ]
    assert [s.kobo_status for s in subs(form)] == [APPROVED, NOT_APPROVED, ON_HOLD, ON_HOLD]


def test_a_failed_push_is_retried_and_lands_once(
    form: KoboForm,
    kobo_store: FakeKoboStore,
    kobo_server: FakeKoboServer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    a = subs(form)[0]
    kobo_server.faults.add("500", path_contains="validation_statuses", times=1)
    kobo_server.faults.add("429", path_contains="validation_statuses", times=1, retry_after=1)
    with django_capture_on_commit_callbacks(execute=True):
        review.approve(submission=a, actor=factories.data_manager(username="manager"))
    # The push met the 500 and asked Celery for a retry; the decision did not wait for KoBo.
    assert Submission.objects.get(pk=a.pk).review_status == S.APPROVED
    assert kobo_status(kobo_store, a) is None
    assert kobo_server.faults.pending() == 1
    # What the worker does with that retry (apply() runs the retries in-process, at once).
    result = push_review_statuses_task.apply(args=(form.pk, [a.kobo_id]), throw=False)
    assert result.successful()
    assert kobo_server.faults.pending() == 0  # the 429 was met too, then the next retry won
    assert kobo_status(kobo_store, a) == APPROVED
    assert Submission.objects.get(pk=a.pk).kobo_status == APPROVED
    assert ReviewEvent.objects.filter(submission=a).count() == 1
    # Idempotent: once KoBo shows it, another run sends nothing.
    assert push_review_statuses(form=form).pushed == 0


def test_a_status_changed_in_kobo_is_detected_on_sync_and_shown(
    form: KoboForm, kobo_store: FakeKoboStore, django_capture_on_commit_callbacks: Any
) -> None:
    manager = factories.data_manager(username="manager")
    a = subs(form)[0]
    with django_capture_on_commit_callbacks(execute=True):
        review.approve(submission=a, actor=manager)
    kobo_store.set_status(FORM_UID, a.kobo_id, NOT_APPROVED)  # someone clicks in KoBo
    sync_form(form=form, full=True)
    row = Submission.objects.get(pk=a.pk)
    assert (row.review_status, row.kobo_status) == (S.APPROVED, NOT_APPROVED)
    client = Client()
    client.force_login(manager)
    html = client.get(f"/admin/review/{a.kobo_id}/").content.decode()
    assert 'id="kobo-drift"' in html
    assert "KoBo shows <b>Not approved</b> but the decision here is <b>Approved</b>" in html


def test_an_approved_interview_edited_in_kobo_goes_back_to_the_queue(
    form: KoboForm, kobo_store: FakeKoboStore, django_capture_on_commit_callbacks: Any
) -> None:
    manager = factories.data_manager(username="manager")
    a = subs(form)[0]
    with django_capture_on_commit_callbacks(execute=True):
        review.approve(submission=a, actor=manager)
    assert a.pk not in set(review_queue(manager).values_list("pk", flat=True))
    kobo_store.edit_submission(FORM_UID, a.kobo_id, {"respondent/age": "17"})
    sync_form(form=form, full=True)
    row = Submission.objects.select_related("form", "version").get(pk=a.pk)
    assert (row.changed_since_review, row.needs_validation) == (True, True)
    validate_submission(submission=row)
    row.refresh_from_db()
    assert row.review_status == S.CLEAN  # the test form has no rule on age
    assert row.changed_since_review
    assert a.pk in set(review_queue(manager).values_list("pk", flat=True))
    event = ReviewEvent.objects.filter(submission=a).latest("pk")
    assert (event.from_status, event.comment) == (
        S.APPROVED,
        "The data changed in KoBo after the decision.",
    )


# --- scope of the queue and its bulk actions ------------------------------------------------


def test_the_queue_shows_only_the_supervisor_s_teams() -> None:
    w = two_teams.build()
    mine = {s.pk for s in w.subs_a}
    assert set(review_queue(w.sup_a).values_list("pk", flat=True)) == mine
    assert set(review_queue(w.sup_b).values_list("pk", flat=True)) == {s.pk for s in w.subs_b}
    assert set(review_queue(w.manager).values_list("pk", flat=True)) == mine | {
        s.pk for s in w.subs_b
    }
    client = Client()
    client.force_login(w.sup_a)
    html = client.get("/admin/validation/interviewreview/").content.decode()
    for sub in w.subs_a:
        assert f'href="/admin/review/{sub.kobo_id}/"' in html
    for sub in w.subs_b:
        assert f'href="/admin/review/{sub.kobo_id}/"' not in html
    # The filters offer only the supervisor's own teams, enumerators and districts.
    assert "Almaty A" in html
    assert "enum_a" in html
    assert "Almaty B" not in html
    assert "enum_b" not in html
    assert "Medeu" not in html
    team_a = w.enum_a.team_id
    filtered = client.get(f"/admin/validation/interviewreview/?team={team_a}&district=999999")
    assert filtered.status_code == 200


def test_a_bulk_action_on_another_team_s_interviews_changes_nothing() -> None:
    w = two_teams.build()
    Submission.objects.filter(pk__in=[s.pk for s in w.subs_b]).update(review_status=S.CLEAN)
    # Clean interviews drawn for a spot check are in the queue: bulk approval is for those.
    copy_to_submissions(
        ReviewPriority.objects.bulk_create(
            ReviewPriority(submission=s, spot_check=True) for s in w.subs_b
        )
    )
    before = list(Submission.objects.order_by("pk").values_list("pk", "review_status"))
    events = ReviewEvent.objects.count()
    client = Client()
    client.force_login(w.sup_a)
    client.post(
        "/admin/validation/interviewreview/",
        {"action": "approve_clean", "_selected_action": [s.pk for s in w.subs_b]},
    )
    assert list(Submission.objects.order_by("pk").values_list("pk", "review_status")) == before
    assert ReviewEvent.objects.count() == events
    # Their own supervisor may.
    client.force_login(w.sup_b)
    client.post(
        "/admin/validation/interviewreview/",
        {"action": "approve_clean", "_selected_action": [s.pk for s in w.subs_b]},
    )
    statuses = set(
        Submission.objects.filter(pk__in=[s.pk for s in w.subs_b]).values_list(
            "review_status", flat=True
        )
    )
    assert statuses == {S.APPROVED}


# --- push-back that cannot be lost -----------------------------------------------------------


def test_a_push_that_times_out_is_retried(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    a = subs(form)[0]
    Submission.objects.filter(pk=a.pk).update(review_status=S.APPROVED)
    kobo_server.faults.add("slow", path_contains="validation_statuses", seconds=3)  # > timeout

    result = push_review_statuses_task.apply(args=(form.pk, [a.kobo_id]), throw=False)

    assert result.successful()
    assert kobo_status(kobo_store, a) == APPROVED


def test_a_bulk_push_kobo_refuses_is_split_to_find_the_refused_row(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    # KPI refuses a whole batch naming an id outside the project (kpi PR #7143).
    kobo_store.rejects_foreign_bulk_ids = True
    rows = subs(form)
    Submission.objects.filter(form=form).update(review_status=S.APPROVED)
    kobo_store.delete_submission(FORM_UID, rows[2].kobo_id)  # gone there, not yet here
    kobo_server.stats.reset()

    report = push_review_statuses(form=form)

    assert report.refused == [rows[2].kobo_id]
    assert report.pushed == 3
    assert [kobo_status(kobo_store, s) for s in (rows[0], rows[1], rows[3])] == [APPROVED] * 3
    # 4 ids, one refused: the batch, its halves, the refused half's halves.
    assert kobo_server.stats.snapshot()["requests"] == 5
    assert Submission.objects.get(pk=rows[2].pk).kobo_status_pushed == ""


def test_the_catch_up_pushes_a_decision_whose_push_was_lost(
    form: KoboForm, kobo_store: FakeKoboStore
) -> None:
    a = subs(form)[0]
    # Decided while the broker was down: the push message never left.
    Submission.objects.filter(pk=a.pk).update(review_status=S.EXCLUDED)

    push_catch_up_task.apply(throw=True)

    assert kobo_status(kobo_store, a) == NOT_APPROVED
    row = Submission.objects.get(pk=a.pk)
    assert (row.kobo_status, row.kobo_status_pushed) == (NOT_APPROVED, NOT_APPROVED)


def test_the_catch_up_reports_a_status_changed_in_kobo_and_leaves_it(
    form: KoboForm,
    kobo_store: FakeKoboStore,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    manager = factories.data_manager(username="manager")
    a = subs(form)[0]
    with django_capture_on_commit_callbacks(execute=True):
        review.approve(submission=a, actor=manager)
    kobo_store.set_status(FORM_UID, a.kobo_id, ON_HOLD)  # someone clicks in KoBo, no sync since

    report = push_review_statuses(form=form, refresh=True)

    assert report.changed_in_kobo == [a.kobo_id]
    assert report.pushed == 0
    assert kobo_status(kobo_store, a) == ON_HOLD  # not overwritten
    assert Submission.objects.get(pk=a.pk).kobo_status == ON_HOLD  # seen, shown as a drift
    assert "show another status in KoBo than our decision" in caplog.text
    client = Client()
    client.force_login(manager)
    assert 'id="kobo-drift"' in client.get(f"/admin/review/{a.kobo_id}/").content.decode()

    # The supervisor decides again: a fresh decision is sent over KoBo's.
    with django_capture_on_commit_callbacks(execute=True):
        review.hold(submission=a, actor=manager)
        review.approve(submission=a, actor=manager)
    assert kobo_status(kobo_store, a) == APPROVED
