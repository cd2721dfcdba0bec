"""An inline SVG map of district boundaries (GeoJSON) and interview points: no tiles, no network."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from validation.dashboards.figures import Point

_WIDTH, _HEIGHT, _PAD = 640, 420, 12


def _rings(geometry: dict[str, Any]) -> list[Sequence[Sequence[float]]]:
    if geometry.get("type") == "Polygon":
        return list(geometry.get("coordinates") or [])
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in geometry.get("coordinates") or [] for ring in polygon]
    return []


def map_svg(
    boundaries: Iterable[tuple[str, str, dict[str, Any]]],
    points: Iterable[Point],
    *,
    radius: float = 2.5,
) -> SafeString:
    shapes = [(code, name, _rings(geometry)) for code, name, geometry in boundaries]
    dots = list(points)
    lons = [c[0] for _, _, rings in shapes for ring in rings for c in ring] + [p.lon for p in dots]
    lats = [c[1] for _, _, rings in shapes for ring in rings for c in ring] + [p.lat for p in dots]
    if not lons:
        return format_html("<p>{}</p>", "No boundaries or GPS points to draw yet.")
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    span = max(east - west, north - south, 1e-6)
    scale = min((_WIDTH - 2 * _PAD) / span, (_HEIGHT - 2 * _PAD) / span)

    def xy(lon: float, lat: float) -> str:
        # Equirectangular is faithful enough at city scale; north is up.
        return f"{_PAD + (lon - west) * scale:.1f},{_PAD + (north - lat) * scale:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" '
        'role="img" aria-label="Interview points over district boundaries" class="mtm-map">'
    ]
    for code, name, rings in shapes:
        for ring in rings:
            points_attr = " ".join(xy(c[0], c[1]) for c in ring if len(c) >= 2)
            parts.append(
                f'<polygon points="{points_attr}" fill="#e8f0fe" stroke="#4a6fa5" '
                f'stroke-width="1"><title>{escape(name)} ({escape(code)})</title></polygon>'
            )
    for p in dots:
        colour = "#c62828" if p.flagged else "#2e7d32"
        x, y = xy(p.lon, p.lat).split(",")
        parts.append(f'<circle cx="{x}" cy="{y}" r="{radius}" fill="{colour}" fill-opacity="0.7"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text inside is escaped above
