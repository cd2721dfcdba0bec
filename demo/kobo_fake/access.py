"""Authentication, asset lookup, format negotiation and JSON bodies, as KPI/DRF answer them."""

import json
from typing import Any

from demo.kobo_fake.shapes import HttpError, Request, Response, detail, json_response
from demo.kobo_fake.store import FakeAsset, FakeKoboStore, encode

# Renderer formats (DRF picks by `?format=` or a `.ext` suffix; none matching → 404).
DATA_FORMATS = frozenset({"json", "html", "geojson", "xml"})  # kpi/views/v2/data.py:264-269
DEFAULT_FORMATS = frozenset({"json", "html"})  # kobo/settings/base.py:1051-1055


def user(store: FakeKoboStore, request: Request) -> str | None:
    """The token's username, None when anonymous; a wrong token is a 401 everywhere."""
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


def asset(
    store: FakeKoboStore, request: Request, uid: str, *, detail_view: bool = False
) -> FakeAsset:
    who = user(store, request)
    found = store.assets.get(uid)
    if found is None and detail_view and who is not None:
        raise HttpError(detail(404, "No Asset matches the given query."))
    if found is None or who != found.owner:
        # Existence of private projects is hidden from anonymous/unshared users.
        raise HttpError(detail(404, "Not found."))
    return found


def deployed(store: FakeKoboStore, request: Request, uid: str) -> FakeAsset:
    found = asset(store, request, uid)
    if found.deployed is None:  # kpi/views/v2/data.py:879-888
        raise HttpError(detail(400, "The specified asset has not been deployed"))
    return found


def negotiate(request: Request, args: dict[str, str], formats: frozenset[str]) -> str:
    """DRF DefaultContentNegotiation.select_renderer: an unknown format is Http404."""
    fmt = args.get("format") or request.param("format") or "json"
    if fmt not in formats:
        raise HttpError(detail(404, "Not found."))
    return fmt


def not_served(fmt: str) -> Response:
    """KPI would render this format; the fake serves JSON only and says so (not a KPI body)."""
    return detail(501, f"fake KoBo: KPI serves format={fmt} here, this fake serves JSON only")


def json_body(request: Request) -> Any:
    """DRF request.data with JSONParser: parse errors are 400, other media types 415."""
    if not request.body:
        return {}
    media = (request.content_type or "").split(";")[0].strip().lower()
    if media != "application/json":
        raise HttpError(detail(415, f'Unsupported media type "{media}" in request.'))
    try:
        return json.loads(request.body)
    except ValueError as exc:
        raise HttpError(detail(400, f"JSON parse error - {exc}")) from None


def body_keys(body: Any) -> frozenset[str]:
    """Top-level keys, and `payload.<key>` for a bulk payload (object or JSON string)."""
    if not isinstance(body, dict):
        return frozenset()
    keys = set(body)
    payload = body.get("payload")
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            payload = None
    if isinstance(payload, dict):
        keys.update(f"payload.{k}" for k in payload)
    return frozenset(keys)


def bad_request(body: Any) -> HttpError:
    return HttpError(json_response(400, body))
