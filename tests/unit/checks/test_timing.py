from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from tests.unit.checks.conftest import almaty
from validation.checks.base import CheckContext, Finding, Interview
from validation.checks.timing import TimingCheck, within_hours


def _codes(findings: Iterable[Finding]) -> list[str]:
    return sorted(f.code for f in findings)


@pytest.mark.parametrize(
    ("_case", "start", "minutes", "expected"),
    [
        ("evening 18:10 in a 14:00-22:00 team passes", almaty(12, 18, 10), 45, []),
        ("starting exactly at 14:00 passes", almaty(12, 14, 0), 45, []),
        ("ending exactly at 22:00 passes", almaty(12, 21, 15), 45, []),
        ("morning 10:00 is outside", almaty(12, 10, 0), 45, ["timing.outside_hours"]),
        ("ending 22:01 is outside", almaty(12, 21, 16), 45, ["timing.outside_hours"]),
    ],
)
def test_outside_hours(
    _case: str,
    start: Any,
    minutes: int,
    expected: list[Any],
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    iv = make_interview(start=start, end=start + timedelta(minutes=minutes))
    assert _codes(TimingCheck().run([iv], make_context())) == expected


def test_outside_hours_message(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    iv = make_interview(start=almaty(12, 10, 0), end=almaty(12, 10, 40))
    (finding,) = TimingCheck().run([iv], make_context())
    assert finding.message == (
        "Interview started at 10:00 and ended at 10:40; team ALA-1 works 14:00–22:00."
    )


def test_window_across_midnight() -> None:
    assert within_hours(time(23, 30), time(20), time(2), 0)
    assert within_hours(time(1, 0), time(20), time(2), 0)
    assert not within_hours(time(3, 0), time(20), time(2), 0)


def test_tolerance_widens_hours(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    iv = make_interview(start=almaty(12, 13, 50), end=almaty(12, 14, 40))
    ctx = make_context(params={"timing.outside_hours": {"tolerance_minutes": 10}})
    assert _codes(TimingCheck().run([iv], ctx)) == []


def test_team_without_hours_cannot_be_checked(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    (finding,) = TimingCheck().run([make_interview(team="SHY-2")], make_context())
    assert finding.code == "timing.cannot_check"
    assert finding.message == "No working hours are set for team SHY-2."


def test_default_hours_apply_to_any_team(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    ctx = make_context(working_hours={"*": (time(9), time(18))})
    assert _codes(TimingCheck().run([make_interview(team="SHY-2")], ctx)) == [
        "timing.outside_hours"
    ]


def test_no_hours_configured_means_no_judgement(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    iv = make_interview(start=almaty(12, 3, 0), end=almaty(12, 3, 45))
    assert _codes(TimingCheck().run([iv], make_context(working_hours={}))) == []


@pytest.mark.parametrize(
    ("_case", "start", "end", "expected"),
    [
        ("end before start", almaty(12, 19, 0), almaty(12, 18, 0), ["timing.end_before_start"]),
        ("end equal to start is not before", almaty(12, 19, 0), almaty(12, 19, 0), []),
        (
            "left open overnight spans two days",
            almaty(12, 21, 0),
            almaty(13, 14, 30),
            ["timing.multi_day"],
        ),
    ],
)
def test_start_end_order(
    _case: str,
    start: Any,
    end: Any,
    expected: list[Any],
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    iv = make_interview(start=start, end=end, submitted=(end + timedelta(days=1)).astimezone(UTC))
    assert _codes(TimingCheck().run([iv], make_context())) == expected


@pytest.mark.parametrize(
    ("_case", "day", "expected"),
    [
        ("the first fieldwork day passes", 1, []),
        ("the day before fieldwork", None, ["timing.before_fieldwork"]),
        ("the last fieldwork day passes", 29, []),
    ],
)
def test_fieldwork_window(
    _case: str,
    day: int | None,
    expected: list[Any],
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    start = almaty(day, 18) if day else datetime(2024, 1, 31, 18, tzinfo=almaty(1, 0).tzinfo)
    iv = make_interview(
        start=start,
        end=start + timedelta(minutes=40),
        submitted=(start + timedelta(hours=2)).astimezone(UTC),
    )
    assert (
        _codes(TimingCheck().run([iv], make_context(now=datetime(2024, 3, 2, tzinfo=UTC))))
        == expected
    )


def test_after_fieldwork(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    start = almaty(12, 18)
    ctx = make_context(fieldwork_end=date(2024, 2, 10))
    assert _codes(
        TimingCheck().run([make_interview(start=start, end=start + timedelta(minutes=40))], ctx)
    ) == ["timing.after_fieldwork"]


@pytest.mark.parametrize(
    ("_case", "upload_delay", "expected"),
    [
        ("offline upload 3 days later is fine", timedelta(days=3), []),
        ("exactly 7 days later is fine", timedelta(days=7), []),
        ("8 days later is late", timedelta(days=8), ["timing.late_upload"]),
        ("upload 5 min before the tablet's end time is clock drift", -timedelta(minutes=5), []),
        ("upload 2 h before the end time: wrong clock", -timedelta(hours=2), ["timing.in_future"]),
    ],
)
def test_upload_timing(
    _case: str,
    upload_delay: Any,
    expected: list[Any],
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    start = almaty(12, 18, 10)
    end = start + timedelta(minutes=45)
    iv = make_interview(start=start, end=end, submitted=(end + upload_delay).astimezone(UTC))
    assert _codes(TimingCheck().run([iv], make_context())) == expected


def test_in_future_against_now(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    start = almaty(12, 18, 10)
    end = start + timedelta(minutes=45)
    iv = make_interview(start=start, end=end, submitted=(end + timedelta(days=3)).astimezone(UTC))
    ctx = make_context(now=(end - timedelta(hours=1)).astimezone(UTC))
    (finding,) = TimingCheck().run([iv], ctx)
    assert (finding.code, finding.values["reference"]) == ("timing.in_future", "now")


@pytest.mark.parametrize(
    ("_case", "overrides", "message"),
    [
        (
            "no times at all",
            {"start": None, "end": None},
            "The start time is missing. The end time is missing.",
        ),
        ("naive end", {"end": datetime(2024, 2, 12, 19)}, "The end time has no time zone."),  # noqa: DTZ001
    ],
)
def test_cannot_check(
    _case: str,
    overrides: Any,
    message: str,
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    findings = [
        f
        for f in TimingCheck().run([make_interview(**overrides)], make_context())
        if f.code == "timing.cannot_check"
    ]
    assert [f.message for f in findings] == [message]
