"""KPI's own parsing of query parameters (DRF pagination, Django booleans, the data filters).

Citations are `kobotoolbox/kpi <path>:<line>` at 2e5efb0172 unless a DRF or Django file is
named; docs/kpi-contract.md lists them with the tests that hold each rule.
"""

import json
from dataclasses import dataclass
from typing import Any

from demo.kobo_fake.errors import KpiServerError
from demo.kobo_fake.shapes import HttpError, Request, Response, json_response

DEFAULT_API_PAGE_SIZE = 100  # kobo/settings/base.py:966
MAX_API_PAGE_SIZE = 1000  # kobo/settings/base.py:969
# Django's BooleanField.to_python (django/db/models/fields/__init__.py): nothing else converts.
DJANGO_TRUE = frozenset({"t", "True", "1"})
DJANGO_FALSE = frozenset({"f", "False", "0"})
# kpi/templates/custom_500.html, served by kobo/urls.py:119-123 when HTML is acceptable.
_ERROR_PAGE = (
    "<!DOCTYPE html>\n<html>\n<head><title>KoboToolbox</title></head>\n<body>\n"
    "  <form class='registration registration--login'>\n"
    "    <h1>Server error (500)</h1>\n"
    "    Something went wrong when trying to process your request.\n"
    "  </form>\n</body>\n</html>\n"
)


def server_error(request: Request) -> Response:
    """Answer as KPI's handler500 does.

    kobo/urls.py:119-123 `render500`: HTML if the request looks like a page, else DRF's
    `server_error` JSON. kpi/utils/urls.py:43-54 decides: a path ending in .json/.xml, any `format`
    other than `api`, or an Accept header that admits text/html.
    """
    last = request.path.split("/")[-1]
    wants_html = (
        last.endswith((".xml", ".json"))
        or (request.param("format") or "api") != "api"
        or _accepts_html(request.accept)
    )
    if wants_html:
        return Response(500, _ERROR_PAGE.encode(), content_type="text/html; charset=utf-8")
    return json_response(500, {"error": "Server Error (500)"})


def _accepts_html(accept: str | None) -> bool:
    # Django's HttpRequest.accepts(): a missing header means */*.
    for item in (accept or "*/*").split(","):
        media = item.split(";")[0].strip().lower()
        if media in ("*/*", "text/*", "text/html"):
            return True
    return False


def positive_int(raw: Any, *, strict: bool = False, cutoff: int | None = None) -> int:
    """DRF's `_positive_int`, which KPI imports.

    DRF rest_framework/pagination.py `_positive_int` (kpi imports it: paginators.py:8,
    views/v2/data.py:14). Python's int(): " 7", "+7" and "1_000" are integers too.
    """
    value = int(raw)
    if value < 0 or (value == 0 and strict):
        raise ValueError(raw)
    return min(value, cutoff) if cutoff else value


def django_bool(raw: str) -> bool:
    """Convert a BooleanField filter value as Django does.

    A BooleanField filter value; anything else raises an uncaught ValidationError → 500
    (kpi/views/v2/asset_version.py:91-94 passes the raw query string to .filter()).
    """
    if raw in DJANGO_TRUE:
        return True
    if raw in DJANGO_FALSE:
        return False
    raise KpiServerError(f"{raw!r} value must be either True or False.")


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def default_pagination(request: Request, default_limit: int = DEFAULT_API_PAGE_SIZE) -> Page:
    """Limit and offset as KPI's DefaultPagination reads them.

    kpi/paginators.py:66-91 DefaultPagination: a bad `limit` falls back to the default, over-max is
    capped; `start`, then `offset`, then `page` (× `page_size`) give the offset.
    """

    def _or_none(raw: Any, **kw: Any) -> int | None:
        try:
            return positive_int(raw, **kw)
        except (TypeError, ValueError):
            return None

    page_number = _or_none(request.param("page"))
    raw_size = request.param("page_size")
    page_size = _or_none(
        default_limit if raw_size is None else raw_size, strict=True, cutoff=MAX_API_PAGE_SIZE
    )
    limit: Any = request.param("limit")
    if limit is None and page_number:
        limit = page_size
    if limit is None:
        limit = default_limit
    final_limit = _or_none(limit, strict=True, cutoff=MAX_API_PAGE_SIZE) or default_limit
    start = request.param("start")
    offset: Any = start or request.param("offset") or start
    if offset is None and page_number:
        if page_size is None:  # paginators.py:87: `(page - 1) * None` raises TypeError
            raise KpiServerError("page_size is not an integer")
        offset = (page_number - 1) * page_size
    return Page(final_limit, _or_none(offset, strict=True) or 0)


@dataclass
class DataFilters:
    """The Mongo parameters of a data request, validated in KPI's order."""

    limit: int
    start: int
    query: Any  # parsed JSON; KPI fails on non-objects later (see query.prepare)
    sort: Any
    fields: Any
    given: frozenset[str]  # parameter names present, e.g. `fields` given as JSON null


def _bad(body: Any) -> HttpError:
    return HttpError(json_response(400, body))


def _json(raw: str | None, name: str) -> Any:
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise _bad({name: "Value must be valid JSON."}) from None


def data_filters(request: Request, format_type: str) -> DataFilters:
    """kpi/views/v2/data.py:845-877 then deployment_backends/base_backend.py:608-715."""
    params = {k: v[-1] for k, v in request.params.items()} if request.method == "GET" else {}
    params.pop("format", None)
    limit = DEFAULT_API_PAGE_SIZE
    if "limit" in params:
        try:
            limit = positive_int(params["limit"], strict=True, cutoff=MAX_API_PAGE_SIZE)
        except ValueError:
            raise _bad({"limit": "A positive integer is required"}) from None
    if "count" in params:
        msg = "This param is not implemented. Use `count` property of the response instead."
        raise _bad({"count": msg})
    if format_type == "xml":
        if "sort" in params:
            raise _bad({"sort": "This param is not supported in `XML` format"})
        if "fields" in params:
            raise _bad({"fields": "This is not supported in `XML` format"})
    query = _json(params.get("query"), "query")
    sort = _json(params.get("sort"), "sort")
    try:
        start = positive_int(params.get("start", 0))
    except ValueError:
        raise _bad({"start": "A positive integer is required."}) from None
    fields = _json(params.get("fields"), "fields")
    return DataFilters(
        limit=limit, start=start, query=query, sort=sort, fields=fields, given=frozenset(params)
    )
