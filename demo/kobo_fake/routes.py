"""Routing of the fake kpi server, and its account, asset and version endpoints.

Routing of the fake kpi server: URL patterns with their contract templates, the account and asset
endpoints (assets, deployment, versions), and dispatch.  Data endpoints live in data_routes.py;
parameter rules in rules.py; the table of what a client may send in contract.py.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from demo.kobo_fake.access import DEFAULT_FORMATS, asset, negotiate, not_served, user
from demo.kobo_fake.data_routes import (
    data_list,
    data_row,
    enketo,
    enketo_page,
    status_bulk,
    status_row,
)
from demo.kobo_fake.errors import KpiServerError
from demo.kobo_fake.rules import default_pagination, django_bool, positive_int, server_error
from demo.kobo_fake.shapes import (
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
from demo.kobo_fake.store import FakeAsset, FakeKoboStore, FakeVersion, encode

Handler = Callable[[FakeKoboStore, Request, dict[str, str]], Response]

_Q_FIELDS = {
    "asset_type": "asset_type",
    "_deployment_status": "deployment_status",
    "uid": "uid",
    "name": "name",
    "owner__username": "owner__username",
}


def me(store: FakeKoboStore, request: Request, _: dict[str, str]) -> Response:
    who = user(store, request)
    if who is None:
        return detail(401, "Authentication credentials were not provided.")
    return json_response(
        200,
        {
            "username": who,
            "first_name": "",
            "last_name": "",
            "email": f"{who}@example.org",
            "server_time": datetime.now(UTC).isoformat(),
            "date_joined": "2026-01-01T00:00:00Z",
            "projects_url": f"{request.base_url}/{who}",
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


def _paginated(request: Request, rows: list[dict[str, Any]], default_limit: int = 100) -> bytes:
    """A DefaultPagination page (kpi/paginators.py:66-125): empty past the end."""
    page = default_pagination(request, default_limit)
    following, previous = page_links(
        request.url, start=page.offset, limit=page.limit, count=len(rows)
    )
    chosen = [] if page.offset > len(rows) else rows[page.offset : page.offset + page.limit]
    return envelope(len(rows), following, previous, [encode(row) for row in chosen])


def asset_list(store: FakeKoboStore, request: Request, args: dict[str, str]) -> Response:
    negotiate(request, args, DEFAULT_FORMATS)
    who = user(store, request)
    with store.lock:
        rows = [
            asset_summary(request.base_url, a)
            for a in sorted(store.assets.values(), key=lambda a: a.date_modified, reverse=True)
            if a.owner == who  # anonymous sees only public assets: none here
        ]
    q = request.param("q")
    if q:
        rows = [row for row in rows if _q_matches(row, q)]
    return Response(200, _paginated(request, rows))


def asset_hash(store: FakeKoboStore, request: Request, _: dict[str, str]) -> Response:
    who = user(store, request)
    with store.lock:
        ids = sorted(
            a.versions[-1].uid for a in store.assets.values() if a.owner == who and a.versions
        )
    digest = hashlib.md5("".join(ids).encode()).hexdigest()  # noqa: S324 - kpi uses md5 here
    return json_response(200, {"hash": digest})


def asset_get(store: FakeKoboStore, request: Request, args: dict[str, str]) -> Response:
    """Asset detail, with `deployed_versions` paged by this request's own limit/start.

    `deployed_versions` is paged by the detail request's own limit/start, default
    100(kpi/serializers/v2/asset.py:452-461, kpi/fields/paginated_api.py:33-57).
    """
    fmt = negotiate(request, args, DEFAULT_FORMATS)
    with store.lock:
        found = asset(store, request, args["uid"], detail_view=True)
        if fmt != "json":
            return not_served(fmt)
        versions = [
            version_summary(request.base_url, found, v)
            for v in reversed(found.versions)
            if v.deployed
        ]
        nested = _paginated(request, versions)
        body = encode(asset_detail(request.base_url, found, {}))
    # Splice the nested page in as already-encoded JSON.
    marker = b'"deployed_versions":{}'
    return Response(200, body.replace(marker, b'"deployed_versions":' + nested, 1))


def deployment(store: FakeKoboStore, request: Request, args: dict[str, str]) -> Response:
    with store.lock:
        found = asset(store, request, args["uid"])
        if found.deployed is None:
            return detail(404, "Not found.")
        body = {
            "backend": "openrosa",
            "active": True,
            "version_id": found.deployed.uid,
            "asset": asset_summary(request.base_url, found)["url"],
        }
    return json_response(200, body)


def _versions(request: Request, found: FakeAsset) -> list[FakeVersion]:
    """The versions KPI's `deployed` filter keeps.

    kpi/views/v2/asset_version.py:90-94: `deployed` goes to a BooleanField filter as is, for list
    *and* retrieve; newest first (kpi/models/asset_version.py:35-36).
    """
    raw = request.param("deployed")
    rows = list(reversed(found.versions))
    if raw is None:
        return rows
    wanted = django_bool(raw)
    return [v for v in rows if v.deployed == wanted]


def version_list(store: FakeKoboStore, request: Request, args: dict[str, str]) -> Response:
    fmt = negotiate(request, args, DEFAULT_FORMATS)
    with store.lock:
        found = asset(store, request, args["uid"])
        rows = [version_summary(request.base_url, found, v) for v in _versions(request, found)]
    if fmt != "json":
        return not_served(fmt)
    return Response(200, _paginated(request, rows))


def version_get(store: FakeKoboStore, request: Request, args: dict[str, str]) -> Response:
    fmt = negotiate(request, args, DEFAULT_FORMATS)
    with store.lock:
        found = asset(store, request, args["uid"])
        version = next((v for v in _versions(request, found) if v.uid == args["vid"]), None)
        if version is None:
            return detail(404, "No AssetVersion matches the given query.")
        if fmt != "json":
            return not_served(fmt)
        return json_response(200, version_detail(request.base_url, found, version))


def v1_gone(store: FakeKoboStore, request: Request, _: dict[str, str]) -> Response:
    return detail(410, "The V1 API has been removed. Please use the V2 API (/api/v2/).")


_ASSET = r"^/api/v2/assets/(?P<uid>[^/.]+)/"
_ROW = _ASSET + r"data/(?P<sid>[^/.]+)/"
_ROW_ANY = _ASSET + r"data/(?P<sid>[^/]+)/"  # plain Django path(): dots allowed
_SUFFIX = r"\.(?P<format>[a-z0-9]+)/?$"  # DRF format_suffix_patterns
_T = "/api/v2/assets/{uid}/"


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    methods: frozenset[str]
    handler: Handler
    template: str  # contract template; "{id}" becomes {_id} or {root_uuid}
    extra: dict[str, str]


def _route(
    regex: str, methods: str, handler: Handler, template: str, suffix: bool = False, **extra: str
) -> list[Route]:
    routes = [Route(re.compile(regex + "$"), frozenset(methods.split()), handler, template, extra)]
    if suffix:  # `data.json`, `data/5.json`: the router's format-suffix twin of the route
        routes.append(
            Route(
                re.compile(regex.removesuffix("/") + _SUFFIX),
                frozenset(methods.split()),
                handler,
                template,
                extra,
            )
        )
    return routes


ROUTES: list[Route] = [
    *_route(r"^/me/", "GET", me, "/me/"),
    *_route(r"^/api/v1/.*", "GET POST PATCH PUT DELETE", v1_gone, "/api/v1/..."),
    *_route(r"^/api/v2/assets/", "GET", asset_list, "/api/v2/assets/", suffix=True),
    *_route(r"^/api/v2/assets/hash/", "GET", asset_hash, "/api/v2/assets/hash/"),
    *_route(
        _ASSET + r"data/validation_statuses/",
        "PATCH DELETE",
        status_bulk,
        _T + "data/validation_statuses/",
    ),
    *_route(_ASSET + r"data/", "GET", data_list, _T + "data/", suffix=True),
    *_route(_ROW, "GET DELETE", data_row, _T + "data/{id}/", suffix=True),
    *_route(
        _ROW + r"validation_status/",
        "GET PATCH DELETE",
        status_row,
        _T + "data/{id}/validation_status/",
    ),
    *_route(_ROW + r"enketo/(?P<mode>edit|view)/", "GET", enketo, ""),
    *_route(_ROW_ANY + r"edit/", "GET", enketo, _T + "data/{id}/edit/", mode="edit"),
    *_route(_ROW_ANY + r"enketo/redirect/(?P<mode>edit|view)/", "GET", enketo, "", redirect="1"),
    *_route(_ASSET + r"deployment/", "GET", deployment, _T + "deployment/"),
    *_route(_ASSET + r"versions/", "GET", version_list, _T + "versions/", suffix=True),
    *_route(
        _ASSET + r"versions/(?P<vid>[^/.]+)/",
        "GET",
        version_get,
        _T + "versions/{vid}/",
        suffix=True,
    ),
    *_route(_ASSET, "GET", asset_get, _T, suffix=True),
    *_route(r"^/__enketo__/(?P<mode>edit|view)/[^/]+", "GET", enketo_page, "/__enketo__/"),
]


def _template(route: Route, args: dict[str, str], path: str) -> str:
    template = route.template
    if not template:  # the Enketo routes: the template is the path with its ids replaced
        template = _T + "data/{id}/" + path.split("/data/", 1)[1].split("/", 1)[1]
    if "{id}" in template:
        try:
            positive_int(args["sid"])
            kind = "{_id}"
        except ValueError:
            kind = "{root_uuid}"
        template = template.replace("{id}", kind)
    return template


def resolve(request: Request) -> tuple[Route, dict[str, str], str] | None:
    """The route, its arguments and the contract template of a request path."""
    for route in ROUTES:
        match = route.pattern.match(request.path)
        if match is not None:
            args = {k: v for k, v in match.groupdict().items() if v is not None}
            args.update(route.extra)
            return route, args, _template(route, args, request.path)
    return None


def dispatch(store: FakeKoboStore, request: Request) -> Response:
    found = resolve(request)
    if found is None:
        if request.method == "GET" and not request.path.endswith("/"):
            # Django's APPEND_SLASH: kpi URLs need the trailing slash.
            query = f"?{request.query_string}" if request.query_string else ""
            return Response(301, headers={"Location": f"{request.path}/{query}"})
        return detail(404, "Not found.")
    route, args, _ = found
    if request.method not in route.methods:
        return detail(405, f'Method "{request.method}" not allowed.')
    try:
        return route.handler(store, request, args)
    except HttpError as exc:
        return exc.response
    except KpiServerError:
        return server_error(request)
