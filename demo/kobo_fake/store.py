"""In-memory KoBo data for the fake server: assets, versions, submissions in KPI's shapes."""

import bisect
import gc
import hashlib
import json
import re
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from demo.kobo_fake.query import matches, sort_keys
from demo.kobo_fake.releases import DEFAULT_RELEASE, features_for

STATUS_LABELS = {
    "validation_status_approved": "Approved",
    "validation_status_not_approved": "Not Approved",
    "validation_status_on_hold": "On Hold",
}
_RANGE_OPS = ("$gt", "$gte", "$lt", "$lte")
# kpi kobo/apps/reports/constants.py:12 FUZZY_VERSION_PATTERN: the keys KPI reads a row's
# version from (old forms carry `_version_`, `__version__001`...; report_data.py:68-94).
VERSION_KEY_PATTERN = r"^__?version__?(\d{3})?$"


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _submission_time(value: datetime | str | None) -> str:
    """`_submission_time` as kpi stores it: UTC, no offset, no fraction (kobo-api.md §3.1).

    A naive datetime is taken as UTC already, as kpi's own are: astimezone() would read it
    in the process's local zone (Django sets it to TIME_ZONE, Asia/Almaty), 5-6 hours off.
    """
    if isinstance(value, str):
        return value
    if value is None:
        moment = datetime.now(UTC)
    elif value.tzinfo is None:
        moment = value.replace(tzinfo=UTC)
    else:
        moment = value.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


@dataclass
class FakeVersion:
    uid: str
    content: dict[str, Any]
    content_hash: str
    date_deployed: str
    geopoints: list[str]
    deployed: bool = True  # False: a saved draft, listed by versions/ but never deployed


@dataclass
class FakeAsset:
    uid: str
    name: str
    owner: str
    deployment_uuid: str
    date_created: str
    date_modified: str
    versions: list[FakeVersion] = field(default_factory=list)  # oldest first
    keys: list[int] = field(default_factory=list)  # sorted storage keys (= _id)
    docs: dict[int, dict[str, Any]] = field(default_factory=dict)
    roots: dict[str, int] = field(default_factory=dict)  # bare rootUuid -> key
    cache: dict[int, bytes] = field(default_factory=dict)  # serialized docs

    @property
    def deployed(self) -> FakeVersion | None:
        """The deployed version collectors use (`deployed_version_id`)."""
        return next((v for v in reversed(self.versions) if v.deployed), None)

    @property
    def latest(self) -> FakeVersion | None:
        """The latest saved version (`version_id`), possibly an undeployed draft."""
        return self.versions[-1] if self.versions else None

    def version(self, version_uid: str) -> FakeVersion | None:
        return next((v for v in self.versions if v.uid == version_uid), None)


def _geopoint_paths(content: dict[str, Any]) -> list[str]:
    rows = content.get("survey", [])
    return [
        str(row.get("$xpath") or row.get("name"))
        for row in rows
        if isinstance(row, dict) and row.get("type") == "geopoint"
    ]


def _geolocation(answers: dict[str, Any], paths: list[str]) -> list[float | None]:
    """[lat, lng] of the first answered geopoint, else [null, null] (kobo-api.md §3.1)."""
    for path in paths:
        value = answers.get(path)
        if isinstance(value, str):
            parts = value.split()
            try:
                return [float(parts[0]), float(parts[1])]
            except (IndexError, ValueError):
                continue
    return [None, None]


def encode(value: Any) -> bytes:
    """DRF's JSONRenderer output: compact, UTF-8, not ASCII-escaped."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class FakeKoboStore:
    """Thread-safe store behind FakeKoboServer; tests and the demo mutate it directly."""

    def __init__(
        self,
        token: str = "demo-token",  # noqa: S107 - a test fixture's token
        username: str = "demo",
        *,
        kpi_release: str = DEFAULT_RELEASE,
        accepts_root_uuid: bool | None = None,
        rejects_foreign_bulk_ids: bool | None = None,
    ) -> None:
        """Create an empty store for one KoBo user.

        `kpi_release` picks the release-dependent behaviours (see releases.py); the two flags
        override it. The default is an old server: a rootUuid `{id}` is a 500.
        """
        self.token = token
        self.username = username
        features = features_for(kpi_release)
        self.kpi_release = kpi_release
        self.accepts_root_uuid = (
            features.accepts_root_uuid if accepts_root_uuid is None else accepts_root_uuid
        )
        self.rejects_foreign_bulk_ids = (
            features.rejects_foreign_bulk_ids
            if rejects_foreign_bulk_ids is None
            else rejects_foreign_bulk_ids
        )
        self.lock = threading.RLock()
        self.assets: dict[str, FakeAsset] = {}
        self._next_id = 1

    # -- assets ----------------------------------------------------------------------------

    def add_asset(
        self, uid: str, name: str, versions: Iterable[tuple[str, dict[str, Any]]] = ()
    ) -> FakeAsset:
        """Register a survey; the last of `versions` is the deployed one (none: a draft)."""
        now = _now_iso()
        asset = FakeAsset(
            uid=uid,
            name=name,
            owner=self.username,
            deployment_uuid=uuid.uuid4().hex,
            date_created=now,
            date_modified=now,
        )
        with self.lock:
            self.assets[uid] = asset
            for version_uid, content in versions:
                self.deploy_version(uid, version_uid, content)
        return asset

    def deploy_version(
        self, uid: str, version_uid: str, content: dict[str, Any], *, deployed: bool = True
    ) -> None:
        """Redeploy the asset with new content: it becomes the deployed version.

        `deployed=False` saves a draft instead: the latest `version_id`, listed by
        `versions/`, but not what collectors (or `deployed_version_id`) use.
        """
        digest = hashlib.sha1(  # noqa: S324 - kpi's content_hash is a sha1 hex, not a secret
            json.dumps(content, sort_keys=True).encode()
        ).hexdigest()
        with self.lock:
            asset = self.assets[uid]
            asset.versions.append(
                FakeVersion(
                    version_uid,
                    content,
                    digest,
                    _now_iso(),
                    _geopoint_paths(content),
                    deployed,
                )
            )
            asset.date_modified = _now_iso()

    # -- submissions -----------------------------------------------------------------------

    def _build(
        self,
        asset: FakeAsset,
        answers: dict[str, Any],
        *,
        version: FakeVersion | None,
        submitted_by: str | None,
        submission_time: str,
        status: dict[str, Any],
        version_key: str = "__version__",
    ) -> dict[str, Any]:
        kobo_id = self._next_id
        self._next_id += 1
        bare = str(uuid.uuid4())
        instance_id = f"uuid:{bare}"
        doc: dict[str, Any] = {"_id": kobo_id, "formhub/uuid": asset.deployment_uuid}
        doc.update(answers)
        doc[version_key] = version.uid if version else ""
        doc["meta/instanceID"] = instance_id
        doc["meta/rootUuid"] = instance_id
        doc["_xform_id_string"] = asset.uid
        doc["_uuid"] = bare
        doc["_attachments"] = []
        doc["_status"] = "submitted_via_web"
        doc["_geolocation"] = _geolocation(answers, version.geopoints if version else [])
        doc["_submission_time"] = submission_time
        doc["_validation_status"] = status
        doc["_submitted_by"] = submitted_by
        return doc

    def _insert(self, asset: FakeAsset, key: int, doc: dict[str, Any]) -> None:
        if asset.keys and key < asset.keys[-1]:
            bisect.insort(asset.keys, key)
        else:
            asset.keys.append(key)
        asset.docs[key] = doc
        root = doc.get("meta/rootUuid")
        if isinstance(root, str):
            asset.roots[root.removeprefix("uuid:")] = key

    def _version_for(self, asset: FakeAsset, version_uid: str | None) -> FakeVersion | None:
        if version_uid is None:
            return asset.deployed
        found = asset.version(version_uid)
        if found is None:
            raise KeyError(f"asset {asset.uid} has no version {version_uid}")
        return found

    def add_submission(
        self,
        uid: str,
        answers: dict[str, Any],
        *,
        version_uid: str | None = None,
        submitted_by: str | None = None,
        submission_time: datetime | str | None = None,
        status: str | None = None,
        version_key: str = "__version__",
    ) -> dict[str, Any]:
        """Store one submission as KoBo would after receiving it; returns a copy of the row.

        `version_key` names the key holding the version uid: `__version__` today, or any
        variant KPI still recognises on old forms (VERSION_KEY_PATTERN, e.g. `_version_`).
        """
        if not re.match(VERSION_KEY_PATTERN, version_key):
            raise ValueError(f"{version_key!r} is not a key KPI reads a version from")
        with self.lock:
            asset = self.assets[uid]
            doc = self._build(
                asset,
                answers,
                version=self._version_for(asset, version_uid),
                submitted_by=submitted_by,
                submission_time=_submission_time(submission_time),
                status=self.status_object(status),
                version_key=version_key,
            )
            self._insert(asset, doc["_id"], doc)
            return dict(doc)

    def add_submissions(
        self,
        uid: str,
        rows: Iterable[dict[str, Any]],
        *,
        version_uid: str | None = None,
        submitted_by: str | None = None,
    ) -> int:
        """Bulk loader for benchmarks: same shape as add_submission, no copies returned."""
        stamp = _submission_time(None)
        count = 0
        # Building 100,000 dicts would trigger dozens of full collections that find no garbage.
        collecting = gc.isenabled()
        gc.disable()
        try:
            with self.lock:
                asset = self.assets[uid]
                version = self._version_for(asset, version_uid)
                for answers in rows:
                    doc = self._build(
                        asset,
                        answers,
                        version=version,
                        submitted_by=submitted_by,
                        submission_time=stamp,
                        status={},
                    )
                    self._insert(asset, doc["_id"], doc)
                    count += 1
        finally:
            if collecting:
                gc.enable()
        return count

    def add_raw_submission(self, uid: str, doc: dict[str, Any]) -> int:
        """Store a row exactly as given (malformed ones included); returns its storage key."""
        with self.lock:
            asset = self.assets[uid]
            raw_id = doc.get("_id")
            key = raw_id if type(raw_id) is int else self._next_id
            self._next_id = max(self._next_id, key) + 1
            self._insert(asset, key, dict(doc))
            return key

    def _row(self, uid: str, kobo_id: int) -> tuple[FakeAsset, dict[str, Any]]:
        asset = self.assets[uid]
        return asset, asset.docs[kobo_id]

    def submission(self, uid: str, kobo_id: int) -> dict[str, Any]:
        with self.lock:
            return dict(self._row(uid, kobo_id)[1])

    def edit_submission(
        self, uid: str, kobo_id: int, changes: dict[str, Any], *, remove: Iterable[str] = ()
    ) -> dict[str, Any]:
        """An Enketo edit: new instanceID, deprecatedID = old one, same _id/rootUuid (§3.2)."""
        with self.lock:
            asset, old = self._row(uid, kobo_id)
            doc = dict(old)
            for key in remove:
                doc.pop(key, None)
            doc.update(changes)
            bare = str(uuid.uuid4())
            doc["meta/deprecatedID"] = old.get("meta/instanceID")
            doc["meta/instanceID"] = f"uuid:{bare}"
            doc["_uuid"] = bare
            if isinstance(old.get("end"), str) and "end" not in changes:
                doc["end"] = _restamp(old["end"])  # Enketo re-stamps `end` on save
            asset.docs[kobo_id] = doc
            asset.cache.pop(kobo_id, None)
            return dict(doc)

    def delete_submission(self, uid: str, kobo_id: int) -> None:
        """Hard delete, no tombstone (kobo-api.md §3.3)."""
        with self.lock:
            asset, doc = self._row(uid, kobo_id)
            del asset.docs[kobo_id]
            asset.cache.pop(kobo_id, None)
            index = bisect.bisect_left(asset.keys, kobo_id)
            del asset.keys[index]
            root = doc.get("meta/rootUuid")
            if isinstance(root, str):
                asset.roots.pop(root.removeprefix("uuid:"), None)

    def status_object(self, status_uid: str | None) -> dict[str, Any]:
        # An unknown uid resolves to {} (what bulk PATCH does, kobo-api.md §4.1).
        if status_uid not in STATUS_LABELS:
            return {}
        return {
            "timestamp": int(time.time()),
            "uid": status_uid,
            "by_whom": self.username,
            "label": STATUS_LABELS[status_uid],
        }

    def set_status(self, uid: str, kobo_id: int, status_uid: str | None) -> dict[str, Any]:
        with self.lock:
            asset, doc = self._row(uid, kobo_id)
            doc["_validation_status"] = self.status_object(status_uid)
            asset.cache.pop(kobo_id, None)
            return dict(doc["_validation_status"])

    def count(self, uid: str) -> int:
        with self.lock:
            return len(self.assets[uid].keys)

    # -- reads for the server --------------------------------------------------------------

    def select(
        self, asset: FakeAsset, query: dict[str, Any], sort: list[tuple[str, int]]
    ) -> list[int]:
        """Keys matching a prepared `query`, sorted by a prepared spec.

        Keys matching a prepared `query` (query.prepare), sorted by a prepared spec; `_id` ranges
        and `$in` use the key index, not a scan.
        """
        candidates, rest = _candidates(asset, query)
        if rest:
            candidates = [k for k in candidates if matches(asset.docs[k], rest)]
        return sort_keys(candidates, asset.docs, sort)

    def serialized(self, asset: FakeAsset, key: int) -> bytes:
        cached = asset.cache.get(key)
        if cached is None:
            cached = asset.cache[key] = encode(asset.docs[key])
        return cached


def _restamp(previous: str) -> str:
    try:
        zone = datetime.fromisoformat(previous).tzinfo or UTC
    except ValueError:
        zone = UTC
    return datetime.now(zone).isoformat(timespec="milliseconds")


def _candidates(asset: FakeAsset, query: dict[str, Any]) -> tuple[list[int], dict[str, Any]]:
    """Narrow by an `_id` condition through the sorted keys; return what is left to match."""
    condition = query.get("_id")
    if not isinstance(condition, dict) or not condition:
        return asset.keys, query
    ops = set(condition)
    if not ops <= {*_RANGE_OPS, "$in"} or not all(
        type(v) is int for op, v in condition.items() if op != "$in"
    ):
        return asset.keys, query
    keys = asset.keys
    lo, hi = 0, len(keys)
    if "$gt" in condition:
        lo = max(lo, bisect.bisect_right(keys, condition["$gt"]))
    if "$gte" in condition:
        lo = max(lo, bisect.bisect_left(keys, condition["$gte"]))
    if "$lt" in condition:
        hi = min(hi, bisect.bisect_left(keys, condition["$lt"]))
    if "$lte" in condition:
        hi = min(hi, bisect.bisect_right(keys, condition["$lte"]))
    wanted = condition.get("$in", [])
    if not isinstance(wanted, list):
        return asset.keys, query  # let the matcher raise "Unsupported query"
    rest = {k: v for k, v in query.items() if k != "_id"}
    if lo >= hi:
        return [], rest
    if "$in" not in condition:
        return keys[lo:hi], rest
    low, high = keys[lo], keys[hi - 1]
    picked = {k for k in wanted if type(k) is int and k in asset.docs and low <= k <= high}
    return sorted(picked), rest
