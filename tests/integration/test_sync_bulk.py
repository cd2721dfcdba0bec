"""The fast paths of sync: COPY inserts, orjson digests, page prefetch (PostgreSQL and SQLite)."""

import datetime as dt
import json
from contextlib import nullcontext
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from demo.kobo_fake import FakeKoboServer, FakeKoboStore
from surveys.bulk_insert import EncodedJson, JsonbOrder, insert_rows
from surveys.kobo.client import KoboClient
from surveys.models import KoboForm, Submission, SyncCursor, SyncRun
from surveys.sync import UnknownFormVersionError, _stdlib_hash, content_hash, sync_form
from tests.factories import DistrictFactory, EnumeratorFactory
from tests.kobo_fixtures import (
    FORM_UID,
    KOBO_TOKEN,
    answers,
    form,
    kobo_server,
    kobo_store,
)

pytestmark = pytest.mark.django_db
_ = (form, kobo_server, kobo_store)

# What COPY's text format must escape, what orjson refuses (an int beyond 64 bits), and more.
_AWKWARD = {
    "respondent/name": 'Tab\there, newline\nthere, back\\slash, "quotes", \x01, é, 😀',
    "group/repeat": [{"group/repeat/item": "1"}, {"group/repeat/item": "\\N"}],
    "_geolocation": [43.238, 76.945],
    "huge": 2**70,
    "empty": "",
}


def _client(server: FakeKoboServer) -> KoboClient:
    return KoboClient(server.url, KOBO_TOKEN, timeout=(1, 2), page_size=100, retries=1)


def _row(form: KoboForm, kobo_id: int, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "form_id": form.pk,
        "kobo_id": kobo_id,
        "root_uuid": f"root-{kobo_id}",
        "instance_id": f"uuid:inst-{kobo_id}",
        "version_uid": "",
        "version_id": None,
        "submitted_by": "enum01",
        "submission_time": dt.datetime(2026, 3, 2, 5, 0, tzinfo=dt.UTC),
        "started_at": None,
        "ended_at": dt.datetime(2026, 3, 2, 10, 14, tzinfo=dt.timezone(dt.timedelta(hours=5))),
        "data": data,
        "content_hash": content_hash(data),
        "enumerator_id": None,
        "location_id": None,
        "kobo_status": "",
        "needs_validation": True,
    }


def test_insert_rows_round_trips_values_and_fills_defaults(form: KoboForm) -> None:
    insert_rows(Submission, [_row(form, 1, {**answers(1), **_AWKWARD}), _row(form, 2, {})])
    first, second = Submission.objects.order_by("kobo_id")
    assert first.data == {**answers(1), **_AWKWARD}
    assert second.data == {}
    assert first.ended_at == dt.datetime(2026, 3, 2, 5, 14, tzinfo=dt.UTC)
    assert first.started_at is None
    assert first.review_status == Submission.ReviewStatus.RECEIVED == "received"
    assert not first.changed_since_review
    assert first.first_synced_at is not None
    assert first.updated_at is not None
    assert first.deleted_at is None
    # JSON lookups see a real document, not a string.
    assert Submission.objects.filter(data__huge=2**70).count() == 1


def test_a_document_encoded_ahead_is_stored_as_the_document_in_postgresqls_own_order(
    form: KoboForm,
) -> None:
    doc = {**answers(1), **_AWKWARD, "_validation_status": {}, "é": "1", "z": "2"}
    encoded = JsonbOrder().encode(doc)
    insert_rows(Submission, [_row(form, 1, {}) | {"data": encoded}])
    assert Submission.objects.get().data == doc
    if connection.vendor == "postgresql":
        # jsonb keeps keys in its own order: the order we send is that order (so its sort
        # finds them sorted), which is what makes the presorting pay.
        with connection.cursor() as cursor:
            cursor.execute("SELECT data::text FROM surveys_submission")
            stored = json.loads(cursor.fetchone()[0], object_pairs_hook=list)
        assert [key for key, _ in stored] == [
            key for key, _ in json.loads(encoded, object_pairs_hook=list)
        ]
    assert isinstance(encoded, EncodedJson)


def test_insert_rows_takes_a_naive_time_in_the_current_time_zone(form: KoboForm) -> None:
    naive = dt.datetime(2026, 3, 2, 5, 0)  # noqa: DTZ001 - naive on purpose
    with pytest.warns(RuntimeWarning) if connection.vendor == "sqlite" else nullcontext():
        insert_rows(Submission, [{**_row(form, 1, {}), "submission_time": naive}])
    assert Submission.objects.get().submission_time == timezone.make_aware(naive)


def test_insert_rows_fails_whole_on_a_constraint_and_inserts_nothing(form: KoboForm) -> None:
    insert_rows(Submission, [_row(form, 1, {})])
    clash = {**_row(form, 3, {}), "root_uuid": "root-1"}
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Submission, [_row(form, 2, {}), clash])
    assert list(Submission.objects.values_list("kobo_id", flat=True)) == [1]


def test_the_orjson_digest_is_the_stdlib_digest_for_kobo_answers() -> None:
    for doc in (answers(7), {**answers(8), **_AWKWARD}, {"_id": 5, "_tags": ["x"], "b": None}):
        assert content_hash(doc) == _stdlib_hash(doc)
    # Volatile keys do not count: a status or a tag is not an edit.
    assert content_hash({"a": "1", "_validation_status": {"uid": "x"}}) == content_hash({"a": "1"})


def test_a_row_hashed_before_orjson_is_not_taken_for_edited(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    # A tiny float is where orjson ("1e-7") and the stdlib ("1e-07") write different bytes.
    doc = kobo_store.add_submission(FORM_UID, {**answers(1), "x": 1e-07}, version_uid="vNew2")
    sync_form(form=form, client=_client(kobo_server))
    row = Submission.objects.get()
    assert row.content_hash == content_hash(row.data) != _stdlib_hash(row.data)
    Submission.objects.filter(pk=row.pk).update(
        content_hash=_stdlib_hash(row.data), needs_validation=False, review_status="approved"
    )
    report = sync_form(form=form, full=True, client=_client(kobo_server))
    assert (report.updated, report.unchanged) == (0, 1)
    row.refresh_from_db()
    assert not row.needs_validation
    assert not row.changed_since_review
    # A real edit still counts.
    kobo_store.edit_submission(FORM_UID, doc["_id"], {"respondent/age": "77"})
    assert sync_form(form=form, full=True, client=_client(kobo_server)).updated == 1
    row.refresh_from_db()
    assert row.needs_validation
    assert row.changed_since_review


def test_a_failure_on_page_two_keeps_page_one_while_page_three_was_prefetched(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    rows = [
        kobo_store.add_submission(FORM_UID, answers(i), version_uid="vNew2") for i in range(250)
    ]
    # Row 150 (page two) names a version KoBo does not serve.
    ghost = rows[150]
    kobo_store.delete_submission(FORM_UID, ghost["_id"])
    kobo_store.add_raw_submission(FORM_UID, {**ghost, "__version__": "vGhost9"})
    with pytest.raises(UnknownFormVersionError):
        sync_form(form=form, client=_client(kobo_server))
    page_one = sorted(r["_id"] for r in rows)[:100]
    assert sorted(Submission.objects.values_list("kobo_id", flat=True)) == page_one
    assert SyncCursor.objects.get(form=form).last_kobo_id == page_one[-1]
    run = SyncRun.objects.get()
    assert (run.status, run.created, run.pages) == (SyncRun.Status.FAILED, 100, 1)
    assert SyncCursor.objects.get(form=form).lease_owner == ""


def test_the_scan_finds_deletions_and_edits_on_every_page_and_after_the_last(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    ids = [
        kobo_store.add_submission(FORM_UID, answers(i), version_uid="vNew2")["_id"]
        for i in range(250)
    ]
    sync_form(form=form, client=_client(kobo_server))
    # Pages of 100: the first row, one at a page boundary, the last rows (past the scan's
    # last page); and an edit on the third page.
    deleted = [ids[0], ids[100], ids[248], ids[249]]
    for kobo_id in deleted:
        kobo_store.delete_submission(FORM_UID, kobo_id)
    kobo_store.edit_submission(FORM_UID, ids[220], {"respondent/age": "99"})
    report = sync_form(form=form, full=True, client=_client(kobo_server))
    assert (report.deleted, report.updated, report.created) == (4, 1, 0)
    active = set(Submission.objects.active().values_list("kobo_id", flat=True))
    assert active == set(ids) - set(deleted)
    assert Submission.objects.get(kobo_id=ids[220]).data["respondent/age"] == "99"
    # Nothing changed since: a second scan finds nothing.
    again = sync_form(form=form, full=True, client=_client(kobo_server))
    assert (again.deleted, again.updated, again.created) == (0, 0, 0)


def test_a_first_sync_skips_the_scan_and_the_next_due_scan_finds_what_changed_during_it(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer, settings: Any
) -> None:
    ids = [
        kobo_store.add_submission(FORM_UID, answers(i), version_uid="vNew2")["_id"]
        for i in range(250)
    ]
    client = _client(kobo_server)
    real_iter = client.iter_data

    def changing_iter(*args: Any, **kwargs: Any) -> Any:
        for number, page in enumerate(real_iter(*args, **kwargs), start=1):
            yield page
            if number == 1 and kwargs.get("fields") is None:
                # Page one is read: KoBo edits and deletes rows on it while the pass goes on.
                kobo_store.edit_submission(FORM_UID, ids[10], {"respondent/age": "55"})
                kobo_store.delete_submission(FORM_UID, ids[20])

    client.iter_data = changing_iter  # type: ignore[method-assign]
    before = dt.datetime.now(dt.UTC)
    report = sync_form(form=form, client=client)
    assert (report.created, report.reconciled) == (250, False)
    reconciled_at = SyncCursor.objects.get(form=form).last_reconciled_at
    # As of the pass's start, not its end: the changes during the pass are after it.
    finished_at = SyncRun.objects.get().finished_at
    assert reconciled_at is not None
    assert finished_at is not None
    assert before <= reconciled_at <= finished_at
    assert Submission.objects.get(kobo_id=ids[10]).data["respondent/age"] != "55"
    assert Submission.objects.get(kobo_id=ids[20]).deleted_at is None
    # Not due yet: an incremental sync leaves them; once due, the scan finds both.
    assert not sync_form(form=form, client=_client(kobo_server)).reconciled
    settings.MTM_RECONCILE_INTERVAL_S = 0
    again = sync_form(form=form, client=_client(kobo_server))
    assert (again.reconciled, again.updated, again.deleted) == (True, 1, 1)
    assert Submission.objects.get(kobo_id=ids[10]).data["respondent/age"] == "55"
    assert Submission.objects.get(kobo_id=ids[20]).deleted_at is not None


def test_a_pass_from_the_start_over_stored_rows_still_scans(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    ids = [
        kobo_store.add_submission(FORM_UID, answers(i), version_uid="vNew2")["_id"]
        for i in range(120)
    ]
    sync_form(form=form, client=_client(kobo_server))
    # A cursor back at 0 (reset by hand) over stored rows: a vanished row must still be found.
    SyncCursor.objects.filter(form=form).update(last_kobo_id=0, last_reconciled_at=None)
    kobo_store.delete_submission(FORM_UID, ids[5])
    report = sync_form(form=form, client=_client(kobo_server))
    assert (report.reconciled, report.deleted, report.created) == (True, 1, 0)


def test_rows_are_matched_on_the_rootuuid_within_their_form_only(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    other = KoboForm.objects.create(server=form.server, asset_uid="aOther", name="other")
    insert_rows(Submission, [_row(other, 1, {}), _row(other, 2, {})])
    kobo_store.add_submission(FORM_UID, answers(1), version_uid="vNew2")
    sync_form(form=form, client=_client(kobo_server))
    root = Submission.objects.get(form=form).root_uuid
    Submission.objects.filter(form=other, kobo_id=1).update(root_uuid=root)
    # The other form's row with the same rootUuid is not this form's row.
    report = sync_form(form=form, full=True, client=_client(kobo_server))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert Submission.objects.filter(root_uuid=root).count() == 2


def test_the_enumerator_and_the_location_are_read_from_their_questions_in_any_group(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    district = DistrictFactory.create()
    enumerator = EnumeratorFactory.create(kobo_username="enum07")
    doc = {
        **answers(1),
        "screening/district_note": "not the district",
        "roster/district": ["a list, not an answer"],
        "screening/district": district.code.lower(),  # codes match whatever the case
        "screening/enumerator": "enum07",
    }
    kobo_store.add_submission(FORM_UID, doc, version_uid="vNew2", submitted_by="")
    kobo_store.add_submission(FORM_UID, answers(2), version_uid="vNew2", submitted_by="")
    sync_form(form=form, client=_client(kobo_server))
    found, missing = Submission.objects.order_by("kobo_id")
    assert (found.location_id, found.enumerator_id) == (district.pk, enumerator.pk)
    assert (missing.location_id, missing.enumerator_id) == (None, None)


def test_the_location_is_found_when_its_question_moves_to_another_group(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    # Sync remembers where it last found the question; a row of another version has it
    # elsewhere, or holds something else there, and is still read right.
    first, second = DistrictFactory.create(), DistrictFactory.create()
    docs = [
        {**answers(1), "screening/district": first.code},
        {**answers(2), "intro/district": second.code},
        {**answers(3), "intro/district": ["not", "an answer"], "screening/district": first.code},
        {**answers(4), "screening/district_note": second.code},
        {**answers(5), "intro/district": second.code},
    ]
    for doc in docs:
        kobo_store.add_submission(FORM_UID, doc, version_uid="vNew2")
    sync_form(form=form, client=_client(kobo_server))
    assert list(Submission.objects.order_by("kobo_id").values_list("location_id", flat=True)) == [
        first.pk,
        second.pk,
        first.pk,
        None,
        second.pk,
    ]


def test_an_id_kobo_gives_to_another_interview_tombstones_the_row_that_had_it(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    ids = [
        kobo_store.add_submission(FORM_UID, answers(i), version_uid="vNew2")["_id"]
        for i in range(3)
    ]
    sync_form(form=form, client=_client(kobo_server))
    had = Submission.objects.get(kobo_id=ids[2])
    # A reset server: the last row is gone and its _id names another interview.
    kobo_store.delete_submission(FORM_UID, ids[2])
    other = kobo_store.add_submission(FORM_UID, answers(9), version_uid="vNew2")
    kobo_store.delete_submission(FORM_UID, other["_id"])
    kobo_store.add_raw_submission(FORM_UID, {**other, "_id": ids[2]})
    report = sync_form(form=form, client=_client(kobo_server))
    assert (report.created, report.deleted) == (1, 1)
    had.refresh_from_db()
    assert had.deleted_at is not None
    assert Submission.objects.active().get(kobo_id=ids[2]).root_uuid == other["_uuid"]


def test_a_first_sync_over_tombstones_reuses_their_ids(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    # Only tombstones stored (no active row): the check for reused _ids is skipped, and
    # a tombstone's _id given to a new interview is no clash.
    ids = [
        kobo_store.add_submission(FORM_UID, answers(i), version_uid="vNew2")["_id"]
        for i in range(150)
    ]
    sync_form(form=form, client=_client(kobo_server))
    Submission.objects.update(deleted_at=timezone.now())
    SyncCursor.objects.filter(form=form).update(last_kobo_id=0)
    for kobo_id in ids:
        doc = kobo_store.submission(FORM_UID, kobo_id)
        kobo_store.delete_submission(FORM_UID, kobo_id)
        kobo_store.add_raw_submission(
            FORM_UID,
            {
                **doc,
                "meta/instanceID": f"uuid:new-{kobo_id}",
                "meta/rootUuid": f"uuid:new-{kobo_id}",
            },
        )
    report = sync_form(form=form, client=_client(kobo_server))
    assert (report.created, report.deleted, report.pages) == (150, 0, 2)
    assert Submission.objects.active().count() == 150
    assert Submission.objects.count() == 300


@pytest.mark.django_db(transaction=True)
def test_pages_commit_without_waiting_for_the_disk_and_the_setting_ends_with_them(
    form: KoboForm, kobo_store: FakeKoboStore, kobo_server: FakeKoboServer
) -> None:
    for i in range(150):
        kobo_store.add_submission(FORM_UID, answers(i), version_uid="vNew2")
    seen: list[str] = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        # Each page saves the run's counts in its transaction: what applies to that COMMIT.
        counts = sql.startswith('UPDATE "surveys_syncrun"') and '"quarantined"' in sql
        if counts and connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('synchronous_commit')")
                seen.append(cursor.fetchone()[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        report = sync_form(form=form, client=_client(kobo_server))
    assert report.created == 150
    if connection.vendor == "postgresql":
        assert seen == ["off", "off"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('synchronous_commit')")
            assert cursor.fetchone()[0] == "on"  # the run's own writes, and what comes next
    else:
        assert len(seen) == 2
