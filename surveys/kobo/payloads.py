"""Typed views of KPI v2 JSON (assets, versions, data pages, submissions), parsed at the edge."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from surveys.kobo.errors import MalformedPayloadError

# The version a row was filled with: `__version__`, or on older forms a variant that KPI
# recognises by kpi kobo/apps/reports/constants.py:12 (FUZZY_VERSION_PATTERN), e.g. `_version_`,
# `__version__001` (kpi/mixins/formpack_xlsform_utils.py:181 strips them all from content).
_VERSION_KEY = re.compile(r"^__?version__?(\d{3})?$")


@dataclass(frozen=True)
class AssetSummary:
    uid: str
    name: str
    asset_type: str
    deployment_status: str | None
    deployed_version_id: str | None
    submission_count: int | None


@dataclass(frozen=True)
class VersionSummary:
    uid: str
    content_hash: str
    date_deployed: datetime | None


@dataclass(frozen=True)
class AssetDetail(AssetSummary):
    content: dict[str, Any]
    deployed_versions: list[VersionSummary]
    deployment_uuid: str | None


@dataclass(frozen=True)
class VersionDetail:
    uid: str
    content: dict[str, Any]
    content_hash: str
    date_deployed: datetime | None


@dataclass(frozen=True)
class DataPage:
    count: int
    next: str | None
    results: list[dict[str, Any]]


@dataclass(frozen=True)
class SubmissionRef:
    """The light fields of the reconciliation scan (kobo-api.md §5 step 2)."""

    kobo_id: int
    instance_id: str
    root_uuid: str
    validation_status: str | None


@dataclass(frozen=True)
class ParsedSubmission:
    kobo_id: int
    root_uuid: str
    instance_id: str
    version: str | None
    submitted_by: str | None
    submission_time: datetime
    start: datetime | None
    end: datetime | None
    validation_status: str | None
    deprecated_id: str | None
    geolocation: tuple[float, float] | None
    answers: dict[str, Any]


def _object(raw: Any, what: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise MalformedPayloadError(f"{what} is not a JSON object")
    return raw


def _required_str(raw: dict[str, Any], key: str, what: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedPayloadError(f"{what} has no string {key!r}")
    return value


def _optional_str(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return value if isinstance(value, str) and value else None


def _optional_int(raw: dict[str, Any], key: str) -> int | None:
    value = raw.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _int_id(raw: dict[str, Any]) -> int:
    value = raw.get("_id")
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedPayloadError("submission has a missing or non-integer _id")
    return value


def strip_uuid(value: str) -> str:
    """KoBo prefixes instance and root ids with "uuid:" (kobo-api.md §3.1); we store them bare."""
    return value.removeprefix("uuid:")


def parse_timestamp(value: Any) -> datetime | None:
    """An ISO timestamp with offset as an aware datetime; None when absent, naive or unparsable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _submission_time(raw: dict[str, Any]) -> datetime:
    value = raw.get("_submission_time")
    if not isinstance(value, str):
        raise MalformedPayloadError("submission has no string _submission_time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise MalformedPayloadError("submission has an unparsable _submission_time") from None
    # KoBo writes server receipt time in UTC without an offset (kobo-api.md §3.1).
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _validation_uid(raw: dict[str, Any]) -> str | None:
    status = raw.get("_validation_status")
    if status is None:
        return None
    if not isinstance(status, dict):
        raise MalformedPayloadError("submission has a _validation_status that is not an object")
    uid = status.get("uid")
    return uid if isinstance(uid, str) and uid else None


def _geolocation(raw: dict[str, Any]) -> tuple[float, float] | None:
    value = raw.get("_geolocation")
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    lat, lng = value
    if isinstance(lat, int | float) and isinstance(lng, int | float):
        if isinstance(lat, bool) or isinstance(lng, bool):
            return None
        return (float(lat), float(lng))
    return None


def _identity(raw: dict[str, Any]) -> tuple[str, str]:
    """(instance_id, root_uuid): rootUuid is the stable identity, instanceID changes per edit."""
    instance_id = _optional_str(raw, "meta/instanceID")
    root = _optional_str(raw, "meta/rootUuid")
    if instance_id is None:
        bare = _optional_str(raw, "_uuid")
        instance_id = f"uuid:{strip_uuid(bare)}" if bare else None
    if instance_id is None and root is None:
        raise MalformedPayloadError("submission has neither meta/instanceID nor meta/rootUuid")
    # Servers older than kpi PR #5476 may omit rootUuid; before any edit it equals instanceID.
    root_uuid = strip_uuid(root if root is not None else str(instance_id))
    if not root_uuid:
        raise MalformedPayloadError("submission has an empty meta/rootUuid")
    return instance_id or f"uuid:{root_uuid}", root_uuid


def parse_submission(raw: Any) -> ParsedSubmission:
    """One row of /data/ as a ParsedSubmission; MalformedPayloadError says why not."""
    doc = _object(raw, "submission")
    kobo_id = _int_id(doc)
    instance_id, root_uuid = _identity(doc)
    version = _version(doc)
    submitted_by = doc.get("_submitted_by")
    if submitted_by is not None and not isinstance(submitted_by, str):
        raise MalformedPayloadError("submission has a non-string _submitted_by")
    return ParsedSubmission(
        kobo_id=kobo_id,
        root_uuid=root_uuid,
        instance_id=instance_id,
        version=version,
        submitted_by=submitted_by or None,
        submission_time=_submission_time(doc),
        start=parse_timestamp(doc.get("start")),
        end=parse_timestamp(doc.get("end")),
        validation_status=_validation_uid(doc),
        deprecated_id=_optional_str(doc, "meta/deprecatedID"),
        geolocation=_geolocation(doc),
        answers=doc,
    )


def parse_ref(raw: Any) -> SubmissionRef:
    """One row of the projected scan (`_id`, `meta/instanceID`, `_validation_status`)."""
    doc = _object(raw, "submission reference")
    instance_id, root_uuid = _identity(doc)
    return SubmissionRef(
        kobo_id=_int_id(doc),
        instance_id=instance_id,
        root_uuid=root_uuid,
        validation_status=_validation_uid(doc),
    )


def parse_status(raw: Any) -> str | None:
    """The validation status uid of a row (None when it has none)."""
    return _validation_uid(_object(raw, "submission status"))


def parse_data_page(raw: Any) -> DataPage:
    envelope = _object(raw, "data page")
    count = _optional_int(envelope, "count")
    results = envelope.get("results")
    if count is None or not isinstance(results, list):
        raise MalformedPayloadError("data page lacks an integer count and a results list")
    return DataPage(count=count, next=_optional_str(envelope, "next"), results=results)


def parse_list_page(raw: Any, what: str) -> tuple[list[Any], str | None]:
    """The `results` and `next` of a DRF paginated envelope."""
    envelope = _object(raw, what)
    results = envelope.get("results")
    if not isinstance(results, list):
        raise MalformedPayloadError(f"{what} lacks a results list")
    return results, _optional_str(envelope, "next")


def parse_asset_summary(raw: Any) -> AssetSummary:
    doc = _object(raw, "asset")
    return AssetSummary(**_summary_fields(doc))


def _summary_fields(doc: dict[str, Any]) -> dict[str, Any]:
    name = doc.get("name")
    return {
        "uid": _required_str(doc, "uid", "asset"),
        "name": name if isinstance(name, str) else "",
        "asset_type": _optional_str(doc, "asset_type") or "",
        "deployment_status": _optional_str(doc, "deployment_status"),
        "deployed_version_id": _optional_str(doc, "deployed_version_id"),
        # null for non-owners without view permission (kobo-api.md §2).
        "submission_count": _optional_int(doc, "deployment__submission_count"),
    }


def _version(doc: dict[str, Any]) -> str | None:
    """`__version__` first, else the first variant of it present in the row."""
    if version := _optional_str(doc, "__version__"):
        return version
    for key in doc:
        if _VERSION_KEY.match(key) and (version := _optional_str(doc, key)):
            return version
    return None


def parse_version_summary(raw: Any) -> VersionSummary:
    doc = _object(raw, "asset version")
    return VersionSummary(
        uid=_required_str(doc, "uid", "asset version"),
        content_hash=_optional_str(doc, "content_hash") or "",
        date_deployed=parse_timestamp(doc.get("date_deployed")),
    )


def parse_asset_detail(raw: Any) -> AssetDetail:
    doc = _object(raw, "asset")
    content = doc.get("content")
    if not isinstance(content, dict):
        raise MalformedPayloadError("asset detail has no content object")
    versions = doc.get("deployed_versions")
    rows: list[Any] = []
    if isinstance(versions, dict):
        rows, _ = parse_list_page(versions, "asset deployed_versions")
    elif isinstance(versions, list):
        rows = versions
    return AssetDetail(
        **_summary_fields(doc),
        content=content,
        deployed_versions=[parse_version_summary(row) for row in rows],
        deployment_uuid=_optional_str(doc, "deployment__uuid"),
    )


def parse_version_detail(raw: Any) -> VersionDetail:
    doc = _object(raw, "asset version")
    content = doc.get("content")
    if not isinstance(content, dict):
        raise MalformedPayloadError("asset version has no content object")
    summary = parse_version_summary(doc)
    return VersionDetail(
        uid=summary.uid,
        content=content,
        content_hash=summary.content_hash,
        date_deployed=summary.date_deployed,
    )
