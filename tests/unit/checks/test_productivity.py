from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from tests.unit.checks.conftest import almaty, started
from validation.checks.base import CheckContext, Interview
from validation.checks.productivity import ProductivityCheck


def _day(
    make_interview: Callable[..., Interview], counts: list[int], day: int = 12
) -> list[Interview]:
    interviews: list[Interview] = []
    for n, count in enumerate(counts):
        for k in range(count):
            start = almaty(day, 14) + timedelta(minutes=20 * k)
            interviews.append(
                make_interview(
                    enumerator=f"enum{n}", start=start, end=start + timedelta(minutes=18)
                )
            )
    return interviews


@pytest.mark.parametrize(
    ("_case", "counts", "flagged"),
    [
        ("12 against a median of 4", [4, 4, 4, 12], {"enum3": 12}),
        ("exactly 2x the median of 4 and 8 interviews", [4, 4, 4, 8], {"enum3": 8}),
        ("2x a median of 2 but only 4 interviews", [2, 2, 2, 4], {}),
        ("a steady team", [5, 6, 5, 7], {}),
        ("alone that day: no median", [12], {}),
    ],
)
def test_high_productivity(
    _case: str,
    counts: list[Any],
    flagged: dict[str, Any],
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    interviews = _day(make_interview, counts)
    findings = list(ProductivityCheck().run(interviews, make_context()))
    assert {f.values["enumerator"]: f.values["count"] for f in findings} == flagged
    for finding in findings:
        own = [iv for iv in interviews if iv.enumerator == finding.values["enumerator"]]
        assert finding.interview_id == max(own, key=started).id
        assert finding.values["interview_ids"] == sorted(iv.id for iv in own)


def test_days_are_local(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    # 00:30 Almaty on the 13th is still the 12th in UTC: it belongs to the 13th locally.
    interviews = _day(make_interview, [4, 4, 4, 7])
    late = almaty(13, 0, 30)
    interviews.append(
        make_interview(enumerator="enum3", start=late, end=late + timedelta(minutes=20))
    )
    assert list(ProductivityCheck().run(interviews, make_context())) == []


def test_no_device_time_is_skipped(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    assert (
        list(ProductivityCheck().run([make_interview(start=None, end=None)], make_context())) == []
    )
