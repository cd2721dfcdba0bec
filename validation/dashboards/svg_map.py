"""An inline SVG map of district boundaries (GeoJSON) and interview points: no tiles, no network."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from shapely.geometry import MultiPoint

from validation.dashboards.figures import District, Point

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


@dataclass(frozen=True)
class Panel:
    """One city or region of the round map, drawn at its own scale."""

    title: str
    svg: SafeString
    districts: int
    points: int
    flagged: int
    outside: int  # points beyond the districts' extent, counted rather than drawn
    outlined: int  # districts drawn as the outline of their points (no stored boundary)


_PANEL_W, _PANEL_H, _PANEL_PAD = 420, 300, 16
_FLAGGED, _OTHER = "#b71c1c", "#2e7d32"


def _outline(
    district: District, points: list[Point]
) -> tuple[list[list[tuple[float, float]]], bool]:
    """Rings of the stored boundary, else the hull of the district's points (a marked guess)."""
    if district.boundary is not None:
        rings = [[(c[0], c[1]) for c in ring if len(c) >= 2] for ring in _rings(district.boundary)]
        return [r for r in rings if len(r) >= 3], False
    own = _core([(p.lon, p.lat) for p in points if p.location_id == district.pk])
    if not own:
        return [], True
    # ~1 km around the points: the coarse points of one district often sit on a line.
    hull = MultiPoint(own).convex_hull.buffer(0.01)
    return [list(hull.exterior.coords)], True


def _core(coords: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points within ~20 km of the district's median point: a wrong GPS fix is no area."""
    if not coords:
        return []
    mid_lon = sorted(c[0] for c in coords)[len(coords) // 2]
    mid_lat = sorted(c[1] for c in coords)[len(coords) // 2]
    return [c for c in coords if abs(c[0] - mid_lon) <= 0.25 and abs(c[1] - mid_lat) <= 0.18]


def _extent(coords: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    lons = sorted(c[0] for c in coords)
    lats = sorted(c[1] for c in coords)
    return lons[0], lons[-1], lats[0], lats[-1]


def _trimmed(points: list[Point]) -> list[tuple[float, float]]:
    """The middle 96 % of points each way: a few far-off GPS fixes do not shrink the city."""
    if len(points) < 25:
        return [(p.lon, p.lat) for p in points]
    lons = sorted(p.lon for p in points)
    lats = sorted(p.lat for p in points)
    lo, hi = len(points) // 50, len(points) - 1 - len(points) // 50
    return [(lons[lo], lats[lo]), (lons[hi], lats[hi])]


def map_panels(districts: Iterable[District], points: Iterable[Point]) -> list[Panel]:
    """One SVG per city/region: district areas labelled, flagged points drawn last and larger.

    Cities lie hundreds of kilometres apart, so one map of the round shrinks each district to a
    dot; each area gets its own panel instead. A district without a stored boundary is drawn as
    a dashed outline around its interview points, and says so in its tooltip.
    """
    by_area: dict[int, list[District]] = {}
    for d in districts:
        by_area.setdefault(d.area_pk, []).append(d)
    all_points = list(points)
    panels = []
    for area_districts in sorted(by_area.values(), key=lambda ds: ds[0].area_name):
        pks = {d.pk for d in area_districts}
        area_points = [p for p in all_points if p.location_id in pks]
        shapes = [(d, *_outline(d, area_points)) for d in area_districts]
        # The districts set the view; points beyond them are counted under the panel.
        coords = [c for _, rings, _ in shapes for ring in rings for c in ring]
        coords = coords or _trimmed(area_points)
        if not coords:
            continue
        panels.append(_panel(area_districts[0].area_name, shapes, area_points, coords))
    return panels


def _panel(
    title: str,
    shapes: list[tuple[District, list[list[tuple[float, float]]], bool]],
    points: list[Point],
    coords: list[tuple[float, float]],
) -> Panel:
    west, east, south, north = _extent(coords)
    margin = max(east - west, north - south, 0.01) * 0.05
    west, east, south, north = west - margin, east + margin, south - margin, north + margin
    scale = min(
        (_PANEL_W - 2 * _PANEL_PAD) / max(east - west, 1e-6),
        (_PANEL_H - 2 * _PANEL_PAD) / max(north - south, 1e-6),
    )

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return _PANEL_PAD + (lon - west) * scale, _PANEL_PAD + (north - lat) * scale

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_PANEL_W} {_PANEL_H}" '
        f'role="img" aria-label="{escape(title)}: interview points over districts" '
        'class="mtm-map">'
    ]
    labels = []
    for district, rings, guessed in shapes:
        tip = f"{district.name} ({district.code})" + (
            " — outline of its interview points, no boundary stored" if guessed else ""
        )
        dash = ' stroke-dasharray="4 3"' if guessed else ""
        for ring in rings:
            pts = " ".join("{:.1f},{:.1f}".format(*xy(*c)) for c in ring)
            parts.append(
                f'<polygon points="{pts}" fill="#e3ebf6" fill-opacity="0.7" stroke="#3b5b8c" '
                f'stroke-width="1.2"{dash}><title>{escape(tip)}</title></polygon>'
            )
        if rings:
            ring = max(rings, key=len)
            cx = sum(xy(*c)[0] for c in ring) / len(ring)
            cy = sum(xy(*c)[1] for c in ring) / len(ring)
            xs, ys = [xy(*c)[0] for c in ring], [xy(*c)[1] for c in ring]
            if max(max(xs) - min(xs), max(ys) - min(ys)) < 16:
                # Too small to see at this panel's scale: a marker circle, dashed as guessed.
                parts.append(
                    f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="14" fill="#e3ebf6" '
                    f'fill-opacity="0.7" stroke="#3b5b8c" stroke-width="1.2"{dash}>'
                    f"<title>{escape(tip)}</title></circle>"
                )
            labels.append(
                f'<text x="{cx:.1f}" y="{cy:.1f}" text-anchor="middle" font-size="11" '
                'fill="#1b2a41" stroke="#fff" stroke-width="3" paint-order="stroke">'
                f"{escape(district.name)}</text>"
            )
    outside = 0
    drawn: list[tuple[float, float, bool]] = []
    for p in points:
        x, y = xy(p.lon, p.lat)
        if not (0 <= x <= _PANEL_W and 0 <= y <= _PANEL_H):
            outside += 1
            continue
        drawn.append((x, y, p.flagged))
    # Others first and small, flagged on top, larger and ringed: they are what one looks for.
    for x, y, flagged in sorted(drawn, key=lambda d: d[2]):
        if flagged:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{_FLAGGED}" '
                'stroke="#fff" stroke-width="1.5"/>'
            )
        else:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="{_OTHER}" fill-opacity="0.55"/>'
            )
    parts.extend(labels)  # names above the points, so they stay readable
    parts.append("</svg>")
    return Panel(
        title=title,
        svg=mark_safe("".join(parts)),  # noqa: S308 - every text inside is escaped above
        districts=len(shapes),
        points=len(points),
        flagged=sum(1 for p in points if p.flagged),
        outside=outside,
        outlined=sum(1 for _, rings, guessed in shapes if guessed and rings),
    )
