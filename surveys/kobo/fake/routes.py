"""kpi v2 endpoints of the fake server: routing, auth, assets, data, statuses, Enketo links."""

import hashlib
import json
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from surveys.kobo.fake.query import UnsupportedQueryError
from surveys.kobo.fake.shapes import (
    HttpError,
    Request,
    Response,
    asset_detail,
    asset_summary,
    detail,
    envelope,
    json_response,
    page_links,
    version_detail,
    version_summary,
)
from surveys.kobo.fake.store import STATUS_LABELS, FakeAsset, FakeKoboStore, encode

Handler = Callable[[FakeKoboStore, Request, dict[str, str]], Response]

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_ASSET = r"^/api/v2/assets/(?P<uid>[^/]+)/"
_ROW = _ASSET + r"data/(?P<sid>[^/]+)/"
_Q_FIELDS = {
    "asset_type": "asset_type",
    "_deployment_status": "deployment_status",
    "uid": "uid",
    "name": "name",
    "owner__username": "owner__username",
}


def _user(store: FakeKoboStore, request: Request) -> str | None:
    """The token's username, None when anonymous; a wrong token is a 401 everywhere (§1)."""
    if request.authorization is None:
        return None
    keyword, _, key = request.authorization.partition(" ")
    if keyword.lower() != "token" or key.strip() != store.token:
        raise HttpError(
            Response(
                401, encode({"detail": "Invalid token."}), headers={"WWW-Authenticate": "Session"}
            )
        )
    return store.username


def _asset(
    store: FakeKoboStore, request: Request, uid: str, *, detail_view: bool = False
) -> FakeAsset:
    user = _user(store, request)
    asset = store.assets.get(uid)
    if asset is None and detail_view and user is not None:
        raise HttpError(detail(404, "No Asset matches the given query."))
    if asset is None or user != asset.owner:
        # Existence of private projects is hidden from anonymous/unshared users (§1).
        raise HttpError(detail(404, "Not found."))
    return asset


def _deployed(store: FakeKoboStore, request: Request, uid: str) -> FakeAsset:
    asset = _asset(store, request, uid)
    if asset.deployed is None:
        raise HttpError(detail(400, "The specified asset has not been deployed"))
    return asset


def _row_key(store: FakeKoboStore, asset: FakeAsset, sid: str) -> int:
    key = store.find_key(asset, sid)
    if key is None:
        raise HttpError(detail(404, "Not found."))
    return key


def _json_param(request: Request, name: str, kind: type) -> Any:
    raw = request.param(name)
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        raise HttpError(json_response(400, {name: "Value must be valid JSON."})) from None
    if not isinstance(value, kind):
        raise HttpError(json_response(400, ["Unsupported query"]))
    return value


def _limit(request: Request) -> int:
    raw = request.param("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or int(raw) == 0:
        raise HttpError(json_response(400, {"limit": "A positive integer is required"}))
    return min(int(raw), MAX_LIMIT)  # kpi caps silently (kobo-api.md §3)


def _start(request: Request) -> int:
    raw = request.param("start") or "0"
    return int(raw) if raw.isdigit() else 0


# -- endpoints -------------------------------------------------------------------------------


def me(store: FakeKoboStore, request: Request, _: dict[str, str]) -> Response:
    user = _user(store, request)
    if user is None:
        return detail(401, "Authentication credentials were not provided.")
    return json_response(
        200,
        {
            "username": user,
            "first_name": "",
            "last_name": "",
            "email": f"{user}@example.org",
            "server_time": datetime.now(UTC).isoformat(),
            "date_joined": "2026-01-01T00:00:00Z",
            "projects_url": f"{request.base_url}/{user}",
            "gravatar": "",
            "last_login": None,
            "extra_details": {},
            "git_rev": False,
            "social_accounts": [],
            "validated_password": True,
            "accepted_tos": True,
        },
    )


def _q_matches(asset: dict[str, Any], q: str) -> bool:
    """Kpi asset-list `q`: `field:value` terms with AND/OR; unknown fields match nothing."""
    for alternative in q.split(" OR "):
        ok = True
        for term in alternative.split(" AND "):
            name, sep, value = term.strip().partition(":")
            if not sep or name not in _Q_FIELDS:
                return False
            actual = str(asset.get(_Q_FIELDS[name]) or "")
            found = value.casefold() in actual.casefold() if name == "name" else actual == value
            ok = ok and found
        if ok:
            return True
    return False


def asset_list(store: FakeKoboStore, request: Request, _: dict[str, str]) -> Response:
    user = _user(store, request)
    limit, start = _limit(request), _start(request)
    with store.lock:
        rows = [
            asset_summary(request.base_url, a)
            for a in sorted(store.assets.values(), key=lambda a: a.date_modified, reverse=True)
            if a.owner == user  # anonymous sees only public assets: none here (§1)
        ]
    q = request.param("q")
    if q:
        rows = [row for row in rows if _q_matches(row, q)]
    following, previous = page_links(request.url, start=start, limit=limit, count=len(rows))
    items = [encode(row) for row in rows[start : start + limit]]
    return Response(200, envelope(len(rows), following, previous, items))


def asset_hash(store: FakeKoboStore, request: Request, _: dict[str, str]) -> Response:
    user = _user(store, request)
    with store.lock:
        ids = sorted(
            a.versions[-1].uid for a in store.assets.values() if a.owner == user and a.versions
        )
    digest = hashlib.md5("".join(ids).encode()).hexdigest()  # noqa: S324 - kpi uses md5 here
    return json_response(200, {"hash": digest})


def asset_get(store: FakeKoboStore, request: Request, args: dict[str, str]) -> Response:
    with store.lock:
        asset = _asset(store, request, args["uid"], detail_view=True)
        return json_response(200, asset_detail(request.base_url, asset))


def deployment(store: FakeKoboStore, request: Request, args: dict[str, str]) -> Response:
    with store.lock:
        asset = _asset(store, request, args["uid"])
        if asset.deployed is None:
            return detail(404, "Not found.")
        body = {
            "backend": "openrosa",
            "active": True,
            "version_id": asset.deployed.uid,
            "asset": asset_summary(request.base_url, asset)["url"],
        }
    return json_response(200, body)


def version_list(store: FakeKoboStore, request: Request, args: dict[str, str]) -> Response:
    limit, start = _limit(request), _start(request)
    with store.lock:
        asset = _asset(store, request, args["uid"])
        rows = [version_summary(request.base_url, asset, v) for v in reversed(asset.versions)]
    following, previous = page_links(request.url, start=start, limit=limit, count=len(rows))
    items = [encode(row) for row in rows[start : start + limit]]
    return Response(200, envelope(len(rows), following, previous, items))


def version_get(store: FakeKoboStore, request: Request, args: dict[str, str]) -> Response:
    with store.lock:
        asset = _asset(store, request, args["uid"])
        version = asset.version(args["vid"])
        if version is None:
            return detail(404, "No AssetVersion matches the given query.")
        return json_response(200, version_detail(request.base_url, asset, version))


def data_list(store: FakeKoboStore, request: Request, args: dict[str, str]) -> Response:
    if request.param("count") is not None:
        return json_response(400, {"count": "Use `count` property of the response instead."})
    if (request.param("format") or "json") != "json":
        return detail(400, "This fake KoBo serves JSON only.")
    limit, start = _limit(request), _start(request)
    query = _json_param(request, "query", dict) or {}
    sort = _json_param(request, "sort", dict) or {}
    fields = _json_param(request, "fields", list)
    with store.lock:
        asset = _deployed(store, request, args["uid"])
        try:
            keys = store.select(asset, query, sort)
        except UnsupportedQueryError as exc:
            return json_response(400, [exc.message])
        page = keys[start : start + limit]
        if fields is None:
            items = [store.serialized(asset, key) for key in page]
        else:
            items = [encode(_project(asset.docs[key], fields)) for key in page]
    following, previous = page_links(request.url, start=start, limit=limit, count=len(keys))
    return Response(200, envelope(len(keys), following, previous, items))


def _project(doc: dict[str, Any], fields: list[Any]) -> dict[str, Any]:
    """Mongo projection as kpi runs it: `_id` kept, `_uuid` and rootUuid always added (§3)."""
    wanted = ["_id", *(f for f in fields if isinstance(f, str)), "_uuid", "meta/rootUuid"]
    out = {key: doc[key] for key in wanted if key in doc}
    if "_validation_status" not in wanted:
        out["_validation_status"] = {}  # injected even when not asked for (§3.1)
    return out


def data_row(store: FakeKoboStore, request: Request, args: dict[str, str]) -> Response:
    with store.lock:
        asset = _deployed(store, request, args["uid"])
        key = _row_key(store, asset, args["sid"])
        if request.method == "DELETE":
            store.delete_submission(asset.uid, key)
            return Response(204)
        return Response(200, store.serialized(asset, key))


def status_row(store: FakeKoboStore, request: Request, args: dict[str, str]) -> Response:
    with store.lock:
        asset = _deployed(store, request, args["uid"])
        key = _row_key(store, asset, args["sid"])
        if request.method == "GET":
            return json_response(200, asset.docs[key].get("_validation_status") or {})
        if request.method == "DELETE":
            store.set_status(asset.uid, key, None)
            return Response(204)
        uid = _body(request).get("validation_status.uid")
        if uid not in STATUS_LABELS:
            return detail(400, f"Invalid validation status: `{uid}`")
        return json_response(200, store.set_status(asset.uid, key, uid))


def _body(request: Request) -> dict[str, Any]:
    try:
        body = request.json_body()
    except ValueError:
        raise HttpError(detail(400, "JSON parse error")) from None
    if not isinstance(body, dict):
        raise HttpError(detail(400, "Invalid data. Expected a dictionary."))
    return body


def status_bulk(store: FakeKoboStore, request: Request, args: dict[str, str]) -> Response:
    """Bulk status change; an unknown uid clears the rows, as kpi does (kobo-api.md §4.1)."""
    payload: Any = _body(request).get("payload")
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            payload = None
    if not isinstance(payload, dict):
        return json_response(400, {"payload": ["This field is required."]})
    ids, query, confirm = (payload.get(k) for k in ("submission_ids", "query", "confirm"))
    if not ids and not query and not confirm:
        return json_response(400, {"payload": ["Confirmation is required"]})
    status_uid = None if request.method == "DELETE" else payload.get("validation_status.uid")
    with store.lock:
        asset = _deployed(store, request, args["uid"])
        if ids:
            if not isinstance(ids, list) or not all(type(i) is int for i in ids):
                msg = "`submission_ids` must only contain integer values"
                return json_response(400, {"payload": [msg]})
            if any(i not in asset.docs for i in ids):
                return detail(400, "One or more submission ids are invalid")
            keys = sorted(set(ids))
        elif query:
            try:
                keys = store.select(asset, query if isinstance(query, dict) else {}, {})
            except UnsupportedQueryError as exc:
                return json_response(400, [exc.message])
        else:
            keys = list(asset.keys)
        for key in keys:
            store.set_status(asset.uid, key, status_uid)
    return detail(200, f"{len(keys)} submissions have been updated")


def enketo(store: FakeKoboStore, request: Request, args: dict[str, str]) -> Response:
    # The fake lets anonymous browsers follow edit links so the demo can click them; real kpi
    # needs a logged-in KoBo session with change_submissions (kobo-api.md §4.3).
    with store.lock:
        asset = store.assets.get(args["uid"])
        if asset is None or asset.deployed is None:
            return detail(404, "Not found.")
        key = _row_key(store, asset, args["sid"])
        instance = asset.docs[key].get("_uuid", "")
        mode = args.get("mode", "edit")
        url = (
            f"{request.base_url}/__enketo__/{mode}/{secrets.token_hex(4)}"
            f"?instance_id={quote(str(instance))}&return_url=false"
        )
        body = {"url": url, "version_uid": asset.deployed.uid}
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


def v1_gone(store: FakeKoboStore, request: Request, _: dict[str, str]) -> Response:
    return detail(410, "The V1 API has been removed. Please use the V2 API (/api/v2/).")


_ROUTES: list[tuple[re.Pattern[str], frozenset[str], Handler, dict[str, str]]] = [
    (re.compile(p), frozenset(m.split()), h, extra)
    for p, m, h, extra in [
        (r"^/me/$", "GET", me, {}),
        (r"^/api/v1/", "GET POST PATCH PUT DELETE", v1_gone, {}),
        (r"^/api/v2/assets/$", "GET", asset_list, {}),
        (r"^/api/v2/assets/hash/$", "GET", asset_hash, {}),
        (_ASSET + r"$", "GET", asset_get, {}),
        (_ASSET + r"deployment/$", "GET", deployment, {}),
        (_ASSET + r"versions/$", "GET", version_list, {}),
        (_ASSET + r"versions/(?P<vid>[^/]+)/$", "GET", version_get, {}),
        (_ASSET + r"data/$", "GET", data_list, {}),
        (_ASSET + r"data/validation_statuses/$", "PATCH DELETE", status_bulk, {}),
        (_ROW + r"$", "GET DELETE", data_row, {}),
        (_ROW + r"validation_status/$", "GET PATCH DELETE", status_row, {}),
        (_ROW + r"enketo/(?P<mode>edit|view)/$", "GET", enketo, {}),
        (_ROW + r"edit/$", "GET", enketo, {"mode": "edit"}),
        (_ROW + r"enketo/redirect/(?P<mode>edit|view)/$", "GET", enketo, {"redirect": "1"}),
        (r"^/__enketo__/(?P<mode>edit|view)/[^/]+$", "GET", enketo_page, {}),
    ]
]


def dispatch(store: FakeKoboStore, request: Request) -> Response:
    for pattern, methods, handler, extra in _ROUTES:
        match = pattern.match(request.path)
        if match is None:
            continue
        if request.method not in methods:
            return detail(405, f'Method "{request.method}" not allowed.')
        try:
            return handler(store, request, {**match.groupdict(), **extra})
        except HttpError as exc:
            return exc.response
    if request.method == "GET" and not request.path.endswith("/"):
        # Django's APPEND_SLASH: kpi URLs need the trailing slash (kobo-api.md §6).
        query = f"?{request.query_string}" if request.query_string else ""
        return Response(301, headers={"Location": f"{request.path}/{query}"})
    return detail(404, "Not found.")
