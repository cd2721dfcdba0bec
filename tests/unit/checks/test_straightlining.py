from collections.abc import Callable
from typing import Any

import pytest

from tests.unit.checks.conftest import LIKERT_BLOCK
from validation.checks.base import CheckContext, Interview
from validation.checks.straightlining import StraightliningCheck


@pytest.mark.parametrize(
    ("_case", "answers", "flagged"),
    [
        ("all five 'satisfied'", dict.fromkeys(LIKERT_BLOCK, "4"), True),
        ("one differs", dict.fromkeys(LIKERT_BLOCK, "4") | {LIKERT_BLOCK[2]: "2"}, False),
        ("block partly skipped", dict.fromkeys(LIKERT_BLOCK[:4], "4"), False),
        ("all don't know still straightlines", dict.fromkeys(LIKERT_BLOCK, "dk"), True),
    ],
)
def test_block(
    _case: str,
    answers: Any,
    flagged: bool,
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    findings = list(StraightliningCheck().run([make_interview(answers=answers)], make_context()))
    assert bool(findings) is flagged
    if flagged:
        assert findings[0].path == LIKERT_BLOCK[0]
        assert findings[0].values["count"] == 5


def test_blocks_shorter_than_minimum_are_ignored(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    iv = make_interview(answers=dict.fromkeys(LIKERT_BLOCK, "4"))
    ctx = make_context(straightline_blocks=[LIKERT_BLOCK[:4]])
    assert list(StraightliningCheck().run([iv], ctx)) == []
    ctx = make_context(
        straightline_blocks=[LIKERT_BLOCK[:4]],
        params={"straightlining.block": {"min_questions": 4}},
    )
    assert len(list(StraightliningCheck().run([iv], ctx))) == 1
