"""The fake's `/data/` endpoints: list, one row, validation statuses, Enketo links.

Each handler follows kobotoolbox/kpi kpi/views/v2/data.py at 2e5efb0172 (lines cited inline);
what KPI leaves uncaught is a KpiServerError, answered by Django's handler500 (rules.py).
"""

import json
import re
import secrets
from collections.abc import Hashable
from typing import Any
from urllib.parse import quote

from demo.kobo_fake.access import (
    DATA_FORMATS,
    bad_request,
    deployed,
    json_body,
    negotiate,
    not_served,
)
from demo.kobo_fake.errors import KpiServerError
from demo.kobo_fake.query import (
    NotEmulatedError,
    UnsupportedQueryError,
    encode_key,
    prepare,
    prepare_sort,
    sort_keys,
)
from demo.kobo_fake.rules import DataFilters, data_filters, default_pagination, positive_int
from demo.kobo_fake.shapes import (
    HttpError,
    Request,
    Response,
    detail,
    envelope,
    json_response,
    page_links,
)
from demo.kobo_fake.store import STATUS_LABELS, FakeAsset, FakeKoboStore, encode

# Before kpi PR #6660, retrieve took a bare `_uuid` matching this (re.match, a prefix test).
_OLD_UUID = re.compile(r"[a-z\d]{8}-([a-z\d]{4}-){3}[a-z\d]{12}")


def _fields(value: Any) -> list[str] | None:
    """The projection KPI asks Mongo for (kpi/utils/mongo_helper.py:408-439), None for all.

    JSON `null` and non-list scalars fail in KPI with a TypeError (→ 500); `""`, `[]` and
    `{}` mean every field; an object's keys are the names.
    """
    if not isinstance(value, list | dict | str):
        raise KpiServerError("len() of fields")  # openrosa_backend.py:1582-1583
    if not value:
        return None
    if isinstance(value, str):
        raise KpiServerError("item assignment on a str")  # mongo_helper.py:415
    names = list(value)
    if not all(isinstance(n, str) for n in names):
        raise KpiServerError("encode() of a non-string field")  # mongo_helper.py:434-436
    return [n for n in names if n != "_userform_id"]


def _project(doc: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """Project a row as Mongo does for KPI's `fields`.

    Mongo projection: `_id` always, `_uuid`/rootUuid added, names encoded (so `a.b` and
    `_validation_status.uid` select nothing); `_validation_status` then injected
    (base_backend.py:826-851).
    """
    wanted = ["_id", *(encode_key(f) for f in fields), "_uuid", "meta/rootUuid"]
    out = {key: doc[key] for key in wanted if key in doc}
    out["_validation_status"] = out.get("_validation_status") or {}
    if not out.get("meta/rootUuid") and "_uuid" in out:
        out["meta/rootUuid"] = f"uuid:{out['_uuid']}"
    return out


def _select(store: FakeKoboStore, asset: FakeAsset, filters: DataFilters, query: Any) -> list[int]:
    """Matching keys in sort order.

    KPI fails in this order: a non-object query (500), the projection (500), operator errors from
    count_documents (400), then the sort, which is only sent while the response streams (500).
    """
    prepared = prepare(query)  # idempotent, so callers may pass a prepared filter
    if "fields" in filters.given:
        _fields(filters.fields)
    try:
        keys = store.select(asset, prepared, [])
    except UnsupportedQueryError as exc:
        raise bad_request([exc.message]) from None
    except NotEmulatedError as exc:
        raise HttpError(detail(501, f"fake KoBo does not evaluate {exc}")) from None
    return sort_keys(keys, asset.docs, prepare_sort(filters.sort))


def data_list(store: FakeKoboStore, request: Request, args: dict[str, str]) -> Response:
    """kpi/views/v2/data.py:458-498."""
    fmt = negotiate(request, args, DATA_FORMATS)
    with store.lock:
        asset = deployed(store, request, args["uid"])
        filters = data_filters(request, fmt)
        if fmt != "json":
            return not_served(fmt)
        keys = _select(store, asset, filters, filters.query)
        rows = keys[filters.start : filters.start + filters.limit]
        fields = _fields(filters.fields) if "fields" in filters.given else None
        if fields is None:
            items = [store.serialized(asset, key) for key in rows]
        else:
            items = [encode(_project(asset.docs[key], fields)) for key in rows]
    # The paginator reads its own offset (start, else offset, else page) for the links.
    page = default_pagination(request)
    following, previous = page_links(
        request.url, start=page.offset, limit=page.limit, count=len(keys)
    )
    return Response(200, envelope(len(keys), following, previous, items))


def _lookup(
    store: FakeKoboStore, request: Request, asset: FakeAsset, pk: str, *, retrieve: bool
) -> int:
    """Find the row of a `{id}` path segment as KPI does.

    kpi/views/v2/data.py:1061-1159 `_get_submission_by_id_or_root_uuid` (PR #6660); on older servers
    (store.accepts_root_uuid False) the pre-#6660 code.
    """
    filters = data_filters(request, "json")
    try:
        kobo_id = positive_int(pk)
    except ValueError:
        if not store.accepts_root_uuid:
            if not retrieve:
                raise KpiServerError("positive_int(pk) on a uuid") from None
            if not _OLD_UUID.match(pk):
                raise HttpError(detail(404, "Not found.")) from None
            if not isinstance(filters.query or {}, dict):
                raise KpiServerError("item assignment on a non-dict query") from None
            query: Any = {**(filters.query or {}), "_uuid": pk}
        else:
            root = pk if pk.startswith("uuid:") else f"uuid:{pk}"
            by_uuid = {"$or": [{"meta/rootUuid": root}, {"_uuid": root.removeprefix("uuid:")}]}
            user_query = filters.query
            has_query = bool(user_query) and isinstance(user_query, dict)
            query = {"$and": [user_query, by_uuid]} if has_query else by_uuid
    else:
        query = prepare(filters.query)
        query["_id"] = {"$in": [kobo_id]}  # mongo_helper.py:397-398
    keys = _select(store, asset, filters, query)[filters.start : filters.start + filters.limit]
    if not keys:
        raise HttpError(detail(404, "Not found."))
    return keys[0]


def data_row(store: FakeKoboStore, request: Request, args: dict[str, str]) -> Response:
    """GET (retrieve, :500-512) and DELETE (destroy, :306-325) of one submission."""
    fmt = negotiate(request, args, DATA_FORMATS) if request.method == "GET" else "json"
    with store.lock:
        asset = deployed(store, request, args["uid"])
        key = _lookup(store, request, asset, args["sid"], retrieve=request.method == "GET")
        if request.method == "DELETE":
            store.delete_submission(asset.uid, key)
            return Response(204)
        if fmt != "json":
            return not_served(fmt)
        filters = data_filters(request, fmt)
        names = _fields(filters.fields) if "fields" in filters.given else None
        if names is not None:
            return json_response(200, _project(asset.docs[key], names))
        return Response(200, store.serialized(asset, key))


def status_row(store: FakeKoboStore, request: Request, args: dict[str, str]) -> Response:
    """data/{id}/validation_status/ (:690-717; openrosa_backend.py:1111-1171)."""
    with store.lock:
        asset = deployed(store, request, args["uid"])
        key = _lookup(store, request, asset, args["sid"], retrieve=False)
        if request.method == "GET":
            return json_response(200, asset.docs[key].get("_validation_status") or {})
        if request.method == "DELETE":
            store.set_status(asset.uid, key, None)
            return Response(204)
        body = json_body(request)
        if not isinstance(body, dict):
            raise KpiServerError("request.data.get on a non-dict")
        uid = body.get("validation_status.uid")
        if uid and not isinstance(uid, Hashable):
            raise KpiServerError("unhashable status uid")  # instance.py:214-218
        if not uid or uid not in STATUS_LABELS:
            return detail(400, f"Invalid validation status: `{_py_str(uid)}`")
        return json_response(200, store.set_status(asset.uid, key, str(uid)))


def _py_str(value: Any) -> str:
    """How Python's f-string shows a JSON value in KPI's message (None, True, [])."""
    return str(value)


def _bulk_payload(body: Any) -> dict[str, Any]:
    """kpi/serializers/v2/data.py:13-92 with kpi/fields/writable_json.py:20-36."""
    if not isinstance(body, dict):
        msg = f"Invalid data. Expected a dictionary, but got {type(body).__name__}."
        raise bad_request({"non_field_errors": [msg]})
    if "payload" not in body:
        raise bad_request({"payload": ["This field is required."]})
    payload = body["payload"]
    if payload is None:
        raise bad_request({"payload": ["This field may not be null."]})
    if not isinstance(payload, dict):
        try:
            payload = json.loads(payload)
        except (TypeError, ValueError, RecursionError):
            raise bad_request({"payload": ["Unable to parse JSON"]}) from None
        if not isinstance(payload, dict):
            raise KpiServerError("payload['submission_ids'] on a non-dict")
    if "submission_ids" in payload:
        raw = payload["submission_ids"]
        try:
            ids = [int(i) for i in set(raw)]
        except ValueError:
            msg = "`submission_ids` must only contain integer values"
            raise bad_request({"payload": [msg]}) from None
        except TypeError:
            raise KpiServerError("set()/int() of submission_ids") from None
        if not ids:
            msg = "`submission_ids` must contain at least one value"
            raise bad_request({"payload": [msg]})
        payload["submission_ids"] = ids
    elif "query" not in payload and not payload.get("confirm", False):
        raise bad_request({"payload": ["Confirmation is required"]})
    if "validation_status.uid" not in payload:
        raise bad_request({"payload": ["`validation_status.uid` is required"]})
    return payload


def status_bulk(store: FakeKoboStore, request: Request, args: dict[str, str]) -> Response:
    """Bulk validation status: PATCH and DELETE alike (the method is never read).

    PATCH and DELETE alike (the method is never looked at): kpi/views/v2/data.py:738-761,
    kobo/apps/openrosa/apps/logger/utils/instance.py:278-320,
    .../logger/utils/database_query.py:14-83.
    """
    with store.lock:
        asset = deployed(store, request, args["uid"])
        payload = _bulk_payload(json_body(request))
        uid = payload.get("validation_status.uid")
        if not isinstance(uid, Hashable):
            raise KpiServerError("unhashable status uid")
        # An unknown uid is {}: the rows' statuses are cleared, not refused (instance.py:214).
        new_status = store.status_object(uid if uid in STATUS_LABELS else None)
        given: dict[str, Any] = {
            k: payload.get(k) for k in ("submission_ids", "query", "confirm") if payload.get(k)
        }
        if "query" in given and "submission_ids" in given:
            raise KpiServerError("BuildDbQueriesBadArgumentError")
        ids: list[int] | None = None
        if "query" in given:
            if not isinstance(given["query"], dict):
                raise KpiServerError("BuildDbQueriesAttributeError")
            try:
                ids = store.select(asset, prepare(given["query"]), [])
            except (UnsupportedQueryError, NotEmulatedError):
                raise KpiServerError("OperationFailure outside the view's handler") from None
        if "submission_ids" in given:
            ids = list(given["submission_ids"])
        if ids is None and given.get("confirm") is not True:
            raise KpiServerError("BuildDbQueriesNoConfirmationProvidedError")
        keys = list(asset.keys) if ids is None else sorted(i for i in set(ids) if i in asset.docs)
        if ids is not None and store.rejects_foreign_bulk_ids and len(keys) != len(set(ids)):
            return detail(400, "One or more submission ids are invalid")  # kpi PR #7143
        for key in keys:
            asset.docs[key]["_validation_status"] = dict(new_status)
            asset.cache.pop(key, None)
    return detail(200, f"{len(keys)} submissions have been updated")


def enketo(store: FakeKoboStore, request: Request, args: dict[str, str]) -> Response:
    """enketo_edit/enketo_view (:387-443) and the redirect aliases (:1161-1169)."""
    with store.lock:
        # Deviation kept for the demo: a browser without a token stands for one logged into
        # KoBo (real KPI needs that session: kpi/permissions.py:512-526), so links are clickable.
        anonymous = request.authorization is None and args["uid"] in store.assets
        asset = store.assets[args["uid"]] if anonymous else deployed(store, request, args["uid"])
        if asset.deployed is None:
            raise bad_request({"detail": "The specified asset has not been deployed"})
        key = _lookup(store, request, asset, args["sid"], retrieve=False)
        instance = asset.docs[key].get("_uuid", "")
        mode = args.get("mode", "edit")
        url = (
            f"{request.base_url}/__enketo__/{mode}/{secrets.token_hex(4)}"
            f"?instance_id={quote(str(instance))}&return_url=false"
        )
        latest = asset.deployed
        body = {"url": url, "version_uid": latest.uid if latest else None}
    if args.get("redirect"):
        return Response(302, b"", content_type="text/html", headers={"Location": url})
    return json_response(200, body)


def enketo_page(store: FakeKoboStore, request: Request, args: dict[str, str]) -> Response:
    instance = request.param("instance_id") or ""
    html = (
        f"<!doctype html><title>Fake Enketo</title><h1>Fake Enketo ({args['mode']})</h1>"
        f"<p>Instance {quote(instance)}</p>"
    )
    return Response(200, html.encode(), content_type="text/html; charset=utf-8")
