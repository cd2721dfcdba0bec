"""JSON shapes of the fake server: requests/responses, KPI asset and version objects, links."""

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from demo.kobo_fake.store import FakeAsset, FakeVersion, encode


@dataclass
class Request:
    method: str
    path: str
    query_string: str
    params: dict[str, list[str]]
    body: bytes
    authorization: str | None
    base_url: str
    accept: str | None = None
    content_type: str | None = None

    @property
    def url(self) -> str:
        query = f"?{self.query_string}" if self.query_string else ""
        return f"{self.base_url}{self.path}{query}"

    def param(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[-1] if values else None

    def json_body(self) -> Any:
        return json.loads(self.body or b"{}")


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, value: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status, encode(value), headers=headers or {})


def detail(status: int, message: str) -> Response:
    return json_response(status, {"detail": message})


class HttpError(Exception):
    """Raised by route code to answer with a ready error response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def replace_query_param(url: str, key: str, value: object) -> str:
    """DRF's rebuild of `next`/`previous`: keys sorted and percent-encoded (kobo-api.md §3)."""
    scheme, netloc, path, query, fragment = urlsplit(url)
    params = parse_qs(query, keep_blank_values=True)
    params[key] = [str(value)]
    return urlunsplit(
        (scheme, netloc, path, urlencode(sorted(params.items()), doseq=True), fragment)
    )


def remove_query_param(url: str, key: str) -> str:
    scheme, netloc, path, query, fragment = urlsplit(url)
    params = parse_qs(query, keep_blank_values=True)
    params.pop(key, None)
    return urlunsplit(
        (scheme, netloc, path, urlencode(sorted(params.items()), doseq=True), fragment)
    )


def page_links(url: str, *, start: int, limit: int, count: int) -> tuple[str | None, str | None]:
    """DRF LimitOffsetPagination links with kpi's `start` as the offset parameter."""
    url = replace_query_param(url, "limit", limit)
    following = None
    if start + limit < count:
        following = replace_query_param(url, "start", start + limit)
    previous = None
    if start > 0:
        if start - limit <= 0:
            previous = remove_query_param(url, "start")
        else:
            previous = replace_query_param(url, "start", start - limit)
    return following, previous


def envelope(count: int, following: str | None, previous: str | None, items: list[bytes]) -> bytes:
    """A paginated body assembled from already-serialized rows (no re-encoding per page)."""
    head = b'{"count":%d,"next":%s,"previous":%s,"results":[' % (
        count,
        encode(following),
        encode(previous),
    )
    return head + b",".join(items) + b"]}"


def asset_url(base: str, asset: FakeAsset) -> str:
    return f"{base}/api/v2/assets/{asset.uid}/"


def version_labels(asset: FakeAsset) -> dict[str, str]:
    """Version numbers as KPI labels them.

    kpi/serializers/v2/asset_version.py:62-94: deployments count "1", "2"...; a draft is
    "<major>.<n>" after the latest deployment before it.
    """
    labels: dict[str, str] = {}
    major = minor = 0
    for version in asset.versions:
        if version.deployed:
            major, minor = major + 1, 0
            labels[version.uid] = str(major)
        else:
            minor += 1
            labels[version.uid] = f"{major}.{minor}"
    return labels


def version_summary(base: str, asset: FakeAsset, version: FakeVersion) -> dict[str, Any]:
    """One row of a versions list, as AssetVersionListSerializer shapes it.

    AssetVersionListSerializer (kpi/serializers/v2/asset_version.py:17-38): date_deployed is
    `deployed and date_modified`, so a draft shows `false`.
    """
    return {
        "uid": version.uid,
        "url": f"{asset_url(base, asset)}versions/{version.uid}/",
        "content_hash": version.content_hash,
        "date_deployed": version.date_deployed if version.deployed else False,
        "date_modified": version.date_deployed,
        "version_number": version_labels(asset)[version.uid],
    }


def version_detail(base: str, asset: FakeAsset, version: FakeVersion) -> dict[str, Any]:
    return {**version_summary(base, asset, version), "content": version.content}


def asset_summary(base: str, asset: FakeAsset) -> dict[str, Any]:
    """AssetListSerializer fields a client reads (kobo-api.md §2)."""
    deployed = asset.deployed
    last_time = None
    if asset.keys:
        last_time = asset.docs[asset.keys[-1]].get("_submission_time")
    return {
        "url": asset_url(base, asset),
        "owner__username": asset.owner,
        "parent": None,
        "settings": {},
        "asset_type": "survey",
        "date_created": asset.date_created,
        "summary": {},
        "date_modified": asset.date_modified,
        "date_deployed": deployed.date_deployed if deployed else None,
        "version_id": asset.latest.uid if asset.latest else None,
        "version_number": len(asset.versions),
        "has_deployment": deployed is not None,
        "deployed_version_id": deployed.uid if deployed else None,
        "deployment__active": deployed is not None,
        "deployment__submission_count": len(asset.keys) if deployed else 0,
        "deployment__last_submission_time": last_time,
        "deployment__uuid": asset.deployment_uuid if deployed else None,
        "deployment_status": "deployed" if deployed else "draft",
        "uid": asset.uid,
        "kind": "asset",
        "name": asset.name,
        "permissions": [],
        "data": f"{asset_url(base, asset)}data/",
        "tag_string": "",
    }


def asset_detail(base: str, asset: FakeAsset, deployed_versions: dict[str, Any]) -> dict[str, Any]:
    """`deployed_versions` is paginated by the caller from the request's own query string."""
    latest = asset.latest
    return {
        **asset_summary(base, asset),
        "content": latest.content if latest else {"schema": "1", "survey": [], "settings": {}},
        "deployed_versions": deployed_versions,
        "deployment__identifier": f"{base}/{asset.owner}/forms/{asset.uid}",
        "deployment__data_download_links": {},
        "report_styles": {},
        "report_custom": {},
        "map_styles": {},
        "map_custom": {},
        "embeds": f"{asset_url(base, asset)}embeds/",
        "xform_link": f"{asset_url(base, asset)}xform/",
        "hooks_link": f"{asset_url(base, asset)}hooks/",
        "children": {"count": 0},
        "subscribers_count": 0,
        "status": "private",
        "access_types": None,
        "data_sharing": {},
        "paired_data": f"{asset_url(base, asset)}paired-data/",
        "advanced_features": {},
        "files": [],
    }
