import random
from collections.abc import Callable, Iterable

import pytest

from tests.unit.checks.conftest import almaty
from validation.checks.base import CheckContext, Finding, Interview
from validation.checks.near_duplicates import NearDuplicateCheck

QUESTIONS = [f"c/q{i:02d}" for i in range(40)]


def _answers(seed: int, changed: int = 0) -> dict[str, str]:
    answers = {q: str((i * 7 + seed) % 4 + 1) for i, q in enumerate(QUESTIONS)}
    for q in QUESTIONS[:changed]:
        answers[q] = "9"
    return answers | {"start": "2024-02-12T18:10", "meta/instanceID": f"uuid:{seed}-{changed}"}


def _flagged(findings: Iterable[Finding]) -> list[int]:
    return sorted(f.interview_id for f in findings if f.code == "fabrication.near_duplicate")


@pytest.mark.parametrize(
    ("_case", "changed", "flagged"),
    [
        ("an exact copy", 0, True),
        ("2 of 40 answers changed: exactly 95%", 2, True),
        ("3 of 40 changed: 92.5%", 3, False),
    ],
)
def test_copies_by_one_enumerator(
    _case: str,
    changed: int,
    flagged: bool,
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    others = [make_interview(answers=_answers(s)) for s in range(1, 4)]
    source = make_interview(answers=_answers(0))
    copy = make_interview(answers=_answers(0, changed), start=almaty(12, 19, 30))
    findings = list(NearDuplicateCheck().run([*others, source, copy], make_context()))
    assert _flagged(findings) == ([source.id, copy.id] if flagged else [])
    if flagged:
        finding = next(f for f in findings if f.interview_id == copy.id)
        assert finding.values["other_id"] == source.id
        assert finding.values["differing"] == QUESTIONS[:changed]
        assert finding.values["compared"] == 40  # KoBo meta fields are not answers


def test_same_answers_by_two_enumerators_are_not_fabrication(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    a = make_interview(answers=_answers(0), enumerator="aigerim.s")
    b = make_interview(answers=_answers(0), enumerator="dana.k")
    assert _flagged(NearDuplicateCheck().run([a, b], make_context())) == []


def test_short_paths_are_not_judged(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    short = dict.fromkeys(QUESTIONS[:19], "1")
    a, b = make_interview(answers=short), make_interview(answers=short)
    assert _flagged(NearDuplicateCheck().run([a, b], make_context())) == []


def test_min_answered_edge(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    exactly = dict.fromkeys(QUESTIONS[:20], "1")
    a, b = make_interview(answers=exactly), make_interview(answers=exactly)
    assert _flagged(NearDuplicateCheck().run([a, b], make_context())) == [a.id, b.id]


def test_window_days_limits_pairs(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    a = make_interview(answers=_answers(0), start=almaty(2, 18), end=almaty(2, 19))
    b = make_interview(answers=_answers(0), start=almaty(20, 18), end=almaty(20, 19))
    ctx = make_context(params={"fabrication.near_duplicate": {"window_days": 3}})
    assert _flagged(NearDuplicateCheck().run([a, b], ctx)) == []


def test_no_enumerator_cannot_be_checked(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    (finding,) = NearDuplicateCheck().run([make_interview(enumerator=None)], make_context())
    assert (finding.code, finding.message) == (
        "fabrication.cannot_check",
        "No enumerator is recorded.",
    )


def test_many_interviews_find_the_planted_pair(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    rng = random.Random(3)
    crowd = [make_interview(answers={q: rng.choice("1234") for q in QUESTIONS}) for _ in range(300)]
    copy = make_interview(answers=dict(crowd[150].answers))
    assert _flagged(NearDuplicateCheck().run([*crowd, copy], make_context())) == [
        crowd[150].id,
        copy.id,
    ]
