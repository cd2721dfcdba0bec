"""Sync over real HTTP against the KoBo-compatible server: pages, edits, deletions, faults."""

import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from demo.kobo_fake import FakeKoboServer, FakeKoboStore
from surveys.kobo.client import KoboClient
from surveys.kobo.errors import KoboAuthError, KoboUnavailableError
from surveys.locks import SyncAlreadyRunningError, form_lease
from surveys.models import KoboForm, Submission, SyncCursor, SyncIssue, SyncRun
from surveys.push import push_review_statuses
from surveys.sync import UnknownFormVersionError, sync_form
from tests.kobo_fixtures import (
    FORM_UID,
    KOBO_TOKEN,
    add_form,
    answers,
    form,
    kobo_server,
    kobo_store,
)

pytestmark = pytest.mark.django_db
_ = (form, kobo_server, kobo_store)


@pytest.fixture(autouse=True)
def _small_pages(settings: Any) -> None:
    settings.KOBO_PAGE_SIZE = 100
    settings.MTM_SYNC_OVERLAP_IDS = 20
    settings.KOBO_RETRIES = 2
    settings.KOBO_CONNECT_TIMEOUT_S = 1
    settings.KOBO_TIMEOUT_S = 1.5


def _client(server: FakeKoboServer) -> KoboClient:
    return KoboClient(
        server.url,
        KOBO_TOKEN,
        timeout=(1, 1.5),
        page_size=100,
        retries=2,
        backoff=0.01,
        retry_after_cap=1,
    )


def _seed(store: FakeKoboStore, n: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        store.add_submission(FORM_UID, answers(i), version_uid="vNew2")
        for i in range(start, start + n)
    ]


def _local_set(form: KoboForm) -> set[tuple[int, str]]:
    return set(Submission.objects.active().filter(form=form).values_list("kobo_id", "instance_id"))


def _server_set(store: FakeKoboStore, server: FakeKoboServer) -> set[tuple[int, str]]:
    client = _client(server)
    return {(r.kobo_id, r.instance_id) for refs in client.scan_refs(FORM_UID) for r in refs}


def test_first_sync_reads_every_page(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    _seed(kobo_store, 250)
    report = sync_form(form=form, client=_client(kobo_server))
    assert (report.created, report.updated, report.quarantined) == (250, 0, 0)
    assert _local_set(form) == _server_set(kobo_store, kobo_server)
    run = SyncRun.objects.get()
    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.created == 250
    assert SyncCursor.objects.get(form=form).last_kobo_id == max(k for k, _ in _local_set(form))
    assert set(form.versions.values_list("version_uid", flat=True)) == {"vOld1", "vNew2"}
    assert KoboForm.objects.get().deployed_version_uid == "vNew2"
    assert Submission.objects.filter(needs_validation=True).count() == 250


def test_incremental_sync_fetches_only_new_rows(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    _seed(kobo_store, 120)
    sync_form(form=form, client=_client(kobo_server))
    _seed(kobo_store, 5, start=120)
    report = sync_form(form=form, client=_client(kobo_server))
    assert report.created == 5
    assert report.unchanged == 20  # the re-scanned overlap
    assert Submission.objects.count() == 125


def test_an_edit_updates_the_same_row_and_keeps_first_seen_times(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    [first, *_] = _seed(kobo_store, 3)
    sync_form(form=form, client=_client(kobo_server))
    before = Submission.objects.get(kobo_id=first["_id"])
    Submission.objects.filter(pk=before.pk).update(needs_validation=False)
    edited = kobo_store.edit_submission(FORM_UID, first["_id"], {"respondent/age": "41"})
    report = sync_form(form=form, full=True, client=_client(kobo_server))
    after = Submission.objects.get(kobo_id=first["_id"])
    assert report.updated == 1
    assert after.pk == before.pk
    assert after.root_uuid == before.root_uuid
    assert after.instance_id == edited["meta/instanceID"] != before.instance_id
    assert after.data["respondent/age"] == "41"
    assert after.ended_at == before.ended_at  # Enketo re-stamped `end`; we keep the first
    assert after.needs_validation


def test_a_deletion_becomes_a_tombstone(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    rows = _seed(kobo_store, 4)
    sync_form(form=form, client=_client(kobo_server))
    kobo_store.delete_submission(FORM_UID, rows[1]["_id"])
    report = sync_form(form=form, full=True, client=_client(kobo_server))
    assert report.deleted == 1
    gone = Submission.objects.get(kobo_id=rows[1]["_id"])
    assert gone.deleted_at is not None
    assert Submission.objects.active().count() == 3
    assert _local_set(form) == _server_set(kobo_store, kobo_server)


def test_a_status_set_in_kobo_is_mirrored(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    rows = _seed(kobo_store, 2)
    sync_form(form=form, client=_client(kobo_server))
    kobo_store.set_status(FORM_UID, rows[0]["_id"], "validation_status_on_hold")
    sync_form(form=form, full=True, client=_client(kobo_server))
    assert Submission.objects.get(kobo_id=rows[0]["_id"]).kobo_status == (
        "validation_status_on_hold"
    )
    assert Submission.objects.get(kobo_id=rows[1]["_id"]).kobo_status == ""


class _Killed(BaseException):
    """Stands for a worker killed mid-sync: not an Exception, so nothing catches it."""


def test_a_sync_killed_after_page_k_resumes_without_loss_or_duplicates(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    _seed(kobo_store, 350)
    client = _client(kobo_server)
    real_iter = client.iter_data

    def dying_iter(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for number, page in enumerate(real_iter(*args, **kwargs), start=1):
            yield page
            if number == 2:
                raise _Killed

    client.iter_data = dying_iter  # type: ignore[method-assign]
    with pytest.raises(_Killed):
        sync_form(form=form, client=client)
    assert Submission.objects.count() == 200  # exactly the two committed pages
    cursor = SyncCursor.objects.get(form=form)
    assert cursor.last_kobo_id == max(Submission.objects.values_list("kobo_id", flat=True))
    report = sync_form(form=form, client=_client(kobo_server))
    assert report.created == 150
    assert _local_set(form) == _server_set(kobo_store, kobo_server)
    assert Submission.objects.count() == 350


@pytest.mark.parametrize("kind", ["429", "500", "502", "slow", "truncated", "reset"])
def test_each_fault_is_retried_and_loses_nothing(
    kind: str, form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    _seed(kobo_store, 150)
    kobo_server.faults.add(kind, path_contains="/data/", times=1, retry_after=1, seconds=3)
    report = sync_form(form=form, client=_client(kobo_server))
    assert report.created == 150
    assert _local_set(form) == _server_set(kobo_store, kobo_server)


def test_a_lasting_outage_fails_the_run_clearly_and_the_next_run_recovers(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    _seed(kobo_store, 150)
    kobo_server.faults.add("502", path_contains="/data/", times=50)
    with pytest.raises(KoboUnavailableError):
        sync_form(form=form, client=_client(kobo_server))
    run = SyncRun.objects.get()
    assert run.status == SyncRun.Status.FAILED
    assert run.error
    assert Submission.objects.count() == 0
    assert SyncCursor.objects.get(form=form).lease_owner == ""  # the lease was released
    kobo_server.faults.clear()
    assert sync_form(form=form, client=_client(kobo_server)).created == 150


def test_a_malformed_row_is_quarantined_and_the_page_goes_on(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    _seed(kobo_store, 3)
    kobo_store.add_raw_submission(
        FORM_UID, {"_id": 999, "_submission_time": "not a time", "meta/instanceID": "uuid:bad"}
    )
    report = sync_form(form=form, client=_client(kobo_server))
    assert (report.created, report.quarantined) == (3, 1)
    issue = SyncIssue.objects.get()
    assert issue.kobo_id == 999
    assert "_submission_time" in issue.reason
    assert issue.payload["_submission_time"] == "not a time"


def test_an_unknown_form_version_is_a_clear_retryable_error(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    doc = kobo_store.add_submission(FORM_UID, answers(1), version_uid="vNew2")
    kobo_store.add_raw_submission(
        FORM_UID,
        {
            **doc,
            "_id": doc["_id"] + 1,
            "meta/instanceID": "uuid:other",
            "meta/rootUuid": "uuid:other",
            "_uuid": "other",
            "__version__": "vGhost9",
        },
    )
    with pytest.raises(UnknownFormVersionError, match="vGhost9"):
        sync_form(form=form, client=_client(kobo_server))
    assert Submission.objects.count() == 0  # the page was not half-written


def test_a_bad_token_is_an_auth_error(form: KoboForm, kobo_server: FakeKoboServer) -> None:
    bad = KoboClient(kobo_server.url, "wrong-token", timeout=(1, 1.5), retries=0)
    with pytest.raises(KoboAuthError):
        sync_form(form=form, client=bad)
    assert SyncRun.objects.get().status == SyncRun.Status.FAILED


def test_one_sync_per_form_at_a_time_and_an_expired_lease_lets_the_next_in(
    form: KoboForm, kobo_server: FakeKoboServer
) -> None:
    with form_lease(form), pytest.raises(SyncAlreadyRunningError):
        sync_form(form=form, client=_client(kobo_server))
    SyncCursor.objects.filter(form=form).update(
        lease_owner="dead-worker", lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    sync_form(form=form, client=_client(kobo_server))
    assert SyncRun.objects.get().status == SyncRun.Status.SUCCEEDED


def test_review_decisions_are_pushed_in_bulk_and_only_once(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    rows = _seed(kobo_store, 5)
    sync_form(form=form, client=_client(kobo_server))
    ids = [r["_id"] for r in rows]
    Submission.objects.filter(kobo_id__in=ids[:3]).update(review_status="approved")
    Submission.objects.filter(kobo_id=ids[3]).update(review_status="excluded")
    report = push_review_statuses(form=form, client=_client(kobo_server))
    assert report.pushed == 4
    statuses = {i: kobo_store.submission(FORM_UID, i)["_validation_status"].get("uid") for i in ids}
    assert statuses == {
        ids[0]: "validation_status_approved",
        ids[1]: "validation_status_approved",
        ids[2]: "validation_status_approved",
        ids[3]: "validation_status_not_approved",
        ids[4]: None,
    }
    assert push_review_statuses(form=form, client=_client(kobo_server)).pushed == 0


def test_sync_kobo_command_prints_json_and_fails_clearly_on_a_bad_token(
    settings: Any, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    add_form(kobo_store)
    _seed(kobo_store, 3)
    settings.KOBO_URL, settings.KOBO_TOKEN = kobo_server.url, KOBO_TOKEN
    out = io.StringIO()
    call_command("sync_kobo", "--asset", FORM_UID, "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "asset": FORM_UID,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "deleted": 0,
        "quarantined": 0,
    }
    assert KoboForm.objects.get().name == f"Form {FORM_UID}"
    settings.KOBO_TOKEN = "wrong"
    with pytest.raises(CommandError, match="rejected the API token"):
        call_command("sync_kobo", "--json", stdout=io.StringIO())
