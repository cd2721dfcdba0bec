"""Parsing of KPI JSON at the edge: submissions, refs, pages, assets and versions."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from surveys.kobo.errors import MalformedPayloadError
from surveys.kobo.payloads import (
    parse_asset_detail,
    parse_asset_summary,
    parse_data_page,
    parse_ref,
    parse_submission,
    parse_version_detail,
)

ROOT = "5d1c9f0e-7b0a-4b8e-9d39-1f2a3b4c5d6e"
CURRENT = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"


def _raw(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "_id": 412,
        "formhub/uuid": "0f2d4e6a8c0b4d2f9e1a3c5b7d9f1e3a",
        "start": "2026-03-02T10:02:11.204+05:00",
        "end": "2026-03-02T10:14:40.911+05:00",
        "respondent/age": "34",
        "hh_members": [{"hh_members/member_name": "Aigerim", "hh_members/member_age": "38"}],
        "__version__": "vKx7sNbP3d",
        "meta/instanceID": f"uuid:{CURRENT}",
        "meta/rootUuid": f"uuid:{ROOT}",
        "meta/deprecatedID": f"uuid:{ROOT}",
        "_xform_id_string": "aTestForm",
        "_uuid": CURRENT,
        "_attachments": [],
        "_status": "submitted_via_web",
        "_geolocation": [43.238, 76.945],
        "_submission_time": "2026-03-02T05:15:02",
        "_validation_status": {
            "timestamp": 1772500000,
            "uid": "validation_status_on_hold",
            "by_whom": "supervisor1",
            "label": "On Hold",
        },
        "_submitted_by": "enum_ak_01",
    }
    row.update(overrides)
    return row


def test_parse_submission_reads_every_field() -> None:
    raw = _raw()

    parsed = parse_submission(raw)

    assert parsed.kobo_id == 412
    assert parsed.root_uuid == ROOT
    assert parsed.instance_id == f"uuid:{CURRENT}"
    assert parsed.deprecated_id == f"uuid:{ROOT}"
    assert parsed.version == "vKx7sNbP3d"
    assert parsed.submitted_by == "enum_ak_01"
    assert parsed.submission_time == datetime(2026, 3, 2, 5, 15, 2, tzinfo=UTC)
    assert parsed.start == datetime(
        2026, 3, 2, 10, 2, 11, 204000, tzinfo=timezone(timedelta(hours=5))
    )
    assert parsed.end is not None
    assert parsed.end.astimezone(UTC) == datetime(2026, 3, 2, 5, 14, 40, 911000, tzinfo=UTC)
    assert parsed.validation_status == "validation_status_on_hold"
    assert parsed.geolocation == (43.238, 76.945)
    assert parsed.answers is raw


def test_parse_submission_of_a_minimal_fresh_row() -> None:
    raw = {"_id": 1, "meta/instanceID": f"uuid:{ROOT}", "_submission_time": "2026-03-02T05:15:02"}

    parsed = parse_submission(raw)

    assert (parsed.root_uuid, parsed.instance_id) == (ROOT, f"uuid:{ROOT}")
    assert (parsed.version, parsed.submitted_by, parsed.validation_status) == (None, None, None)
    assert (parsed.start, parsed.end, parsed.geolocation, parsed.deprecated_id) == (
        None,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("_case", "key"),
    [("current", "__version__"), ("old_underscore", "_version_"), ("old_suffix", "__version__001")],
)
def test_version_is_read_from_old_keys_too(_case: str, key: str) -> None:
    raw = _raw()
    del raw["__version__"]
    raw[key] = "vOld"

    assert parse_submission(raw).version == "vOld"


@pytest.mark.parametrize(
    ("_case", "overrides", "removed", "root", "instance"),
    [
        ("no_prefix_root", {"meta/rootUuid": ROOT}, [], ROOT, f"uuid:{CURRENT}"),
        ("root_missing_uses_instance", {}, ["meta/rootUuid"], CURRENT, f"uuid:{CURRENT}"),
        ("instance_from_uuid", {}, ["meta/instanceID"], ROOT, f"uuid:{CURRENT}"),
        ("only_root", {}, ["meta/instanceID", "_uuid"], ROOT, f"uuid:{ROOT}"),
    ],
)
def test_identity_fallbacks(
    _case: str, overrides: dict[str, Any], removed: list[str], root: str, instance: str
) -> None:
    raw = _raw(**overrides)
    for key in removed:
        del raw[key]

    parsed = parse_submission(raw)

    assert (parsed.root_uuid, parsed.instance_id) == (root, instance)


@pytest.mark.parametrize(
    ("_case", "value", "expected"),
    [
        ("utc_naive", "2026-03-02T05:15:02", datetime(2026, 3, 2, 5, 15, 2, tzinfo=UTC)),
        ("fraction", "2026-03-02T05:15:02.5", datetime(2026, 3, 2, 5, 15, 2, 500000, tzinfo=UTC)),
        ("offset", "2026-03-02T10:15:02+05:00", datetime(2026, 3, 2, 5, 15, 2, tzinfo=UTC)),
    ],
)
def test_submission_time_is_aware_utc(_case: str, value: str, expected: datetime) -> None:
    parsed = parse_submission(_raw(_submission_time=value)).submission_time

    assert parsed == expected
    assert parsed.tzinfo == UTC


@pytest.mark.parametrize(
    ("_case", "overrides", "expected"),
    [
        ("naive", {"start": "2026-03-02T10:02:11"}, None),
        ("garbage", {"start": "yesterday"}, None),
        ("not_string", {"start": 5}, None),
    ],
)
def test_unusable_device_times_become_none(
    _case: str, overrides: dict[str, Any], expected: None
) -> None:
    assert parse_submission(_raw(**overrides)).start is expected


@pytest.mark.parametrize(
    ("_case", "value", "expected"),
    [
        ("nulls", [None, None], None),
        ("missing", None, None),
        ("ints", [43, 76], (43.0, 76.0)),
        ("bools", [True, False], None),
        ("short", [43.2], None),
    ],
)
def test_geolocation(_case: str, value: Any, expected: tuple[float, float] | None) -> None:
    assert parse_submission(_raw(_geolocation=value)).geolocation == expected


def test_empty_validation_status_is_none() -> None:
    assert parse_submission(_raw(_validation_status={})).validation_status is None


@pytest.mark.parametrize(
    ("_case", "raw", "reason"),
    [
        ("not_object", ["a"], "not a JSON object"),
        ("missing_id", _raw(_id=None), "_id"),
        ("string_id", _raw(_id="412"), "_id"),
        ("bool_id", _raw(_id=True), "_id"),
        (
            "no_identity",
            {
                k: v
                for k, v in _raw().items()
                if k not in {"meta/instanceID", "meta/rootUuid", "_uuid"}
            },
            "neither meta/instanceID nor meta/rootUuid",
        ),
        ("empty_root", _raw(**{"meta/rootUuid": "uuid:", "meta/instanceID": None}), "rootUuid"),
        ("no_time", _raw(_submission_time=None), "_submission_time"),
        ("bad_time", _raw(_submission_time="02/03/2026"), "_submission_time"),
        ("status_not_object", _raw(_validation_status="approved"), "_validation_status"),
        ("submitted_by_number", _raw(_submitted_by=7), "_submitted_by"),
    ],
)
def test_malformed_submission_says_why(_case: str, raw: Any, reason: str) -> None:
    with pytest.raises(MalformedPayloadError, match=reason) as caught:
        parse_submission(raw)

    assert "Aigerim" not in str(caught.value)


def test_parse_ref_reads_scan_fields() -> None:
    raw = {
        "_id": 9,
        "meta/instanceID": f"uuid:{CURRENT}",
        "_uuid": CURRENT,
        "meta/rootUuid": f"uuid:{ROOT}",
        "_validation_status": {},
    }

    ref = parse_ref(raw)

    assert (ref.kobo_id, ref.instance_id, ref.root_uuid, ref.validation_status) == (
        9,
        f"uuid:{CURRENT}",
        ROOT,
        None,
    )


@pytest.mark.parametrize(
    ("_case", "raw"),
    [
        ("not_object", []),
        ("no_count", {"results": []}),
        ("results_not_list", {"count": 1, "results": {}}),
    ],
)
def test_malformed_data_page(_case: str, raw: Any) -> None:
    with pytest.raises(MalformedPayloadError):
        parse_data_page(raw)


def test_data_page() -> None:
    page = parse_data_page({"count": 3, "next": None, "previous": None, "results": [{"_id": 1}]})

    assert (page.count, page.next, page.results) == (3, None, [{"_id": 1}])


ASSET = {
    "uid": "aTestForm",
    "name": "MTM round 3",
    "asset_type": "survey",
    "deployment_status": "deployed",
    "deployed_version_id": "vNew",
    "deployment__submission_count": None,
    "deployment__uuid": "0f2d4e6a8c0b4d2f9e1a3c5b7d9f1e3a",
    "content": {"schema": "1", "survey": [{"type": "integer", "name": "age"}]},
    "deployed_versions": {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {"uid": "vNew", "content_hash": "ab" * 20, "date_deployed": "2026-03-01T08:00:00.5Z"},
            {"uid": "vOld", "content_hash": "cd" * 20, "date_deployed": "2026-02-01T08:00:00Z"},
        ],
    },
}


def test_asset_summary_and_detail() -> None:
    summary = parse_asset_summary(ASSET)
    detail = parse_asset_detail(ASSET)

    assert (summary.uid, summary.name, summary.deployed_version_id, summary.submission_count) == (
        "aTestForm",
        "MTM round 3",
        "vNew",
        None,
    )
    assert detail.content["survey"][0]["name"] == "age"
    assert [v.uid for v in detail.deployed_versions] == ["vNew", "vOld"]
    assert detail.deployed_versions[0].date_deployed == datetime(
        2026, 3, 1, 8, 0, 0, 500000, tzinfo=UTC
    )
    assert detail.deployment_uuid == "0f2d4e6a8c0b4d2f9e1a3c5b7d9f1e3a"


@pytest.mark.parametrize(
    ("_case", "raw"),
    [
        ("no_uid", {**ASSET, "uid": None}),
        ("no_content", {**ASSET, "content": None}),
        ("bad_versions", {**ASSET, "deployed_versions": {"results": [{"content_hash": "x"}]}}),
    ],
)
def test_malformed_asset_detail(_case: str, raw: dict[str, Any]) -> None:
    with pytest.raises(MalformedPayloadError):
        parse_asset_detail(raw)


def test_version_detail() -> None:
    version = parse_version_detail(
        {"uid": "vOld", "content_hash": "cd" * 20, "date_deployed": None, "content": {"survey": []}}
    )

    assert (version.uid, version.content, version.date_deployed) == ("vOld", {"survey": []}, None)
    with pytest.raises(MalformedPayloadError):
        parse_version_detail({"uid": "vOld"})
