"""Aggregates the dashboards draw, each one query over the user's scope of a round."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.fields.json import KT
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


def overview_and_days(rows: QuerySet[Submission]) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Totals by review status and eligibility, and interviews per day, in one grouped query.

    The open-flag total is flags_by_check's sum (overview_with_flags): one scan of the round's
    interviews less each.
    """
    counts = {"total": 0, "eligible": 0, "ineligible": 0, **dict.fromkeys(S.values, 0)}
    per_day: dict[dt.date, int] = defaultdict(int)
    grouped = (
        rows.values("review_status", "eligibility__verdict", day=TruncDate("submission_time"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in grouped:
        n = row["n"]
        counts["total"] += n
        if row["eligibility__verdict"] in ("eligible", "ineligible"):
            counts[row["eligibility__verdict"]] += n
        if row["review_status"] in counts:
            counts[row["review_status"]] += n
        if row["day"] is not None:
            per_day[row["day"]] += n
    days = [{"day": day.isoformat(), "count": n} for day, n in sorted(per_day.items())]
    return counts, days


def with_open_flags(counts: dict[str, int], by_check: list[dict[str, Any]]) -> dict[str, int]:
    """The overview's totals with the open flags: the sum of flags_by_check's groups."""
    return {**counts, "open_flags": sum(row["count"] for row in by_check)}


# The flag figures join each interview of the scope to its open flags (one pass over the
# interviews), rather than semi-joining the flags with the scope (a second pass).
def flags_by_check(rows: QuerySet[Submission]) -> list[dict[str, Any]]:
    grouped = (
        rows.filter(flags__status=Flag.Status.OPEN)
        .values(code=F("flags__check_code"), level=F("flags__severity"))
        .annotate(count=Count("flags"))
        .order_by("-count", "code")
    )
    return [
        {"check_code": row["code"], "severity": row["level"], "count": row["count"]}
        for row in grouped
    ]


def flags_by_enumerator(rows: QuerySet[Submission]) -> list[dict[str, Any]]:
    grouped = (
        rows.filter(flags__status=Flag.Status.OPEN)
        .values("enumerator__kobo_username")
        .annotate(
            count=Count("flags"),
            interviews=Count("pk", distinct=True),
            blockers=Count("flags", filter=Q(flags__severity="blocker")),
        )
        .order_by("-count")
    )
    return [
        {
            "submission__enumerator__kobo_username": row["enumerator__kobo_username"],
            "count": row["count"],
            "interviews": row["interviews"],
            "blockers": row["blockers"],
        }
        for row in grouped
    ]


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float
    flagged: bool
    location_id: int | None = None


def map_points(rows: QuerySet[Submission], round_id: int) -> Iterator[Point]:
    """Interview points (the latest few thousand), flagged ones marked."""
    path = question_path(round_id, "gps")
    # The GPS answer alone (KT), not each interview's whole answers: 5,000 of them are 20 MB.
    latest = rows.order_by("-submission_time").values_list(
        KT(f"data__{path}"), "review_status", "location_id"
    )[:_MAP_POINTS]
    for gps, status, location_id in latest.iterator(chunk_size=1000):
        parts = str(gps or "").split()
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
