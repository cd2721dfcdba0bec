from collections.abc import Callable
from datetime import timedelta

from tests.unit.checks.conftest import almaty
from validation.checks.base import CheckContext, Finding, Interview
from validation.checks.scorecard import enumerator_scorecard


def test_scorecard(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    interviews: list[Interview] = []
    for n, minutes in enumerate([30, 40, 50, 60]):
        for day in (12, 13):
            start = almaty(day, 18)
            interviews.append(
                make_interview(
                    enumerator=f"enum{n}",
                    start=start,
                    end=start + timedelta(minutes=minutes),
                    answers={"d/q1": "dk" if n == 3 else "1", "d/q2": "1"},
                    answered=2,
                )
            )
    flagged = interviews[0]
    findings = [
        Finding("duration.too_short", flagged.id, "", "major", "short", {}),
        Finding("gps.cannot_check", flagged.id, "", "info", "no accuracy", {}),
    ]
    cards = enumerator_scorecard(interviews, findings, make_context())
    assert set(cards) == {"enum0", "enum1", "enum2", "enum3"}
    card = cards["enum0"]
    assert (card["team"], card["interviews"], card["days_active"], card["per_day"]) == (
        "ALA-1",
        2,
        2,
        1.0,
    )
    assert card["median_duration_min"] == 30.0
    assert card["flag_rate"]["duration"] == 0.5
    assert card["flag_rate"]["gps"] == 0.0  # info findings say nothing about the work
    assert cards["enum3"]["refusal_rate"] == 0.5
    median = card["team_median"]
    assert (median["median_duration_min"], median["refusal_rate"], median["enumerators"]) == (
        45.0,
        0.0,
        4,
    )
    assert median["flag_rate"]["duration"] == 0.0
