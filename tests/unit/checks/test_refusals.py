from collections.abc import Callable
from typing import Any

import pytest

from tests.unit.checks.conftest import almaty, started
from validation.checks.base import CheckContext, Interview
from validation.checks.refusals import RefusalCheck


def _answers(special: int, total: int = 20, code: str = "dk") -> dict[str, str]:
    return {f"d/q{i:02d}": code if i < special else "1" for i in range(total)}


@pytest.mark.parametrize(
    ("_case", "answers", "answered", "expected"),
    [
        ("2 of 20 don't know", _answers(2), 20, []),
        ("exactly 20% passes", _answers(4), 20, []),
        ("5 of 20 is 25%", _answers(5), 20, ["refusal.interview_rate"]),
        ("refusal codes count too", _answers(5, code="99"), 20, ["refusal.interview_rate"]),
        (
            "a multi-select of only refusals counts",
            _answers(5, code="refuse 99"),
            20,
            ["refusal.interview_rate"],
        ),
        ("fewer than 10 answered is not judged", _answers(5, total=9), 9, []),
    ],
)
def test_interview_rate(
    _case: str,
    answers: Any,
    answered: int,
    expected: list[Any],
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    iv = make_interview(answers=answers, answered=answered)
    assert [f.code for f in RefusalCheck().run([iv], make_context())] == expected


def test_interview_rate_values(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    answers = _answers(3) | {"d/q19": "99", "d/q18": "refuse"}
    (finding,) = RefusalCheck().run([make_interview(answers=answers, answered=20)], make_context())
    assert finding.values == {
        "rate": 0.25,
        "max_rate": 0.2,
        "dont_know": 3,
        "refused": 2,
        "answered": 20,
    }


def test_no_answers_cannot_be_checked(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    (finding,) = RefusalCheck().run([make_interview(answered=0)], make_context())
    assert finding.code == "refusal.cannot_check"


def _team(
    make_interview: Callable[..., Interview], rates: list[int], per_enumerator: int = 10
) -> list[Interview]:
    interviews: list[Interview] = []
    for n, special in enumerate(rates):
        interviews.extend(
            make_interview(
                enumerator=f"enum{n}",
                answers=_answers(special, total=50),
                answered=50,
                start=almaty(1 + k, 18),
                end=almaty(1 + k, 19),
            )
            for k in range(per_enumerator)
        )
    return interviews


@pytest.mark.parametrize(
    ("_case", "rates", "flagged"),
    [
        ("one enumerator at 3x the team median", [2, 2, 2, 6], ["enum3"]),
        ("exactly 2x but only 4 points above", [2, 2, 2, 4], []),
        ("2x a tiny median is noise", [1, 1, 1, 2], []),
        ("everyone similar", [2, 3, 2, 3], []),
    ],
)
def test_enumerator_rate(
    _case: str,
    rates: list[Any],
    flagged: list[Any],
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    interviews = _team(make_interview, rates)
    findings = [
        f
        for f in RefusalCheck().run(interviews, make_context())
        if f.code == "refusal.enumerator_rate"
    ]
    assert [f.values["enumerator"] for f in findings] == flagged
    for finding in findings:
        latest = max((iv for iv in interviews if iv.enumerator == "enum3"), key=started)
        assert finding.interview_id == latest.id


def test_enumerator_rate_at_ratio_edge(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    interviews = _team(make_interview, [5, 5, 5, 10])  # 20% vs 10%: exactly 2x, 10 points
    findings = [
        f
        for f in RefusalCheck().run(interviews, make_context())
        if f.code == "refusal.enumerator_rate"
    ]
    assert [(f.values["ratio"], f.values["team_median"]) for f in findings] == [(2.0, 0.1)]


def test_too_few_interviews_per_enumerator(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    interviews = _team(make_interview, [2, 2, 2, 9], per_enumerator=9)
    assert [
        f
        for f in RefusalCheck().run(interviews, make_context())
        if f.code == "refusal.enumerator_rate"
    ] == []
