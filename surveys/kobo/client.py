"""KoboClient: the only module that talks HTTP to KoBo (kpi v2); returns payloads, not models."""

import json
import logging
import math
import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import orjson
import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from surveys.kobo.errors import (
    KoboAuthError,
    KoboError,
    KoboNotFoundError,
    KoboRejectedError,
    KoboUnavailableError,
    MalformedPayloadError,
)
from surveys.kobo.payloads import (
    AssetDetail,
    AssetSummary,
    DataPage,
    SubmissionRef,
    VersionDetail,
    parse_asset_detail,
    parse_asset_summary,
    parse_data_page,
    parse_list_page,
    parse_ref,
    parse_status,
    parse_version_detail,
    strip_uuid,
)

logger = logging.getLogger(__name__)

# kpi MAX_API_PAGE_SIZE; larger limits are silently capped by the server (kobo-api.md §3).
MAX_PAGE_SIZE = 1000
VALIDATION_STATUSES = frozenset(
    {"validation_status_approved", "validation_status_not_approved", "validation_status_on_hold"}
)
_RETRY_STATUSES = (429, 500, 502, 503, 504)
# Every call this client makes is idempotent (a status PATCH may be repeated freely, §5.6).
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
_DEPLOYED_SURVEYS = "asset_type:survey AND _deployment_status:deployed"
_REF_FIELDS = ["_id", "meta/instanceID", "_validation_status"]
_STATUS_FIELDS = ["_id", "_validation_status"]
_UPDATED = re.compile(r"(\d+)")
_BODY_CHUNK = 1 << 20


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _detail(response: requests.Response, content: bytes) -> str:
    """A short, safe description of an error body (KoBo's `detail`, else the first bytes)."""
    try:
        body = json.loads(content)
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return str(body["detail"])[:200]
    return json.dumps(body)[:200]


def _read_body(response: requests.Response) -> bytes:
    """The whole body, read 1 MiB at a time, and the connection back to the pool.

    `.content` reads 10 KiB at a time, a few Python calls each: on a 5 MB page of KoBo data
    that was about half the client's CPU besides decoding (6.5 ms a page, now 3). The
    errors are the same (ChunkedEncodingError, ConnectionError(ReadTimeoutError)...): both
    go through iter_content. A body cut short closes its connection rather than returning it.
    """
    try:
        return b"".join(response.iter_content(_BODY_CHUNK))
    finally:
        response.close()


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return float(value)
    except ValueError:
        return None


def _is_body_failure(exc: requests.exceptions.RequestException) -> bool:
    """True for a read timeout *after* the headers, which urllib3's Retry never sees.

    requests re-raises it as ConnectionError(ReadTimeoutError); a timeout before the headers
    arrives wrapped in MaxRetryError once urllib3's own retries are spent.
    """
    return bool(exc.args) and isinstance(exc.args[0], ReadTimeoutError)


class KoboClient:
    """Token-authenticated kpi v2 client with timeouts, bounded retries and keyset paging."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: tuple[float, float] = (5, 130),
        page_size: int = 1000,
        retries: int = 3,
        backoff: float = 0.5,
        retry_after_cap: float = 60.0,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.page_size = max(1, min(page_size, MAX_PAGE_SIZE))
        self.retries = max(0, retries)
        self.backoff = backoff
        self._headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        self._session = session or requests.Session()
        # Status-level and connect/read-before-headers retries: urllib3 honours Retry-After
        # (capped by retry_after_max) on 429/503 and backs off exponentially on the rest.
        retry = Retry(
            total=self.retries,
            connect=self.retries,
            read=self.retries,
            status=self.retries,
            other=0,
            backoff_factor=backoff,
            backoff_max=max(backoff, retry_after_cap),
            status_forcelist=_RETRY_STATUSES,
            allowed_methods=_IDEMPOTENT,
            respect_retry_after_header=True,
            retry_after_max=max(0, math.ceil(retry_after_cap)),  # urllib3 wants whole seconds
            raise_on_status=False,
            raise_on_redirect=False,
        )
        self._session.mount(self.base_url + "/", HTTPAdapter(max_retries=retry))

    def __repr__(self) -> str:
        return f"KoboClient(base_url={self.base_url!r})"

    # -- transport -----------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str | int] | None = None,
        body: dict[str, Any] | None = None,
    ) -> Any:
        """Send one call; return its decoded JSON (None for 204) or raise a KoboError.

        Broken bodies (truncated JSON, a connection reset mid-body, a read timeout after the
        headers, an HTML page with 200) get their own bounded loop with backoff.
        """
        url = self.base_url + path
        failures = 0
        while True:
            try:
                response = self._session.request(
                    method,
                    url,
                    params=params,
                    json=body,
                    headers=self._headers,
                    timeout=self.timeout,
                    stream=True,
                )
                content = _read_body(response)
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                if not _is_body_failure(exc):
                    raise KoboUnavailableError(
                        f"KoBo {method} {path} failed: {type(exc).__name__}"
                    ) from exc
                reason = type(exc).__name__
            except (
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
            ) as exc:
                reason = type(exc).__name__
            except requests.exceptions.RequestException as exc:
                # Bad URL, redirect loop...: configuration, not an outage; retrying won't help.
                raise KoboError(f"KoBo {method} {path} failed: {type(exc).__name__}") from exc
            else:
                self._raise_for_status(method, path, response, content)
                if response.status_code == 204 or not content:
                    return None
                try:
                    # orjson: decoding KoBo's pages is the client's largest cost in a sync.
                    return orjson.loads(content)
                except ValueError:
                    reason = "response body is not complete JSON"
            failures += 1
            if failures > self.retries:
                raise KoboUnavailableError(
                    f"KoBo {method} {path} failed after {failures} attempts: {reason}"
                )
            delay = min(self.backoff * 2 ** (failures - 1), 30.0)
            logger.warning(
                "KoBo %s %s: %s; retry %d in %.1fs", method, path, reason, failures, delay
            )
            time.sleep(delay)

    def _raise_for_status(
        self, method: str, path: str, response: requests.Response, content: bytes
    ) -> None:
        status = response.status_code
        if status < 400:
            return
        where = f"KoBo {method} {path}"
        if status in (401, 403):
            raise KoboAuthError(f"{where}: access denied ({status}): {_detail(response, content)}")
        if status == 404:
            raise KoboNotFoundError(f"{where}: not found: {_detail(response, content)}")
        if status == 429 or status >= 500:
            raise KoboUnavailableError(
                f"{where}: server unavailable ({status}) after {self.retries} retries",
                retry_after=_retry_after(response),
            )
        raise KoboRejectedError(
            f"{where}: rejected ({status}): {_detail(response, content)}", status=status
        )

    def _get_object(self, path: str, params: dict[str, str | int] | None = None) -> Any:
        data = self._request("GET", path, params=params)
        if not isinstance(data, dict):
            raise MalformedPayloadError(f"KoBo GET {path} did not return a JSON object")
        return data

    def _asset_path(self, uid: str) -> str:
        return f"/api/v2/assets/{quote(uid, safe='')}/"

    # -- account and assets --------------------------------------------------------------

    def me(self) -> dict[str, Any]:
        """The token's user: the health check (the asset list is 200 even anonymously, §1)."""
        data: dict[str, Any] = self._get_object("/me/")
        return data

    def list_assets(self) -> Iterator[AssetSummary]:
        """Deployed surveys visible to the token, following offset pages (assets are few)."""
        start = 0
        while True:
            params: dict[str, str | int] = {
                "q": _DEPLOYED_SURVEYS,
                "limit": self.page_size,
                "start": start,
            }
            results, next_url = parse_list_page(
                self._get_object("/api/v2/assets/", params), "asset list"
            )
            for row in results:
                yield parse_asset_summary(row)
            if not next_url or not results:
                return
            start += len(results)

    def get_asset(self, uid: str) -> AssetDetail:
        """The asset with its content, `deployed_version_id` and newest `deployed_versions`.

        The deployed versions come from here, not from `versions/?deployed=...`: KPI filters
        that BooleanField with the raw query string (kpi/views/v2/asset_version.py:91-94), so
        `true` is a 500 there while the detail's list needs no parameter on any release
        (kpi/serializers/v2/asset.py:452-461: the newest DEFAULT_API_PAGE_SIZE of them).
        """
        return parse_asset_detail(self._get_object(self._asset_path(uid)))

    def get_version(self, uid: str, version_uid: str) -> VersionDetail:
        path = f"{self._asset_path(uid)}versions/{quote(version_uid, safe='')}/"
        return parse_version_detail(self._get_object(path))

    # -- submissions ---------------------------------------------------------------------

    def iter_data(
        self,
        uid: str,
        *,
        after_id: int = 0,
        page_size: int | None = None,
        fields: list[str] | None = None,
        query: dict[str, Any] | None = None,
    ) -> Iterator[DataPage]:
        """Pages of submissions with `_id` > after_id in `_id` order (keyset, kobo-api.md §5.1).

        Keyset instead of `start` offsets: deep Mongo skips are slow and rows inserted or
        deleted between pages would shift offsets.
        """
        limit = max(1, min(page_size or self.page_size, MAX_PAGE_SIZE))
        watermark = after_id
        path = self._asset_path(uid) + "data/"
        while True:
            params: dict[str, str | int] = {
                "format": "json",
                "query": _json(_after(query or {}, watermark)),
                "sort": _json({"_id": 1}),
                "start": 0,
                "limit": limit,
            }
            if fields is not None:
                params["fields"] = _json(fields)
            page = parse_data_page(self._request("GET", path, params=params))
            yield page
            # `count` is the number of rows matching this page's query: if the page holds them
            # all we are done, even when a server caps `limit` below what we asked for.
            if not page.results or len(page.results) >= page.count:
                return
            ids = [
                row["_id"]
                for row in page.results
                if isinstance(row, dict) and type(row.get("_id")) is int
            ]
            if not ids or max(ids) <= watermark:
                raise MalformedPayloadError(f"KoBo data page of {uid} does not advance the _id")
            watermark = max(ids)

    def scan_refs(self, uid: str, *, after_id: int = 0) -> Iterator[list[SubmissionRef]]:
        """`_id`, instanceID and status of every row, a page at a time (edits and deletions)."""
        for page in self.iter_data(uid, after_id=after_id, fields=_REF_FIELDS):
            refs: list[SubmissionRef] = []
            for row in page.results:
                try:
                    refs.append(parse_ref(row))
                except MalformedPayloadError as exc:
                    kobo_id = row.get("_id") if isinstance(row, dict) else None
                    if type(kobo_id) is not int:
                        logger.warning("skipping a row without _id in the scan of %s", uid)
                        continue
                    # Still report the row, with blank ids, so it is refetched (and quarantined)
                    # instead of being taken for deleted.
                    logger.warning("malformed row %s in the scan of %s: %s", kobo_id, uid, exc)
                    refs.append(SubmissionRef(kobo_id, "", "", None))
            yield refs

    def get_submissions(self, uid: str, ids: list[int]) -> list[dict[str, Any]]:
        """Full rows for these `_id`s (missing ones are simply absent), chunked by page size."""
        rows: list[dict[str, Any]] = []
        for chunk in _chunks(sorted(set(ids)), self.page_size):
            for page in self.iter_data(uid, query={"_id": {"$in": chunk}}):
                rows.extend(page.results)
        return rows

    def get_submission(self, uid: str, kobo_id: int) -> dict[str, Any]:
        """One row by its `_id` (a rootUuid there is a 500 before KPI 2.026.07, PR #6660)."""
        data: dict[str, Any] = self._get_object(f"{self._asset_path(uid)}data/{int(kobo_id)}/")
        return data

    # -- validation status (kobo-api.md §4.1) --------------------------------------------

    def set_validation_status(self, uid: str, kobo_id: int, status_uid: str) -> dict[str, Any]:
        _check_status(status_uid)
        path = f"{self._asset_path(uid)}data/{int(kobo_id)}/validation_status/"
        data = self._request("PATCH", path, body={"validation_status.uid": status_uid})
        if not isinstance(data, dict):
            raise MalformedPayloadError(f"KoBo PATCH {path} did not return a status object")
        return data

    def set_validation_statuses(self, uid: str, ids: list[int], status_uid: str) -> int:
        """One bulk PATCH (at most MAX_PAGE_SIZE ids); returns how many KoBo reports updated.

        KoBo refuses the whole batch (KoboRejectedError) if any id is not one of the asset's
        rows; the caller splits it to find which.
        """
        # An unknown uid is not rejected by bulk PATCH: it *clears* every selected row.
        _check_status(status_uid)
        if not ids or len(ids) > MAX_PAGE_SIZE:
            raise ValueError(f"a bulk status change takes 1 to {MAX_PAGE_SIZE} ids")
        path = self._asset_path(uid) + "data/validation_statuses/"
        payload = {"submission_ids": [int(i) for i in ids], "validation_status.uid": status_uid}
        data = self._request("PATCH", path, body={"payload": payload})
        detail = data.get("detail") if isinstance(data, dict) else None
        match = _UPDATED.search(detail) if isinstance(detail, str) else None
        return int(match.group(1)) if match else len(ids)

    def validation_statuses(self, uid: str, ids: list[int]) -> dict[int, str | None]:
        """KoBo's current status uid of each of these `_id`s; rows KoBo lacks are absent."""
        statuses: dict[int, str | None] = {}
        for chunk in _chunks(sorted(set(ids)), self.page_size):
            query = {"_id": {"$in": chunk}}
            for page in self.iter_data(uid, query=query, fields=_STATUS_FIELDS):
                for row in page.results:
                    if isinstance(row, dict) and type(row.get("_id")) is int:
                        statuses[row["_id"]] = parse_status(row)
        return statuses

    def clear_validation_status(self, uid: str, kobo_id: int) -> None:
        self._request("DELETE", f"{self._asset_path(uid)}data/{int(kobo_id)}/validation_status/")


def edit_redirect_url(base_url: str, uid: str, submission: int | str) -> str:
    """Stable link that mints a fresh Enketo edit URL when clicked (kobo-api.md §4.3).

    `submission` is KoBo's `_id` (an int: every KPI release takes it, and KPI keeps it
    across edits) or a rootUuid, which KPI accepts there only since 2.026.07 (kpi PR #6660):
    older servers answer 500. Needs no token: the enumerator's browser logs into KoBo.
    """
    key = str(submission) if isinstance(submission, int) else strip_uuid(submission)
    asset, row = quote(uid, safe=""), quote(key, safe="")
    return f"{base_url.rstrip('/')}/api/v2/assets/{asset}/data/{row}/enketo/redirect/edit/"


def _check_status(status_uid: str) -> None:
    if status_uid not in VALIDATION_STATUSES:
        raise ValueError(f"unknown KoBo validation status {status_uid!r}")


def _after(query: dict[str, Any], watermark: int) -> dict[str, Any]:
    """The caller's filter narrowed to `_id` > watermark, kept on one key where possible."""
    condition = query.get("_id")
    if condition is None:
        return {**query, "_id": {"$gt": watermark}}
    if isinstance(condition, dict) and "$gt" not in condition and "$gte" not in condition:
        return {**query, "_id": {**condition, "$gt": watermark}}
    return {"$and": [query, {"_id": {"$gt": watermark}}]}
