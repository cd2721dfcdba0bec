"""Factories for Interview and CheckContext with MTM Almaty values (round 3, February 2024)."""

import itertools
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from validation.checks.base import CheckContext, Interview

ALMATY = ZoneInfo("Asia/Almaty")
# Bostandyk district as a box (lon 76.88-76.96, lat 43.18-43.24).
BOSTANDYK = {
    "type": "Polygon",
    "coordinates": [
        [[76.88, 43.18], [76.96, 43.18], [76.96, 43.24], [76.88, 43.24], [76.88, 43.18]]
    ],
}
MEDEU_CENTRE = (43.21, 77.00)
LIKERT_BLOCK = ["e/sat_housing", "e/sat_work", "e/sat_income", "e/sat_health", "e/sat_locals"]


def almaty(day: int, hour: int, minute: int = 0) -> datetime:
    """A local Almaty time in February 2024."""
    return datetime(2024, 2, day, hour, minute, tzinfo=ALMATY)


def started(interview: Interview) -> datetime:
    """The interview's start (make_interview always sets one)."""
    assert interview.start is not None
    return interview.start


@pytest.fixture
def make_interview() -> Callable[..., Interview]:
    """An evening interview in Bostandyk, uploaded three days later from offline work."""
    counter = itertools.count(1)

    def make(**overrides: Any) -> Interview:
        n = next(counter)
        start = almaty(12, 18, 10)
        base = Interview(
            id=n,
            kobo_id=5000 + n,
            root_uuid=f"uuid:root-{n}",
            instance_id=f"uuid:inst-{n}",
            form_id=1,
            round_id=3,
            enumerator="aigerim.s",
            team="ALA-1",
            location="KZ-ALA-BOS",
            sex="male",
            age=34,
            nationality="uz",
            arrival_date=date(2021, 5, 10),
            start=start,
            end=start + timedelta(minutes=45),
            submitted=(start + timedelta(days=3, hours=2)).astimezone(UTC),
            gps=(43.21, 76.92, 820.0, 8.0),
            phone_hash=None,
            name_hash=None,
            answers={},
            answered=60,
        )
        return replace(base, **overrides)

    return make


@pytest.fixture
def make_context() -> Callable[..., CheckContext]:
    def make(**overrides: Any) -> CheckContext:
        base = CheckContext(
            fieldwork_start=date(2024, 2, 1),
            fieldwork_end=date(2024, 2, 29),
            now=datetime(2024, 3, 5, 6, 0, tzinfo=UTC),
            working_hours={"ALA-1": (time(14), time(22))},
            timezone=ALMATY,
            boundaries={"KZ-ALA-BOS": BOSTANDYK},
            centroids={"KZ-ALA-MED": MEDEU_CENTRE},
            numeric_questions=["d/income_kzt"],
            dk_values=frozenset({"dk", "98"}),
            refuse_values=frozenset({"refuse", "99"}),
            straightline_blocks=[LIKERT_BLOCK],
            params={},
        )
        return replace(base, **overrides)

    return make
