"""KPI contract tests: the fake answers as kobotoolbox/kpi does, and the client keeps to it.

One test per KPI rule the fake emulates, each citing `kobotoolbox/kpi <path>:<line>` at commit
2e5efb0172 (or the PR for release-dependent behaviour), over real HTTP; and the coverage check: a
full sync, a reconciliation, a push-back and edit links send nothing the contract
(demo/kobo_fake/contract.py) does not list. docs/kpi-contract.md is the index.
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from demo.kobo_fake import FakeKoboServer, FakeKoboStore
from demo.kobo_fake.contract import Call, violations
from surveys.kobo.client import KoboClient, edit_redirect_url
from surveys.kobo.payloads import parse_submission
from tests.kobo_fixtures import FORM_CONTENT, FORM_UID, KOBO_TOKEN, KOBO_USERNAME, answers

_DATA = f"/api/v2/assets/{FORM_UID}/data/"
_VERSIONS = f"/api/v2/assets/{FORM_UID}/versions/"
_JSON = {"Authorization": f"Token {KOBO_TOKEN}", "Accept": "application/json"}
APPROVED = "validation_status_approved"
ON_HOLD = "validation_status_on_hold"


def _store(**kw: Any) -> FakeKoboStore:
    store = FakeKoboStore(token=KOBO_TOKEN, username=KOBO_USERNAME, **kw)
    store.add_asset(FORM_UID, "Form", versions=[("vOld1", FORM_CONTENT), ("vNew2", FORM_CONTENT)])
    store.deploy_version(FORM_UID, "vDraft3", FORM_CONTENT, deployed=False)
    return store


@pytest.fixture
def store() -> FakeKoboStore:
    return _store()


@pytest.fixture
def server(store: FakeKoboStore) -> Iterator[FakeKoboServer]:
    with FakeKoboServer(store) as running:
        yield running


def _seed(store: FakeKoboStore, n: int) -> list[int]:
    return [store.add_submission(FORM_UID, answers(i))["_id"] for i in range(n)]


def _call(
    server: FakeKoboServer,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: Any = None,
    **params: Any,
) -> requests.Response:
    return requests.request(
        method,
        server.url + path,
        params={k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()},
        json=body,
        headers=headers or _JSON,
        timeout=5,
        allow_redirects=False,
    )


def _get(server: FakeKoboServer, path: str, **params: Any) -> requests.Response:
    return _call(server, "GET", path, **params)


def _ids(response: requests.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [row["_id"] for row in response.json()["results"]]


def _status(store: FakeKoboStore, kobo_id: int) -> str | None:
    status: dict[str, Any] = store.submission(FORM_UID, kobo_id)["_validation_status"]
    return status.get("uid")


# -- versions/ and the Django BooleanField filter ----------------------------------------------


def test_deployed_true_is_a_500_json_for_api_clients_html_for_browsers(
    server: FakeKoboServer,
) -> None:
    """kpi/views/v2/asset_version.py:91-94 filters BooleanField `deployed` with the raw string;

    Django's BooleanField.to_python refuses 'true' (ValidationError, uncaught). kobo/urls.py:
    119-123 render500 + kpi/utils/urls.py:43-54: JSON for Accept: application/json, else HTML.
    """
    api = _get(server, _VERSIONS, deployed="true")
    page = _call(
        server, "GET", _VERSIONS, headers={"Authorization": f"Token {KOBO_TOKEN}"}, deployed="true"
    )

    assert (api.status_code, api.json()) == (500, {"error": "Server Error (500)"})
    assert page.status_code == 500
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Server error (500)" in page.text


@pytest.mark.parametrize("raw", ["true", "false", "yes", "", "TRUE", "on"])
def test_deployed_other_spellings_are_500(raw: str, server: FakeKoboServer) -> None:
    """Django BooleanField.to_python accepts only t/True/1 and f/False/0 (strings):

    kpi/views/v2/asset_version.py:91-94. The detail view filters too (:90-94 for every action).
    """
    assert _get(server, _VERSIONS, deployed=raw).status_code == 500
    assert _get(server, _VERSIONS + "vNew2/", deployed=raw).status_code == 500


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("True", ["vNew2", "vOld1"]),
        ("1", ["vNew2", "vOld1"]),
        ("t", ["vNew2", "vOld1"]),
        ("False", ["vDraft3"]),
        ("0", ["vDraft3"]),
        ("f", ["vDraft3"]),
    ],
)
def test_deployed_django_spellings_filter(
    raw: str, expected: list[str], server: FakeKoboServer
) -> None:
    """kpi/views/v2/asset_version.py:91-94; newest first: kpi/models/asset_version.py:35-36."""
    response = _get(server, _VERSIONS, deployed=raw)

    assert [v["uid"] for v in response.json()["results"]] == expected


def test_version_list_fields_and_draft_numbering(server: FakeKoboServer) -> None:
    """AssetVersionListSerializer kpi/serializers/v2/asset_version.py:17-38, labels :62-94:

    date_deployed is `deployed and date_modified` (false for a draft).
    """
    rows = _get(server, _VERSIONS).json()["results"]

    assert set(rows[0]) == {
        "uid",
        "url",
        "content_hash",
        "date_deployed",
        "date_modified",
        "version_number",
    }
    assert [(r["uid"], r["version_number"]) for r in rows] == [
        ("vDraft3", "2.1"),
        ("vNew2", "2"),
        ("vOld1", "1"),
    ]
    assert rows[0]["date_deployed"] is False


def test_version_detail_adds_content_and_404s_by_name(server: FakeKoboServer) -> None:
    """AssetVersionSerializer kpi/serializers/v2/asset_version.py:97-101;

    get_object_or_404 (DRF generics) → "No AssetVersion matches the given query.".
    """
    found = _get(server, _VERSIONS + "vNew2/").json()
    missing = _get(server, _VERSIONS + "vNope/")

    assert found["content"] == FORM_CONTENT
    assert (missing.status_code, missing.json()) == (
        404,
        {"detail": "No AssetVersion matches the given query."},
    )


@pytest.mark.parametrize(
    ("params", "limit"),
    [({"limit": "5000"}, 1000), ({"limit": "abc"}, 100), ({"limit": "0"}, 100), ({}, 100)],
)
def test_default_pagination_caps_and_falls_back(
    params: dict[str, str], limit: int, server: FakeKoboServer
) -> None:
    """kpi/paginators.py:66-77:

    over MAX_API_PAGE_SIZE is capped, a bad limit is the default (kobo/settings/base.py:966-969) —
    no 400 outside /data/.
    """
    body = _get(server, _VERSIONS, start="1", **params).json()

    assert body["previous"] is not None
    assert f"limit={limit}" in body["previous"]


def test_default_pagination_page_and_page_size(server: FakeKoboServer) -> None:
    """kpi/paginators.py:79-99:

    without start/offset, `page` × `page_size` is the offset; a bad page_size with a page is `(page
    - 1) * None`, a TypeError → 500 (:86-87).
    """
    second = _get(server, _VERSIONS, page="2", page_size="1").json()
    broken = _get(server, _VERSIONS, page="2", page_size="x")

    assert [v["uid"] for v in second["results"]] == ["vNew2"]
    assert broken.status_code == 500


# -- the asset detail ---------------------------------------------------------------------------


def test_asset_detail_deployed_versions_is_paginated_from_the_request(
    server: FakeKoboServer,
) -> None:
    """kpi/serializers/v2/asset.py:452-461 (default_limit DEFAULT_API_PAGE_SIZE, deployed only)and
    :750-754 deployed_version_id; kpi/fields/paginated_api.py:33-57 pages with the detail request's
    own limit/start, so `next` points at the asset URL.
    """
    full = _get(server, f"/api/v2/assets/{FORM_UID}/").json()
    paged = _get(server, f"/api/v2/assets/{FORM_UID}/", limit="1").json()

    assert [v["uid"] for v in full["deployed_versions"]["results"]] == ["vNew2", "vOld1"]
    assert (full["deployed_version_id"], full["version_id"]) == ("vNew2", "vDraft3")
    assert paged["deployed_versions"]["count"] == 2
    assert paged["deployed_versions"]["next"] == (
        f"{server.url}/api/v2/assets/{FORM_UID}/?limit=1&start=1"
    )


# -- /data/ parameters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "body"),
    [
        ({"limit": "ten"}, {"limit": "A positive integer is required"}),
        ({"limit": "0"}, {"limit": "A positive integer is required"}),
        ({"limit": "-3"}, {"limit": "A positive integer is required"}),
        ({"start": "-1"}, {"start": "A positive integer is required."}),
        ({"start": "x"}, {"start": "A positive integer is required."}),
        ({"query": "{bad"}, {"query": "Value must be valid JSON."}),
        ({"sort": "{bad"}, {"sort": "Value must be valid JSON."}),
        ({"fields": "[bad"}, {"fields": "Value must be valid JSON."}),
        (
            {"count": "1"},
            {
                "count": "This param is not implemented. Use `count` property of the response "
                "instead."
            },
        ),
        (
            {"format": "xml", "sort": '{"_id": 1}'},
            {"sort": "This param is not supported in `XML` format"},
        ),
        (
            {"format": "xml", "fields": '["_id"]'},
            {"fields": "This is not supported in `XML` format"},
        ),
    ],
    ids=[
        "limit_text-data.py:862-872",
        "limit_zero-data.py:862-872",
        "limit_negative-data.py:862-872",
        "start_negative-base_backend.py:680-685",
        "start_text-base_backend.py:680-685",
        "query_json-base_backend.py:643-649",
        "sort_json-base_backend.py:672-678",
        "fields_json-base_backend.py:694-700",
        "count-base_backend.py:608-616",
        "xml_sort-base_backend.py:618-624",
        "xml_fields-base_backend.py:626-629",
    ],
)
def test_data_rejects_bad_parameters_with_kpis_400(
    params: dict[str, str], body: Any, server: FakeKoboServer, store: FakeKoboStore
) -> None:
    """kpi/views/v2/data.py:845-877 and kpi/deployment_backends/base_backend.py:582-715."""
    _seed(store, 2)
    response = _get(server, _DATA, **params)

    assert (response.status_code, response.json()) == (400, body)


def test_data_limit_is_capped_and_read_with_pythons_int(
    server: FakeKoboServer, store: FakeKoboStore
) -> None:
    """kpi/views/v2/data.py:862-868:

    positive_int(strict, cutoff=1000); DRF's _positive_int is int(), so " 7" and "+7" are 7.
    """
    store.add_submissions(FORM_UID, (answers(i) for i in range(1005)))

    assert len(_ids(_get(server, _DATA, limit="5000"))) == 1000
    assert len(_ids(_get(server, _DATA, limit=" 7"))) == 7
    assert len(_ids(_get(server, _DATA, limit="+7"))) == 7
    assert len(_ids(_get(server, _DATA))) == 100  # data.py:873-875 default


def test_data_reads_start_but_its_links_read_offset(
    server: FakeKoboServer, store: FakeKoboStore
) -> None:
    """Mongo skips by `start` only (base_backend.py:631, mongo_helper.py:153);

    the paginator's links take `start`, else `offset` (paginators.py:79-85): offset=2 returns rows
    from 0.
    """
    ids = _seed(store, 6)

    body = _get(server, _DATA, offset="2", limit="2").json()

    assert [r["_id"] for r in body["results"]] == ids[:2]
    assert "start=4" in body["next"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"respondent/age": {"$eq": "18"}}, []),
        ({"$eq": 1}, []),
        ({"respondent.age": "18"}, []),
        ({"respondent.age": None}, [0, 1, 2]),
        ({"_validation_status.uid": APPROVED}, [1]),
        ({"_id": "2"}, [1]),
        ({"respondent/age": {"$in": ["18", "20"]}}, [0, 2]),
        ({"$or": [{"respondent/age": "18"}, {"respondent/age": "19"}]}, [0, 1]),
    ],
    ids=[
        "eq_is_a_field_name-mongo_helper.py:178-185",
        "top_level_unknown_op-mongo_helper.py:320-322",
        "dotted_key_encoded-mongo_helper.py:66-69",
        "encoded_key_is_missing_so_null_matches-mongo_helper.py:320-322",
        "validation_status_stays_dotted-mongo_helper.py:295-319",
        "_id_through_int-mongo_helper.py:288-293",
        "in_whitelisted-mongo_helper.py:46-64",
        "or_whitelisted-mongo_helper.py:46-64",
    ],
)
def test_query_keys_as_kpi_makes_them_safe(
    query: dict[str, Any], expected: list[int], server: FakeKoboServer, store: FakeKoboStore
) -> None:
    """kpi/utils/mongo_helper.py:178-185, 248-324:

    keys not in KEY_WHITELIST starting with $, and any dotted key outside _validation_status, become
    base64-encoded field names.
    """
    ids = _seed(store, 3)
    store.set_status(FORM_UID, ids[1], APPROVED)

    assert _ids(_get(server, _DATA, query=query)) == [ids[i] for i in expected]


@pytest.mark.parametrize(
    ("query", "status", "body"),
    [
        ({"_id": {"$in": 3}}, 400, ["Unsupported query"]),
        ({"_id": {"$all": 3}}, 400, ["$all needs an array"]),
        ({"_id": {"$gt": 0, "$eq": 1}}, 400, ["Unsupported query"]),
        ({"$in": [1]}, 400, ["Unsupported query"]),
        ([1], 500, {"error": "Server Error (500)"}),
        ({"_id": None}, 500, {"error": "Server Error (500)"}),
    ],
    ids=[
        "in_not_array-data.py:483-489",
        "all_not_array-data.py:486-487",
        "unknown_operator_after_an_operator-data.py:483-489",
        "top_level_in-data.py:483-489",
        "not_an_object-mongo_helper.py:397-400",
        "id_none_int_typeerror-mongo_helper.py:288-293",
    ],
)
def test_query_errors(
    query: Any, status: int, body: Any, server: FakeKoboServer, store: FakeKoboStore
) -> None:
    """Mongo OperationFailure → 400 (kpi/views/v2/data.py:483-489);

    Python errors inside get_submissions are not caught → 500 (kobo/urls.py:119-123).
    """
    _seed(store, 2)
    response = _get(server, _DATA, query=query)

    assert (response.status_code, response.json()) == (status, body)


@pytest.mark.parametrize(
    ("sort", "status"),
    [({"_id": -1}, 200), ({"_id": "-1"}, 200), ({"_id": 2}, 500), ({"_id": "x"}, 500), ([1], 500)],
)
def test_sort_directions(
    sort: Any, status: int, server: FakeKoboServer, store: FakeKoboStore
) -> None:
    """kpi/utils/mongo_helper.py:157-160 int()s each direction;

    Mongo rejects all but 1/-1 while streaming, outside the view's OperationFailure handler → 500.
    """
    ids = _seed(store, 3)
    response = _get(server, _DATA, sort=sort)

    assert response.status_code == status
    if status == 200:
        assert _ids(response) == ids[::-1]


def test_fields_projection(server: FakeKoboServer, store: FakeKoboStore) -> None:
    """kpi/utils/mongo_helper.py:408-439 adds _uuid and meta/rootUuid and encodes names (a dotted
    name selects nothing); base_backend.py:826-851 injects _validation_status {}. JSON null is
    len(None) → 500 (openrosa_backend.py:1582-1583).
    """
    _seed(store, 1)
    row = _get(server, _DATA, fields=["_id", "_validation_status.uid"]).json()["results"][0]

    assert set(row) == {"_id", "_uuid", "meta/rootUuid", "_validation_status"}
    assert _get(server, _DATA, fields="null").status_code == 500


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        (_DATA, {"format": "json"}, 200),
        (_DATA.rstrip("/") + ".json", {}, 200),
        (_DATA, {"format": "csv"}, 404),
        (_DATA, {"format": "xml"}, 501),
        (_DATA.rstrip("/") + ".xml", {}, 501),
        (_DATA, {"format": "geojson"}, 501),
    ],
)
def test_formats(
    path: str, params: dict[str, str], status: int, server: FakeKoboServer, store: FakeKoboStore
) -> None:
    """Renderers kpi/views/v2/data.py:264-269 (json, html, geojson, xml);

    DRF content negotiation 404s an unknown format; the fake refuses non-JSON formats with 501.
    """
    _seed(store, 1)

    assert _get(server, path, **params).status_code == status


# -- bulk validation statuses -------------------------------------------------------------------


def _bulk(server: FakeKoboServer, body: Any, method: str = "PATCH") -> requests.Response:
    return _call(server, method, _DATA + "validation_statuses/", body=body)


def test_bulk_accepts_an_object_or_a_json_string(
    server: FakeKoboServer, store: FakeKoboStore
) -> None:
    """kpi/fields/writable_json.py:20-36;

    kpi/views/v2/data.py:738-761 → 200 "N submissions have been updated"
    (openrosa_backend.py:1206-1210).
    """
    ids = _seed(store, 2)
    as_object = _bulk(
        server, {"payload": {"submission_ids": [ids[0]], "validation_status.uid": APPROVED}}
    )
    as_string = _bulk(
        server,
        {"payload": json.dumps({"submission_ids": [ids[1]], "validation_status.uid": ON_HOLD})},
    )

    assert as_object.json() == {"detail": "1 submissions have been updated"}
    assert as_string.status_code == 200
    assert (_status(store, ids[0]), _status(store, ids[1])) == (APPROVED, ON_HOLD)


@pytest.mark.parametrize(
    ("body", "status", "answer"),
    [
        ({}, 400, {"payload": ["This field is required."]}),
        ({"payload": None}, 400, {"payload": ["This field may not be null."]}),
        ({"payload": "{bad"}, 400, {"payload": ["Unable to parse JSON"]}),
        (
            {"payload": {"validation_status.uid": APPROVED}},
            400,
            {"payload": ["Confirmation is required"]},
        ),
        (
            {"payload": {"submission_ids": ["x"], "validation_status.uid": APPROVED}},
            400,
            {"payload": ["`submission_ids` must only contain integer values"]},
        ),
        (
            {"payload": {"submission_ids": [], "validation_status.uid": APPROVED}},
            400,
            {"payload": ["`submission_ids` must contain at least one value"]},
        ),
        (
            {"payload": {"submission_ids": [1]}},
            400,
            {"payload": ["`validation_status.uid` is required"]},
        ),
        ([1], 400, {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
        (
            {
                "payload": {
                    "submission_ids": [1],
                    "query": {"_id": 1},
                    "validation_status.uid": APPROVED,
                }
            },
            500,
            {"error": "Server Error (500)"},
        ),
        (
            {"payload": {"confirm": "yes", "validation_status.uid": APPROVED}},
            500,
            {"error": "Server Error (500)"},
        ),
    ],
    ids=[
        "missing-serializers/v2/data.py:20",
        "null-serializers/v2/data.py:20",
        "bad_json-writable_json.py:29-36",
        "no_ids_query_confirm-serializers/v2/data.py:51-62",
        "non_int_ids-serializers/v2/data.py:64-71",
        "empty_ids-serializers/v2/data.py:73-76",
        "no_uid-serializers/v2/data.py:86-92",
        "not_an_object-DRF Serializer.to_internal_value",
        "ids_and_query-database_query.py:43-44",
        "confirm_not_true-database_query.py:78-81",
    ],
)
def test_bulk_payload_errors(
    body: Any, status: int, answer: Any, server: FakeKoboServer, store: FakeKoboStore
) -> None:
    """kpi/serializers/v2/data.py:13-92;

    uncaught BuildDbQueries* errors are 500s
    (kobo/apps/openrosa/apps/logger/utils/database_query.py:43-81).
    """
    _seed(store, 1)
    response = _bulk(server, body)

    assert (response.status_code, response.json()) == (status, answer)


def test_bulk_one_foreign_id_rejects_the_whole_batch(
    server: FakeKoboServer, store: FakeKoboStore
) -> None:
    """kobo/apps/openrosa/apps/logger/utils/instance.py:296-302 and kpi/views/v2/data.py:755-759
    (kpi PR #7143: 2.026.21c, backported to 2.026.03g and 2.026.12d.1/12j).
    """
    ids = _seed(store, 2)
    store.add_asset("aOtherForm", "Other", versions=[("v1", FORM_CONTENT)])
    foreign = store.add_submission("aOtherForm", answers(9))["_id"]

    for batch in ([ids[0], foreign], [ids[0], 999_999]):
        response = _bulk(
            server, {"payload": {"submission_ids": batch, "validation_status.uid": APPROVED}}
        )
        assert (response.status_code, response.json()) == (
            400,
            {"detail": "One or more submission ids are invalid"},
        )
    assert _status(store, ids[0]) is None


def test_bulk_before_pr_7143_ignores_foreign_ids() -> None:
    """Before kpi PR #7143 (commit 1bf432a514) the update filtered by the form:

    foreign ids were silently skipped and the count says so (e.g. release 2.026.03f).
    """
    store = _store(kpi_release="2.026.03f")
    ids = _seed(store, 1)
    with FakeKoboServer(store) as server:
        response = _bulk(
            server,
            {"payload": {"submission_ids": [ids[0], 999], "validation_status.uid": APPROVED}},
        )

    assert response.json() == {"detail": "1 submissions have been updated"}
    assert _status(store, ids[0]) == APPROVED


def test_bulk_unknown_uid_clears_and_delete_is_the_same_as_patch(
    server: FakeKoboServer, store: FakeKoboStore
) -> None:
    """instance.py:214-219 an unknown uid is {} (the rows are cleared);

    :278-320 never looks at the method, so DELETE with a uid *sets* it
    (kpi/views/v2/data.py:738-761).
    """
    ids = _seed(store, 2)
    store.set_status(FORM_UID, ids[0], APPROVED)

    _bulk(server, {"payload": {"submission_ids": [ids[0]], "validation_status.uid": "nope"}})
    _bulk(
        server,
        {"payload": {"submission_ids": [ids[1]], "validation_status.uid": ON_HOLD}},
        "DELETE",
    )

    assert (_status(store, ids[0]), _status(store, ids[1])) == (None, ON_HOLD)


def test_bulk_by_query_and_by_confirm(server: FakeKoboServer, store: FakeKoboStore) -> None:
    """database_query.py:46-60 (query) and :78-81 (confirm must be `True`)."""
    ids = _seed(store, 3)
    by_query = _bulk(
        server, {"payload": {"query": {"_id": {"$gt": ids[0]}}, "validation_status.uid": ON_HOLD}}
    )
    by_confirm = _bulk(server, {"payload": {"confirm": True, "validation_status.uid": APPROVED}})

    assert by_query.json() == {"detail": "2 submissions have been updated"}
    assert by_confirm.json() == {"detail": "3 submissions have been updated"}


# -- single validation status, rows and Enketo links -------------------------------------------


def test_single_status_get_patch_delete(server: FakeKoboServer, store: FakeKoboStore) -> None:
    """kpi/views/v2/data.py:690-717, openrosa_backend.py:1111-1171:

    body key `validation_status.uid`; an unknown or missing uid is 400 with Python's str() of it.
    """
    kobo_id = _seed(store, 1)[0]
    path = f"{_DATA}{kobo_id}/validation_status/"

    ok = _call(server, "PATCH", path, body={"validation_status.uid": APPROVED})
    bad = _call(server, "PATCH", path, body={"validation_status.uid": "nope"})
    missing = _call(server, "PATCH", path, body={})
    got = _get(server, path).json()
    deleted = _call(server, "DELETE", path)

    assert (ok.status_code, ok.json()["uid"], got["label"]) == (200, APPROVED, "Approved")
    assert bad.json() == {"detail": "Invalid validation status: `nope`"}
    assert missing.json() == {"detail": "Invalid validation status: `None`"}
    assert (deleted.status_code, _get(server, path).json()) == (204, {})


_LINKS = [
    "",
    "validation_status/",
    "enketo/edit/",
    "enketo/view/",
    "enketo/redirect/edit/",
    "enketo/redirect/view/",
    "edit/",
]
# The status each link answers with when found: the redirects send the browser on to Enketo.
_FOUND = {suffix: 302 if "redirect" in suffix else 200 for suffix in _LINKS}


@pytest.mark.parametrize("suffix", _LINKS)
def test_root_uuid_ids_are_500_before_pr_6660(
    suffix: str, server: FakeKoboServer, store: FakeKoboStore
) -> None:
    """Before kpi PR #6660 (8b382e2306, release 2.026.07) these views ran positive_int(pk)
    unguarded: a rootUuid is a 500 — except retrieve, which matched a bare `_uuid` and 404ed
    anything else (`git show 8b382e2306 -- kpi/views/v2/data.py`). The default fake is old.
    """
    row = store.add_submission(FORM_UID, answers(0))
    root = row["meta/rootUuid"].removeprefix("uuid:")

    by_id = _get(server, f"{_DATA}{row['_id']}/{suffix}")
    by_root = _get(server, f"{_DATA}{root}/{suffix}")

    assert by_id.status_code == _FOUND[suffix]
    assert by_root.status_code == (200 if suffix == "" else 500)


@pytest.mark.parametrize("suffix", _LINKS)
def test_root_uuid_ids_work_since_pr_6660(suffix: str) -> None:
    """kpi/views/v2/data.py:1061-1159 `_get_submission_by_id_or_root_uuid` (kpi PR #6660):

    a non-integer id is a rootUuid (prefix optional), falling back to `_uuid`.
    """
    store = _store(kpi_release="2.026.07")
    row = store.add_submission(FORM_UID, answers(0))
    store.edit_submission(FORM_UID, row["_id"], {"respondent/age": "50"})
    with FakeKoboServer(store) as server:
        bare = _get(server, f"{_DATA}{row['meta/rootUuid'].removeprefix('uuid:')}/{suffix}")
        prefixed = _get(server, f"{_DATA}{row['meta/rootUuid']}/{suffix}")

    assert bare.status_code == _FOUND[suffix]
    assert prefixed.status_code == _FOUND[suffix]


def test_old_retrieve_matches_the_current_uuid_not_the_root(
    server: FakeKoboServer, store: FakeKoboStore
) -> None:
    """Pre-#6660 retrieve:

    `re.match(r'[a-z\\d]{8}-…', pk)` then `query['_uuid'] = pk`, so after an edit the rootUuid is a
    404 and a "uuid:" prefix never matches.
    """
    row = store.add_submission(FORM_UID, answers(0))
    root = row["meta/rootUuid"].removeprefix("uuid:")
    store.edit_submission(FORM_UID, row["_id"], {"respondent/age": "50"})

    assert _get(server, f"{_DATA}{root}/").status_code == 404
    assert (
        _get(server, f"{_DATA}uuid:{store.submission(FORM_UID, row['_id'])['_uuid']}/").status_code
        == 404
    )
    assert (
        _get(server, f"{_DATA}{store.submission(FORM_UID, row['_id'])['_uuid']}/").status_code
        == 200
    )


def test_enketo_answers_and_redirects(server: FakeKoboServer, store: FakeKoboStore) -> None:
    """kpi/views/v2/data.py:1054-1059 `{"url", "version_uid"}` with the latest deployed version;

    :1161-1169 redirect → 302 to that url; unknown id → 404 (:1156-1159).
    """
    kobo_id = _seed(store, 1)[0]

    link = _get(server, f"{_DATA}{kobo_id}/enketo/edit/").json()
    redirect = _get(server, f"{_DATA}{kobo_id}/enketo/redirect/edit/")

    assert link["version_uid"] == "vNew2"
    assert redirect.status_code == 302
    assert "/edit/" in redirect.headers["Location"]
    assert _get(server, f"{_DATA}999/enketo/edit/").status_code == 404


def test_row_get_and_delete(server: FakeKoboServer, store: FakeKoboStore) -> None:
    """kpi/views/v2/data.py:306-325, 500-512;

    filters of the request apply to the lookup (:1110), so `start=1` skips the one row → 404.
    """
    kobo_id = _seed(store, 1)[0]

    assert _get(server, f"{_DATA}{kobo_id}/").json()["_id"] == kobo_id
    assert _get(server, f"{_DATA}{kobo_id}/", start="1").status_code == 404
    assert _call(server, "DELETE", f"{_DATA}{kobo_id}/").status_code == 204
    assert _get(server, f"{_DATA}{kobo_id}/").json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    "key",
    ["__version__", "_version_", "_version__", "__version_", "_version__001", "__version__001"],
)
def test_version_key_variants_are_read(
    key: str, server: FakeKoboServer, store: FakeKoboStore
) -> None:
    """kobo/apps/reports/constants.py:12 FUZZY_VERSION_PATTERN `^__?version__?(\\d{3})?$` (usedby
    kpi/mixins/formpack_xlsform_utils.py:181, report_data.py:68-94): the fake emits each variant and
    parse_submission reads the version from it.
    """
    store.add_submission(FORM_UID, answers(0), version_uid="vOld1", version_key=key)
    row = _get(server, _DATA).json()["results"][0]

    assert key in row
    assert "__version__" not in set(row) - {key}
    assert parse_submission(row).version == "vOld1"


# -- the coverage check ------------------------------------------------------------------------


def test_contract_check_flags_unlisted_calls() -> None:
    """contract.violations:

    an unlisted parameter, endpoint, body key, or a rootUuid id on a server without kpi PR #6660 is
    reported.
    """
    calls = {
        Call("GET", "/api/v2/assets/{uid}/data/", frozenset({"offset"})),
        Call("GET", "/api/v2/assets/{uid}/data/{root_uuid}/enketo/redirect/edit/"),
        Call("POST", "/api/v2/assets/{uid}/data/"),
        Call(
            "PATCH",
            "/api/v2/assets/{uid}/data/validation_statuses/",
            frozenset(),
            frozenset({"payload", "payload.data"}),
        ),
    }

    found = violations(calls, {"accepts_root_uuid": False})

    assert len(found) == 4
    assert (
        violations(
            calls - {c for c in calls if c.method != "GET" or "offset" in c.params},
            {"accepts_root_uuid": True},
        )
        == []
    )


@pytest.mark.django_db
@pytest.mark.parametrize("release", ["2.026.03h", "2.026.30"])
def test_sync_scan_push_and_links_keep_to_the_contract(release: str, settings: Any) -> None:
    """A full sync (keyset pages + versions), a reconciliation scan, a push-back in bulk with a
    refused row (split), a single-status PATCH, the status catch-up and edit links, all over HTTP:
    every (method, template, parameter, body key) sent must be in contract.py.
    """
    from surveys.models import KoboForm, KoboServer, Submission
    from surveys.push import push_review_statuses
    from surveys.sync import sync_form

    settings.KOBO_PAGE_SIZE = 2
    store = _store(kpi_release=release)
    ids = _seed(store, 5)
    with FakeKoboServer(store) as server:
        client = KoboClient(server.url, KOBO_TOKEN, page_size=2, retries=1, backoff=0.01)
        kobo = KoboServer.objects.create(name="fake", base_url=server.url, api_token=KOBO_TOKEN)
        form = KoboForm.objects.create(server=kobo, asset_uid=FORM_UID, name="form")
        sync_form(form=form, client=client)
        store.edit_submission(FORM_UID, ids[0], {"respondent/age": "77"})
        sync_form(form=form, client=client, full=True)  # reconciliation scan + refetch
        Submission.objects.filter(kobo_id__in=ids[:3]).update(review_status="approved")
        store.delete_submission(FORM_UID, ids[2])  # the bulk PATCH is refused, then split
        push_review_statuses(form=form, client=client, refresh=True)
        push_review_statuses(form=form, client=client)
        client.set_validation_status(FORM_UID, ids[1], ON_HOLD)
        for target in (ids[0], store.submission(FORM_UID, ids[0])["meta/rootUuid"]):
            if isinstance(target, str) and not store.accepts_root_uuid:
                continue  # the client builds rootUuid links only for servers that take them
            link = edit_redirect_url(server.url, FORM_UID, target)
            assert requests.get(link, timeout=5, allow_redirects=False).status_code == 302

        assert server.contract_violations() == []
        sent = {(c.method, c.template) for c in server.stats.calls()}
    assert ("PATCH", "/api/v2/assets/{uid}/data/validation_statuses/") in sent
    assert ("GET", "/api/v2/assets/{uid}/data/") in sent
