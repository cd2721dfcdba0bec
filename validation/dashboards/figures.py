"""Aggregates the dashboards draw, each one query over the user's scope of a round."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate

from surveys.models import KoboForm, Location, Submission
from validation.models import Flag
from validation.privacy.masking import coarse_point
from validation.selectors import question_path

S = Submission.ReviewStatus
_MAP_POINTS = 5000  # enough to see clusters; bounds the page size on a 100,000-row round


def round_rows(scope: QuerySet[Submission], round_id: int) -> QuerySet[Submission]:
    # Key-informant (BMA) interviews are baseline counts, not survey interviews.
    return scope.filter(
        form__round_id=round_id,
        form__instrument=KoboForm.Instrument.SURVEY,
        deleted_at__isnull=True,
    )


def overview(rows: QuerySet[Submission]) -> dict[str, int]:
    """Totals by review status, eligibility and open flags, in one query."""
    counts = rows.aggregate(
        total=Count("pk"),
        eligible=Count("pk", filter=Q(eligibility__verdict="eligible")),
        ineligible=Count("pk", filter=Q(eligibility__verdict="ineligible")),
        **{status: Count("pk", filter=Q(review_status=status)) for status in S.values},
    )
    counts["open_flags"] = Flag.objects.open().filter(submission__in=rows.values("pk")).count()
    return counts


def interviews_per_day(rows: QuerySet[Submission]) -> list[dict[str, Any]]:
    return [
        {"day": row["day"].isoformat(), "count": row["count"]}
        for row in rows.annotate(day=TruncDate("submission_time"))
        .values("day")
        .annotate(count=Count("pk"))
        .order_by("day")
        if row["day"] is not None
    ]


def flags_by_check(rows: QuerySet[Submission]) -> list[dict[str, Any]]:
    return list(
        Flag.objects.open()
        .filter(submission__in=rows.values("pk"))
        .values("check_code", "severity")
        .annotate(count=Count("pk"))
        .order_by("-count", "check_code")
    )


def flags_by_enumerator(rows: QuerySet[Submission]) -> list[dict[str, Any]]:
    return list(
        Flag.objects.open()
        .filter(submission__in=rows.values("pk"))
        .values("submission__enumerator__kobo_username")
        .annotate(
            count=Count("pk"),
            interviews=Count("submission", distinct=True),
            blockers=Count("pk", filter=Q(severity="blocker")),
        )
        .order_by("-count")
    )


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float
    flagged: bool
    location_id: int | None = None


def map_points(rows: QuerySet[Submission], round_id: int) -> Iterator[Point]:
    """Interview points (the latest few thousand), flagged ones marked."""
    path = question_path(round_id, "gps")
    latest = rows.order_by("-submission_time").values_list("data", "review_status", "location_id")[
        :_MAP_POINTS
    ]
    for data, status, location_id in latest.iterator(chunk_size=1000):
        parts = str((data or {}).get(path, "")).split()
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except (IndexError, ValueError):
            continue
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            # ~1 km: the exact point is personal data (validation.privacy), the map needs less.
            lat, lon = coarse_point(lat, lon)
            yield Point(lat, lon, status in (S.FLAGGED, S.ON_HOLD, S.RETURNED), location_id)


@dataclass(frozen=True)
class District:
    """A place the round's interviews were recorded in, with the area it is drawn in."""

    pk: int
    code: str
    name: str
    area_pk: int  # the city or region it belongs to (itself when it has no parent)
    area_name: str
    boundary: dict[str, Any] | None  # stored GeoJSON, else None (drawn from its points)


def map_districts(rows: QuerySet[Submission]) -> list[District]:
    """The districts of the round's interviews in the user's scope, in one query."""
    used = rows.order_by().values("location_id")
    return [
        District(
            loc.pk,
            loc.code,
            loc.name_en,
            loc.parent_id or loc.pk,
            (loc.parent or loc).name_en,
            loc.boundary if isinstance(loc.boundary, dict) else None,
        )
        for loc in Location.objects.filter(pk__in=used).select_related("parent").order_by("code")
    ]
