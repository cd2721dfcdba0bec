from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

import pytest

from tests.unit.checks.conftest import almaty
from validation.checks.base import CheckContext, Finding, Interview
from validation.checks.duration import DurationCheck


def _codes(findings: Iterable[Finding]) -> list[str]:
    return [f.code for f in findings]


@pytest.mark.parametrize(
    ("_case", "minutes", "expected"),
    [
        ("four minutes is too short", 4, ["duration.too_short"]),
        ("exactly the 15 min minimum passes", 15, []),
        ("an ordinary 45 min interview passes", 45, []),
        ("exactly the 180 min maximum passes", 180, []),
        ("181 min is too long", 181, ["duration.too_long"]),
    ],
)
def test_duration_thresholds(
    _case: str,
    minutes: int,
    expected: list[Any],
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    start = almaty(12, 18, 10)
    iv = make_interview(start=start, end=start + timedelta(minutes=minutes))
    assert _codes(DurationCheck().run([iv], make_context())) == expected


def test_too_short_message_and_values(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    start = almaty(12, 18, 10)
    iv = make_interview(start=start, end=start + timedelta(minutes=4))
    (finding,) = DurationCheck().run([iv], make_context())
    assert finding.message == "Interview took 4 min; the minimum is 15 min."
    assert finding.severity == "major"
    assert finding.values["minutes"] == 4.0


@pytest.mark.parametrize(
    ("_case", "answered", "expected"),
    [
        ("120 answers at 6 s need 12 min: 20 min passes", 120, []),
        ("200 answers need exactly 20 min: passes", 200, []),
        ("240 answers need 24 min: 20 min is too short", 240, ["duration.too_short"]),
    ],
)
def test_scaled_by_answers(
    _case: str,
    answered: int,
    expected: list[Any],
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    start = almaty(12, 18, 10)
    iv = make_interview(start=start, end=start + timedelta(minutes=20), answered=answered)
    ctx = make_context(params={"duration.too_short": {"seconds_per_answer_min": 6}})
    assert _codes(DurationCheck().run([iv], ctx)) == expected


@pytest.mark.parametrize(
    ("_case", "overrides", "reason"),
    [
        ("no end time", {"end": None}, "The end time is missing."),
        ("no start and no end", {"start": None, "end": None}, "The start and end time is missing."),
        ("end before start", {"end": almaty(12, 17, 0)}, "The end time is before the start time."),
        (
            "naive time",
            {"start": almaty(12, 18).replace(tzinfo=None)},
            "The start or end time has no time zone.",
        ),
    ],
)
def test_cannot_check(
    _case: str,
    overrides: Any,
    reason: str,
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    (finding,) = DurationCheck().run([make_interview(**overrides)], make_context())
    assert (finding.code, finding.severity, finding.message) == (
        "duration.cannot_check",
        "info",
        reason,
    )


def test_disabled_codes_are_skipped(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    start = almaty(12, 18, 10)
    iv = make_interview(start=start, end=start + timedelta(minutes=4))
    ctx = make_context(enabled=frozenset({"duration.too_long"}))
    assert list(DurationCheck().run([iv], ctx)) == []
