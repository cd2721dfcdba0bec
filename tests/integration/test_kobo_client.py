"""KoboClient against the fake KoBo server over real HTTP on 127.0.0.1."""

# Fixtures are imported explicitly until tests/conftest.py imports them: arguments shadow them.
# ruff: noqa: F811

import json
import time
from typing import Any

import pytest
import requests

from demo.kobo_fake import FakeKoboServer, FakeKoboStore
from surveys.kobo.client import KoboClient, edit_redirect_url
from surveys.kobo.errors import (
    KoboAuthError,
    KoboError,
    KoboNotFoundError,
    KoboUnavailableError,
)
from surveys.kobo.payloads import parse_submission
from tests.kobo_fixtures import (  # noqa: F401
    FORM_UID,
    KOBO_TOKEN,
    add_form,
    answers,
    kobo_client,
    kobo_server,
    kobo_store,
)

AUTH = {"Authorization": f"Token {KOBO_TOKEN}"}


def _data_url(server: FakeKoboServer, uid: str = FORM_UID) -> str:
    return f"{server.url}/api/v2/assets/{uid}/data/"


def _load(store: FakeKoboStore, n: int) -> list[int]:
    add_form(store)
    return [store.add_submission(FORM_UID, answers(i))["_id"] for i in range(n)]


def _raw(server: FakeKoboServer, path: str, **params: Any) -> requests.Response:
    return requests.get(f"{server.url}{path}", params=params, headers=AUTH, timeout=5)


def test_me_returns_the_token_user(kobo_client: KoboClient) -> None:
    assert kobo_client.me()["username"] == "tester"


def test_bad_token_raises_auth_error_without_leaking_it(kobo_server: FakeKoboServer) -> None:
    client = KoboClient(kobo_server.url, "wrong-secret", retries=0)

    with pytest.raises(KoboAuthError) as caught:
        client.me()

    assert "wrong-secret" not in str(caught.value)
    assert "wrong-secret" not in repr(client)
    response = requests.get(
        f"{kobo_server.url}/me/", headers={"Authorization": "Token x"}, timeout=5
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_unknown_asset_raises_not_found(
    kobo_client: KoboClient, kobo_server: FakeKoboServer
) -> None:
    with pytest.raises(KoboNotFoundError):
        kobo_client.get_asset("aNoSuchAsset")
    with pytest.raises(KoboNotFoundError):
        next(kobo_client.iter_data("aNoSuchAsset"))
    assert _raw(kobo_server, "/api/v2/assets/aNoSuchAsset/").json() == {
        "detail": "No Asset matches the given query."
    }
    assert _raw(kobo_server, "/api/v2/assets/aNoSuchAsset/data/").json() == {"detail": "Not found."}


def test_assets_versions_and_detail(kobo_client: KoboClient, kobo_store: FakeKoboStore) -> None:
    add_form(kobo_store)
    kobo_store.add_asset("aDraft", "Draft")  # no version: not deployed, not listed
    kobo_store.add_submission(FORM_UID, answers(1))

    assets = list(kobo_client.list_assets())
    detail = kobo_client.get_asset(FORM_UID)
    version = kobo_client.get_version(FORM_UID, "vOld1")

    assert [(a.uid, a.deployed_version_id, a.submission_count) for a in assets] == [
        (FORM_UID, "vNew2", 1)
    ]
    assert detail.content["survey"][3]["$xpath"] == "respondent/age"
    assert [v.uid for v in detail.deployed_versions] == ["vNew2", "vOld1"]
    assert detail.deployed_version_id == "vNew2"
    assert detail.deployment_uuid == kobo_store.assets[FORM_UID].deployment_uuid
    assert version.uid == "vOld1"
    assert len(version.content_hash) == 40
    with pytest.raises(KoboNotFoundError):
        kobo_client.get_version(FORM_UID, "vMissing")


def test_paging_over_1000_rows_caps_limit_and_links_like_drf(
    kobo_client: KoboClient, kobo_server: FakeKoboServer, kobo_store: FakeKoboStore
) -> None:
    ids = _load(kobo_store, 2300)

    pages = list(kobo_client.iter_data(FORM_UID, page_size=5000))
    raw = _raw(kobo_server, f"/api/v2/assets/{FORM_UID}/data/", limit=5000, start=1000).json()

    assert [len(p.results) for p in pages] == [1000, 1000, 300]
    assert [row["_id"] for p in pages for row in p.results] == ids
    assert pages[0].count == 2300
    assert len(raw["results"]) == 1000
    assert raw["next"] == f"{_data_url(kobo_server)}?limit=1000&start=2000"
    assert raw["previous"] == f"{_data_url(kobo_server)}?limit=1000"
    default = _raw(kobo_server, f"/api/v2/assets/{FORM_UID}/data/").json()
    assert len(default["results"]) == 100


def test_keyset_starts_after_the_watermark(
    kobo_client: KoboClient, kobo_store: FakeKoboStore
) -> None:
    ids = _load(kobo_store, 25)

    pages = list(kobo_client.iter_data(FORM_UID, after_id=ids[9], page_size=10))

    assert [[row["_id"] for row in p.results] for p in pages] == [ids[10:20], ids[20:25]]


def test_fields_projection_adds_root_uuid_and_blank_status(
    kobo_client: KoboClient, kobo_server: FakeKoboServer, kobo_store: FakeKoboStore
) -> None:
    ids = _load(kobo_store, 3)
    kobo_store.set_status(FORM_UID, ids[0], "validation_status_on_hold")

    refs = [ref for page in kobo_client.scan_refs(FORM_UID) for ref in page]
    raw = _raw(
        kobo_server, f"/api/v2/assets/{FORM_UID}/data/", fields=json.dumps(["respondent/age"])
    ).json()["results"][0]

    assert [(r.kobo_id, r.validation_status) for r in refs] == [
        (ids[0], "validation_status_on_hold"),
        (ids[1], None),
        (ids[2], None),
    ]
    assert refs[0].instance_id == kobo_store.submission(FORM_UID, ids[0])["meta/instanceID"]
    assert set(raw) == {"_id", "respondent/age", "_uuid", "meta/rootUuid", "_validation_status"}
    assert raw["_validation_status"] == {}


@pytest.mark.parametrize(
    ("_case", "query", "expected"),
    [
        ("equality", {"respondent/age": "20"}, [2]),
        ("in", {"respondent/age": {"$in": ["18", "19"]}}, [0, 1]),
        ("nin", {"respondent/age": {"$nin": ["18", "19", "20"]}}, [3, 4]),
        ("gte_lexical", {"respondent/age": {"$gte": "21"}}, [3, 4]),
        (
            "regex_options",
            {"respondent/name": {"$regex": "^respondent [34]$", "$options": "i"}},
            [3, 4],
        ),
        ("or", {"$or": [{"respondent/age": "18"}, {"respondent/age": "22"}]}, [0, 4]),
        (
            "and_ne",
            {"$and": [{"_id": {"$gt": 0}}, {"respondent/age": {"$ne": "18"}}]},
            [1, 2, 3, 4],
        ),
        ("not", {"respondent/age": {"$not": {"$in": ["18"]}}}, [1, 2, 3, 4]),
        ("exists", {"gps": {"$exists": False}}, []),
        ("status_dotted", {"_validation_status.uid": "validation_status_approved"}, [1]),
        ("eq_not_whitelisted", {"respondent/age": {"$eq": "20"}}, []),
        ("size_not_whitelisted", {"_attachments": {"$size": 0}}, []),
        ("dotted_key", {"respondent.age": "20"}, []),
        ("top_level_nor", {"$nor": [{"respondent/age": "20"}]}, []),
    ],
)
def test_query_operators_follow_kpi_whitelist(
    _case: str,
    query: dict[str, Any],
    expected: list[int],
    kobo_client: KoboClient,
    kobo_store: FakeKoboStore,
) -> None:
    ids = _load(kobo_store, 5)
    kobo_store.set_status(FORM_UID, ids[1], "validation_status_approved")

    rows = [row for page in kobo_client.iter_data(FORM_UID, query=query) for row in page.results]

    assert [row["_id"] for row in rows] == [ids[i] for i in expected]


@pytest.mark.parametrize(
    ("_case", "params", "status", "body"),
    [
        ("limit_text", {"limit": "ten"}, 400, {"limit": "A positive integer is required"}),
        ("query_json", {"query": "{bad"}, 400, {"query": "Value must be valid JSON."}),
        ("in_not_list", {"query": '{"_id": {"$in": 3}}'}, 400, ["Unsupported query"]),
        (
            "count_param",
            {"count": "1"},
            400,
            # kpi/deployment_backends/base_backend.py:608-616
            {
                "count": "This param is not implemented. "
                "Use `count` property of the response instead."
            },
        ),
    ],
)
def test_data_endpoint_rejects_bad_params_like_kpi(
    _case: str,
    params: dict[str, str],
    status: int,
    body: Any,
    kobo_server: FakeKoboServer,
    kobo_store: FakeKoboStore,
) -> None:
    _load(kobo_store, 1)

    response = _raw(kobo_server, f"/api/v2/assets/{FORM_UID}/data/", **params)

    assert (response.status_code, response.json()) == (status, body)


def test_v1_is_gone_and_slash_is_appended(
    kobo_server: FakeKoboServer, kobo_store: FakeKoboStore
) -> None:
    _load(kobo_store, 1)

    gone = _raw(kobo_server, "/api/v1/data/")
    redirect = requests.get(f"{kobo_server.url}/me", headers=AUTH, timeout=5, allow_redirects=False)

    assert gone.status_code == 410
    assert (redirect.status_code, redirect.headers["Location"]) == (301, "/me/")


FAULTS = ["429", "500", "502", "503", "slow", "truncated", "reset"]


def _fault_client(server: FakeKoboServer, kind: str) -> KoboClient:
    timeout = (1.0, 0.5) if kind == "slow" else (1.0, 5.0)
    return KoboClient(server.url, KOBO_TOKEN, timeout=timeout, retries=2, backoff=0.01)


@pytest.mark.parametrize("kind", FAULTS)
def test_fault_recovers_within_retries(
    kind: str, kobo_server: FakeKoboServer, kobo_store: FakeKoboStore
) -> None:
    ids = _load(kobo_store, 1200)
    kobo_server.faults.add(kind, path_contains="/data/", times=2, retry_after=0, seconds=1.0)
    client = _fault_client(kobo_server, kind)

    rows = [row["_id"] for page in client.iter_data(FORM_UID) for row in page.results]

    assert rows == ids
    assert kobo_server.faults.pending() == 0
    stats = kobo_server.stats.snapshot()["paths"]
    assert stats[f"GET /api/v2/assets/{FORM_UID}/data/"] == 4  # 2 failed + 2 pages


@pytest.mark.parametrize("kind", FAULTS)
def test_fault_exhausting_retries_raises_unavailable(
    kind: str, kobo_server: FakeKoboServer, kobo_store: FakeKoboStore
) -> None:
    _load(kobo_store, 3)
    kobo_server.faults.add(kind, path_contains="/data/", times=3, retry_after=0, seconds=1.0)
    client = _fault_client(kobo_server, kind)

    with pytest.raises(KoboUnavailableError):
        next(client.iter_data(FORM_UID))

    assert kobo_server.faults.pending() == 0  # exactly 1 try + 2 retries


def test_retry_after_is_honoured_and_reported(kobo_server: FakeKoboServer) -> None:
    client = KoboClient(kobo_server.url, KOBO_TOKEN, retries=1, backoff=0.01)
    kobo_server.faults.add("429", path_contains="/me/", times=1, retry_after=1)

    started = time.monotonic()
    assert client.me()["username"] == "tester"
    assert time.monotonic() - started >= 1.0

    kobo_server.faults.add("429", path_contains="/me/", times=2, retry_after=7)
    capped = KoboClient(kobo_server.url, KOBO_TOKEN, retries=1, backoff=0.01, retry_after_cap=1)
    started = time.monotonic()
    with pytest.raises(KoboUnavailableError) as caught:
        capped.me()
    assert time.monotonic() - started < 3.0
    assert caught.value.retry_after == 7.0


def test_faults_can_be_scheduled_over_http(kobo_server: FakeKoboServer) -> None:
    client = KoboClient(kobo_server.url, KOBO_TOKEN, retries=0)
    added = requests.post(
        f"{kobo_server.url}/__faults__/",
        json={"kind": "502", "path_contains": "/me/", "times": 1},
        timeout=5,
    )

    with pytest.raises(KoboUnavailableError):
        client.me()

    assert added.status_code == 201
    stats = requests.get(f"{kobo_server.url}/__stats__/", timeout=5).json()
    assert stats["paths"] == {"GET /me/": 1}
    assert stats["faults_injected"] == 1


def test_single_validation_status_set_and_cleared(
    kobo_client: KoboClient, kobo_store: FakeKoboStore
) -> None:
    ids = _load(kobo_store, 2)

    status = kobo_client.set_validation_status(FORM_UID, ids[0], "validation_status_approved")
    stored = kobo_store.submission(FORM_UID, ids[0])["_validation_status"]
    kobo_client.clear_validation_status(FORM_UID, ids[0])

    assert (status["uid"], status["label"], status["by_whom"]) == (
        "validation_status_approved",
        "Approved",
        "tester",
    )
    assert stored == status
    assert kobo_store.submission(FORM_UID, ids[0])["_validation_status"] == {}


def test_unknown_status_uid_is_rejected_before_sending(
    kobo_client: KoboClient, kobo_server: FakeKoboServer, kobo_store: FakeKoboStore
) -> None:
    ids = _load(kobo_store, 1)
    kobo_store.set_status(FORM_UID, ids[0], "validation_status_on_hold")

    with pytest.raises(ValueError, match="validation_status_maybe"):
        kobo_client.set_validation_statuses(FORM_UID, ids, "validation_status_maybe")
    with pytest.raises(ValueError, match="validation_status_maybe"):
        kobo_client.set_validation_status(FORM_UID, ids[0], "validation_status_maybe")

    assert kobo_server.stats.snapshot()["requests"] == 0
    assert kobo_store.submission(FORM_UID, ids[0])["_validation_status"]["uid"] == (
        "validation_status_on_hold"
    )


def test_bulk_validation_status_updates_all_or_nothing(
    kobo_client: KoboClient, kobo_server: FakeKoboServer, kobo_store: FakeKoboStore
) -> None:
    ids = _load(kobo_store, 4)

    updated = kobo_client.set_validation_statuses(
        FORM_UID, ids[:3], "validation_status_not_approved"
    )
    with pytest.raises(KoboError, match="One or more submission ids are invalid"):
        kobo_client.set_validation_statuses(
            FORM_UID, [ids[3], 999_999], "validation_status_approved"
        )
    missing = requests.patch(
        f"{_data_url(kobo_server)}validation_statuses/",
        json={"payload": {}},
        headers=AUTH,
        timeout=5,
    )

    assert updated == 3
    statuses = [kobo_store.submission(FORM_UID, i)["_validation_status"].get("uid") for i in ids]
    assert statuses == ["validation_status_not_approved"] * 3 + [None]
    assert (missing.status_code, missing.json()) == (400, {"payload": ["Confirmation is required"]})


def test_bulk_with_unknown_uid_clears_statuses_as_kobo_does(
    kobo_server: FakeKoboServer, kobo_store: FakeKoboStore
) -> None:
    ids = _load(kobo_store, 2)
    kobo_store.set_status(FORM_UID, ids[0], "validation_status_approved")

    response = requests.patch(
        f"{_data_url(kobo_server)}validation_statuses/",
        json={"payload": {"submission_ids": ids, "validation_status.uid": "bogus"}},
        headers=AUTH,
        timeout=5,
    )

    assert response.json() == {"detail": "2 submissions have been updated"}
    assert kobo_store.submission(FORM_UID, ids[0])["_validation_status"] == {}


def test_edit_keeps_root_uuid_and_id_with_new_instance_id(
    kobo_client: KoboClient, kobo_store: FakeKoboStore
) -> None:
    ids = _load(kobo_store, 1)
    before = parse_submission(kobo_client.get_submission(FORM_UID, ids[0]))

    kobo_store.edit_submission(FORM_UID, ids[0], {"respondent/age": "44"}, remove=["gps"])
    after = parse_submission(kobo_client.get_submission(FORM_UID, ids[0]))
    refs = [ref for page in kobo_client.scan_refs(FORM_UID) for ref in page]

    assert (after.kobo_id, after.root_uuid) == (before.kobo_id, before.root_uuid)
    assert after.instance_id != before.instance_id
    assert after.deprecated_id == before.instance_id
    assert after.submission_time == before.submission_time
    assert after.end is not None
    assert before.end is not None
    assert after.end > before.end
    assert after.answers["respondent/age"] == "44"
    assert "gps" not in after.answers
    assert refs[0].instance_id == after.instance_id


def test_deleted_submission_disappears(
    kobo_client: KoboClient, kobo_server: FakeKoboServer, kobo_store: FakeKoboStore
) -> None:
    ids = _load(kobo_store, 3)

    kobo_store.delete_submission(FORM_UID, ids[0])
    over_http = requests.delete(f"{_data_url(kobo_server)}{ids[1]}/", headers=AUTH, timeout=5)

    assert over_http.status_code == 204
    assert [r.kobo_id for page in kobo_client.scan_refs(FORM_UID) for r in page] == [ids[2]]
    with pytest.raises(KoboNotFoundError):
        kobo_client.get_submission(FORM_UID, ids[0])


def test_get_submissions_fetches_by_id_in_chunks(
    kobo_server: FakeKoboServer, kobo_store: FakeKoboStore
) -> None:
    ids = _load(kobo_store, 30)
    client = KoboClient(kobo_server.url, KOBO_TOKEN, page_size=10)
    wanted = [*ids[::2], 999_999]

    rows = client.get_submissions(FORM_UID, wanted)

    assert [row["_id"] for row in rows] == ids[::2]
    assert kobo_server.stats.snapshot()["requests"] == 2


def test_enketo_redirect_by_id_works_on_every_release_and_by_root_uuid_only_on_new_ones(
    kobo_server: FakeKoboServer, kobo_store: FakeKoboStore
) -> None:
    ids = _load(kobo_store, 1)
    row = kobo_store.submission(FORM_UID, ids[0])
    by_id = edit_redirect_url(kobo_server.url, FORM_UID, ids[0])
    by_root = edit_redirect_url(kobo_server.url, FORM_UID, row["meta/rootUuid"])
    link = _raw(kobo_server, f"/api/v2/assets/{FORM_UID}/data/{ids[0]}/enketo/edit/").json()

    data = f"{kobo_server.url}/api/v2/assets/{FORM_UID}/data"
    assert by_id == f"{data}/{ids[0]}/enketo/redirect/edit/"
    assert by_root == f"{data}/{row['_uuid']}/enketo/redirect/edit/"
    # The default fake is a release before 2.026.07 (kpi PR #6660): a rootUuid there is a 500.
    assert not kobo_store.accepts_root_uuid
    redirect = requests.get(by_id, timeout=5, allow_redirects=False)
    assert redirect.status_code == 302
    assert f"instance_id={row['_uuid']}" in redirect.headers["Location"]
    assert requests.get(by_root, timeout=5, allow_redirects=False).status_code == 500
    assert link["version_uid"] == "vNew2"
    assert requests.get(link["url"], timeout=5).status_code == 200
    # From 2.026.07 both shapes open the same interview.
    kobo_store.accepts_root_uuid = True
    redirect = requests.get(by_root, timeout=5, allow_redirects=False)
    assert redirect.status_code == 302
    assert f"instance_id={row['_uuid']}" in redirect.headers["Location"]


def test_malformed_rows_are_served_and_scanned_with_blank_ids(
    kobo_client: KoboClient, kobo_store: FakeKoboStore
) -> None:
    ids = _load(kobo_store, 1)
    bad = kobo_store.add_raw_submission(FORM_UID, {"_id": ids[0] + 10, "_submission_time": "x"})

    rows = [row for page in kobo_client.iter_data(FORM_UID) for row in page.results]
    refs = [ref for page in kobo_client.scan_refs(FORM_UID) for ref in page]

    assert [row["_id"] for row in rows] == [ids[0], bad]
    assert [(r.kobo_id, r.instance_id) for r in refs][1] == (bad, "")
