import math
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from validation.checks.base import CheckContext, Finding, Interview
from validation.checks.gps import GpsCheck, haversine_km


def _codes(findings: Iterable[Finding]) -> list[str]:
    return sorted(f.code for f in findings)


@pytest.mark.parametrize(
    ("_case", "gps", "expected"),
    [
        ("inside Bostandyk", (43.21, 76.92, 820.0, 8.0), []),
        ("on the district border counts as inside", (43.18, 76.92, 820.0, 8.0), []),
        (
            "in Medeu, 2.4 km east of Bostandyk",
            (43.21, 76.99, 820.0, 8.0),
            ["gps.outside_district"],
        ),
        ("50 m outside but accuracy 80 m: may be inside", (43.21, 76.96062, None, 80.0), []),
        ("accuracy exactly 100 m passes", (43.21, 76.92, None, 100.0), []),
        ("accuracy 150 m is low", (43.21, 76.92, None, 150.0), ["gps.low_accuracy"]),
        ("no point", None, ["gps.missing"]),
        ("0,0 means no fix", (0.0, 0.0, None, None), ["gps.missing"]),
    ],
)
def test_district_and_accuracy(
    _case: str,
    gps: tuple[Any, ...] | None,
    expected: list[Any],
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    assert _codes(GpsCheck().run([make_interview(gps=gps)], make_context())) == expected


def test_outside_message_gives_distance(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    (finding,) = GpsCheck().run([make_interview(gps=(43.21, 76.99, None, 5.0))], make_context())
    assert finding.message == "GPS point is 2.4 km outside KZ-ALA-BOS."
    assert finding.values["distance_m"] == pytest.approx(2436, rel=0.01)


def test_tolerance_edge_is_not_flagged(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    iv = make_interview(gps=(43.21, 76.99, None, 5.0))
    (finding,) = GpsCheck().run([iv], make_context())
    exact = finding.values["distance_m"]
    ctx = make_context(params={"gps.outside_district": {"tolerance_m": exact + 0.5}})
    assert list(GpsCheck().run([iv], ctx)) == []


@pytest.mark.parametrize(
    ("_case", "gps", "expected"),
    [
        ("1 km from the Medeu centre", (43.219, 77.0, None, 5.0), []),
        ("40 km away in Kaskelen", (43.20, 76.62, None, 5.0), ["gps.far_from_centroid"]),
    ],
)
def test_far_from_centroid_without_boundary(
    _case: str,
    gps: tuple[Any, ...],
    expected: list[Any],
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    iv = make_interview(location="KZ-ALA-MED", gps=gps)
    assert _codes(GpsCheck().run([iv], make_context())) == expected


def test_far_from_centroid_edge(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    point = (43.21 + 15 / 111.195, 77.0)  # 15 km due north of the centre
    km = haversine_km(point, (43.21, 77.0))
    iv = make_interview(location="KZ-ALA-MED", gps=(*point, None, 5.0))
    ctx = make_context(params={"gps.far_from_centroid": {"max_km": km}})
    assert list(GpsCheck().run([iv], ctx)) == []


@pytest.mark.parametrize(
    ("_case", "overrides", "context_overrides", "reason"),
    [
        ("no district", {"location": None}, {}, "No district is recorded for the interview."),
        (
            "unknown district",
            {"location": "KZ-ALA-XXX"},
            {},
            "No boundary or centre is known for KZ-ALA-XXX.",
        ),
        (
            "latitude off the planet",
            {"gps": (143.0, 76.9, None, 5.0)},
            {},
            "The GPS point 143.0, 76.9 is not on Earth.",
        ),
        (
            "NaN longitude",
            {"gps": (43.2, math.nan, None, 5.0)},
            {},
            "The GPS point 43.2, nan is not on Earth.",
        ),
        (
            "text instead of numbers",
            {"gps": ("43.2x", 76.9, None, 5.0)},
            {},
            "The GPS point is not a pair of numbers.",
        ),
        (
            "broken boundary",
            {},
            {"boundaries": {"KZ-ALA-BOS": {"type": "Polygon"}}},
            "The boundary of KZ-ALA-BOS is not valid GeoJSON (KeyError).",
        ),
        (
            "a point is not a boundary",
            {},
            {"boundaries": {"KZ-ALA-BOS": {"type": "Point", "coordinates": [76.9, 43.2]}}},
            "The boundary of KZ-ALA-BOS is a Point, not a polygon.",
        ),
        (
            "no accuracy",
            {"gps": (43.21, 76.92, None, None)},
            {},
            "The GPS accuracy was not recorded.",
        ),
    ],
)
def test_cannot_check(
    _case: str,
    overrides: Any,
    context_overrides: dict[str, Any],
    reason: str,
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    findings = list(
        GpsCheck().run([make_interview(**overrides)], make_context(**context_overrides))
    )
    assert [(f.code, f.message) for f in findings] == [("gps.cannot_check", reason)]


def test_many_points_in_many_districts(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    inside = [make_interview(gps=(43.19 + i * 0.0004, 76.9, None, 5.0)) for i in range(100)]
    outside = [make_interview(gps=(43.30, 76.9, None, 5.0)) for _ in range(3)]
    findings = list(GpsCheck().run(inside + outside, make_context()))
    assert sorted(f.interview_id for f in findings) == [iv.id for iv in outside]
