"""GPS plausibility: point inside the recorded district, near its centroid, accurate, present."""

import functools
import json
import math
from collections import defaultdict
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from validation.checks.base import (
    CheckContext,
    CheckSpec,
    Finding,
    Interview,
    Param,
    cannot_check,
    family_enabled,
    is_enabled,
    resolve_params,
)

OUTSIDE_DISTRICT = "gps.outside_district"
FAR_FROM_CENTROID = "gps.far_from_centroid"
LOW_ACCURACY = "gps.low_accuracy"
MISSING = "gps.missing"

SPECS = {
    OUTSIDE_DISTRICT: CheckSpec(
        OUTSIDE_DISTRICT,
        "major",
        # A point within its own accuracy radius of the border may well be inside: not flagged.
        {"tolerance_m": Param(0.0), "use_accuracy": Param(default=True)},
    ),
    FAR_FROM_CENTROID: CheckSpec(FAR_FROM_CENTROID, "minor", {"max_km": Param(15.0)}),
    LOW_ACCURACY: CheckSpec(LOW_ACCURACY, "minor", {"max_accuracy_m": Param(100.0)}),
    MISSING: CheckSpec(MISSING, "minor"),
}
EARTH_RADIUS_KM = 6371.0088
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON_EQUATOR = 111_320.0


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True, slots=True)
class District:
    """A boundary ready for fast tests: prepared in degrees, and projected to metres."""

    geometry: BaseGeometry
    metric: BaseGeometry
    lat0: float
    lon0: float

    def to_metric(self, lat: float, lon: float) -> tuple[float, float]:
        scale = _M_PER_DEG_LON_EQUATOR * math.cos(math.radians(self.lat0))
        return ((lon - self.lon0) * scale, (lat - self.lat0) * _M_PER_DEG_LAT)

    def distance_m(self, lat: float, lon: float) -> float:
        return float(self.metric.distance(shapely.Point(self.to_metric(lat, lon))))


@functools.lru_cache(maxsize=512)
def _district(geojson_text: str) -> District | str:
    """Parse and prepare one boundary once per process; a string is the reason it is unusable."""
    try:
        geometry = shape(json.loads(geojson_text))
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, GEOSException) as exc:
        return f"not valid GeoJSON ({type(exc).__name__})"
    if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty:
        return f"a {geometry.geom_type}, not a polygon"
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    centre = geometry.centroid
    lat0, lon0 = float(centre.y), float(centre.x)
    scale = _M_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat0))
    # A local equirectangular projection is accurate to well under 1% across one district.
    metric = shapely.transform(
        geometry,
        lambda xy: np.column_stack(((xy[:, 0] - lon0) * scale, (xy[:, 1] - lat0) * _M_PER_DEG_LAT)),
    )
    shapely.prepare(geometry)
    shapely.prepare(metric)
    return District(geometry, metric, lat0, lon0)


def district_for(boundary: Mapping[str, Any]) -> District | str:
    try:
        text = json.dumps(boundary, sort_keys=True)
    except (TypeError, ValueError):
        return "not JSON"
    return _district(text)


class GpsCheck:
    codes: tuple[str, ...] = tuple(SPECS)
    specs: Mapping[str, CheckSpec] = SPECS
    per_interview: bool = True

    def run(
        self,
        interviews: Sequence[Interview],
        ctx: CheckContext,
        *,
        only_ids: frozenset[int] | None = None,
    ) -> Iterator[Finding]:
        if not family_enabled(ctx, self.codes):
            return
        params = {code: resolve_params(ctx, spec) for code, spec in SPECS.items()}
        by_location: dict[str, list[tuple[Interview, float, float, float | None]]] = defaultdict(
            list
        )
        for iv in interviews:
            point = yield from _point(iv, ctx, params)
            if point is None:
                continue
            lat, lon, accuracy = point
            if not iv.location:
                yield cannot_check("gps", iv.id, "No district is recorded for the interview.")
            else:
                by_location[iv.location].append((iv, lat, lon, accuracy))
        for location, group in by_location.items():
            yield from _placement(location, group, ctx, params)


Point = tuple[float, float, float | None]


def _point(
    iv: Interview, ctx: CheckContext, params: dict[str, dict[str, Any]]
) -> Generator[Finding, None, Point | None]:
    """Yield missing/malformed/accuracy findings; return (lat, lon, accuracy) when usable."""
    if iv.gps is None or (iv.gps[0] == 0 and iv.gps[1] == 0):
        if is_enabled(ctx, MISSING):
            # 0,0 is what some tablets store when they never got a fix.
            why = "No GPS point was recorded." if iv.gps is None else "GPS point is 0,0 (no fix)."
            yield Finding(MISSING, iv.id, "", str(params[MISSING]["severity"]), why, {})
        return None
    try:
        lat, lon = float(iv.gps[0]), float(iv.gps[1])
        accuracy = None if iv.gps[3] is None else float(iv.gps[3])
    except (TypeError, ValueError, IndexError):
        yield cannot_check("gps", iv.id, "The GPS point is not a pair of numbers.")
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        yield cannot_check("gps", iv.id, f"The GPS point {lat}, {lon} is not on Earth.")
        return None
    if accuracy is None or not math.isfinite(accuracy) or accuracy < 0:
        accuracy = None
        if is_enabled(ctx, LOW_ACCURACY):
            yield cannot_check("gps", iv.id, "The GPS accuracy was not recorded.")
    elif is_enabled(ctx, LOW_ACCURACY):
        limit = float(params[LOW_ACCURACY]["max_accuracy_m"])
        if accuracy > limit:
            yield Finding(
                LOW_ACCURACY,
                iv.id,
                "",
                str(params[LOW_ACCURACY]["severity"]),
                f"GPS accuracy is {accuracy:.0f} m; the limit is {limit:.0f} m.",
                {"accuracy_m": accuracy, "max_accuracy_m": limit},
            )
    return (lat, lon, accuracy)


def _placement(
    location: str,
    group: list[tuple[Interview, float, float, float | None]],
    ctx: CheckContext,
    params: dict[str, dict[str, Any]],
) -> Iterator[Finding]:
    boundary = ctx.boundaries.get(location)
    if boundary is not None:
        district = district_for(boundary)
        if isinstance(district, str):
            for iv, *_ in group:
                yield cannot_check("gps", iv.id, f"The boundary of {location} is {district}.")
            return
        if is_enabled(ctx, OUTSIDE_DISTRICT):
            yield from _outside(location, district, group, params[OUTSIDE_DISTRICT])
        return
    centroid = ctx.centroids.get(location)
    if centroid is None:
        for iv, *_ in group:
            yield cannot_check("gps", iv.id, f"No boundary or centre is known for {location}.")
        return
    if not is_enabled(ctx, FAR_FROM_CENTROID):
        return
    params_far = params[FAR_FROM_CENTROID]
    limit = float(params_far["max_km"])
    for iv, lat, lon, _ in group:
        km = haversine_km((lat, lon), centroid)
        if km > limit:
            yield Finding(
                FAR_FROM_CENTROID,
                iv.id,
                "",
                str(params_far["severity"]),
                f"GPS point is {km:.1f} km from the centre of {location}; the limit is "
                f"{limit:g} km.",
                {"distance_km": round(km, 3), "max_km": limit, "location": location},
            )


def _outside(
    location: str,
    district: District,
    group: list[tuple[Interview, float, float, float | None]],
    params: dict[str, Any],
) -> Iterator[Finding]:
    lats = np.fromiter((g[1] for g in group), dtype=float, count=len(group))
    lons = np.fromiter((g[2] for g in group), dtype=float, count=len(group))
    # intersects, not contains: a point exactly on the border is in the district.
    inside = shapely.intersects_xy(district.geometry, lons, lats)
    tolerance = float(params["tolerance_m"])
    for index in np.flatnonzero(~inside):
        iv, lat, lon, accuracy = group[int(index)]
        distance = district.distance_m(lat, lon)
        allowed = max(tolerance, accuracy or 0.0) if params["use_accuracy"] else tolerance
        if distance <= allowed:
            continue
        yield Finding(
            OUTSIDE_DISTRICT,
            iv.id,
            "",
            str(params["severity"]),
            f"GPS point is {_metres(distance)} outside {location}.",
            {
                "distance_m": round(distance, 1),
                "location": location,
                "allowed_m": allowed,
                # The exact point is personal data: the flag keeps it to ~1 km only.
                "lat": round(lat, 2),
                "lon": round(lon, 2),
            },
        )


def _metres(distance: float) -> str:
    return f"{distance / 1000:.1f} km" if distance >= 1000 else f"{distance:.0f} m"
