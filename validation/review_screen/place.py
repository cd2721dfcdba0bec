"""Where the interview was recorded, against the district it claims (inline SVG, no tiles)."""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.safestring import SafeString
from shapely.errors import GEOSException
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import shape
from shapely.ops import nearest_points

from surveys.models import Submission
from validation.dashboards.figures import Point
from validation.dashboards.svg_map import map_svg
from validation.models import Flag
from validation.privacy.masking import coarse_point
from validation.selectors import question_path

_KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class GpsPlace:
    svg: SafeString | None
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    district: str
    verdict: str  # plain words: inside, outside by ~N km, no boundary, no point
    exact: bool = True  # False: lat/lon are rounded to ~1 km (the point is personal data)


def _point(raw: object) -> tuple[float, float, float | None] | None:
    parts = str(raw or "").split()
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except (IndexError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    try:
        accuracy = float(parts[3]) if len(parts) > 3 else None
    except ValueError:
        accuracy = None
    return lat, lon, accuracy


def gps_place(submission: Submission, flags: Iterable[Flag], *, exact: bool = True) -> GpsPlace:
    """The point against the district; unless `exact`, drawn and shown to ~1 km only.

    The verdict (inside, how far outside) is judged on the recorded point either way: it
    says where the interview was relative to the district, not where the respondent lives.
    """
    location = submission.location
    district = location.name_en if location is not None else ""
    round_id = submission.form.round_id
    found = _point(submission.data.get(question_path(round_id, "gps"))) if round_id else None
    boundary = location.boundary if location is not None else None
    boundaries = (
        [(location.code, location.name_en, boundary)]
        if location is not None and isinstance(boundary, dict)
        else []
    )
    if found is None:
        return GpsPlace(None, None, None, None, district, "No GPS point was recorded.")
    lat, lon, accuracy = found
    shown_lat, shown_lon = (lat, lon) if exact else coarse_point(lat, lon)
    shown_accuracy = accuracy if exact else None
    flagged = any(f.check_code.startswith("gps.") and f.status == Flag.Status.OPEN for f in flags)
    if not boundaries:
        svg = map_svg([], [Point(shown_lat, shown_lon, flagged)], radius=7)
        return GpsPlace(
            svg,
            shown_lat,
            shown_lon,
            shown_accuracy,
            district,
            "The district has no boundary on file.",
            exact,
        )
    try:
        area = shape(boundaries[0][2])
        here = ShapelyPoint(lon, lat)
        inside = area.covers(here)
        nearest = nearest_points(area, here)[0]
    except (GEOSException, ValueError, TypeError, KeyError, IndexError):
        svg = map_svg([], [Point(shown_lat, shown_lon, flagged)], radius=7)
        return GpsPlace(
            svg,
            shown_lat,
            shown_lon,
            shown_accuracy,
            district,
            "The district boundary is unreadable.",
            exact,
        )
    svg = map_svg(boundaries, [Point(shown_lat, shown_lon, flagged or not inside)], radius=7)
    if inside:
        verdict = f"Inside {district}."
    else:
        # Equirectangular at this latitude: good enough to say "about 3 km outside".
        dx = (lon - nearest.x) * math.cos(math.radians(lat))
        km = math.hypot(dx, lat - nearest.y) * _KM_PER_DEGREE
        verdict = f"Outside {district}, about {km:.1f} km from its boundary."
    return GpsPlace(svg, shown_lat, shown_lon, shown_accuracy, district, verdict, exact)
