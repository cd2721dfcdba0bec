from collections.abc import Callable, Sequence

import pytest

from validation.checks.base import CheckContext, Interview
from validation.checks.outliers import OutlierCheck, fences

INCOME = "d/income_kzt"


def _sample(
    make_interview: Callable[..., Interview], values: Sequence[float], location: str = "KZ-ALA-BOS"
) -> list[Interview]:
    return [make_interview(location=location, answers={INCOME: str(v)}) for v in values]


# 20 incomes: median 200,000 KZT, MAD 20,000 whatever the extra value (as long as it is high).
BASE = [180_000] * 7 + [200_000] * 7 + [220_000] * 6


def test_high_income_is_flagged(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    sample = _sample(make_interview, [*BASE, 2_000_000])
    findings = list(OutlierCheck().run(sample, make_context()))
    assert [(f.interview_id, f.path) for f in findings] == [(sample[-1].id, INCOME)]
    assert findings[0].values["median"] == 200_000
    assert findings[0].values["group"] == "location"


def test_exactly_at_the_bound_is_not_flagged(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    upper = 200_000 + 3.5 * 20_000 / 0.6745
    sample = _sample(make_interview, [*BASE, upper])
    assert list(OutlierCheck().run(sample, make_context())) == []
    sample = _sample(make_interview, [*BASE, upper + 1])
    assert len(list(OutlierCheck().run(sample, make_context()))) == 1


def test_iqr_method(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    sample = _sample(make_interview, [*BASE, 400_000])
    ctx = make_context(params={"outlier.value": {"method": "iqr"}})
    (finding,) = OutlierCheck().run(sample, ctx)
    assert finding.values["method"] == "iqr"


@pytest.mark.parametrize(
    ("_case", "answer"),
    [("don't know code 98", "98"), ("refusal code 99", "99"), ("unanswered", "")],
)
def test_special_codes_are_not_numbers(
    _case: str,
    answer: str,
    make_interview: Callable[..., Interview],
    make_context: Callable[..., CheckContext],
) -> None:
    sample = [*_sample(make_interview, BASE), make_interview(answers={INCOME: answer})]
    assert list(OutlierCheck().run(sample, make_context())) == []


def test_malformed_answer_cannot_be_checked(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    sample = [*_sample(make_interview, BASE), make_interview(answers={INCOME: "200 тыс"})]
    (finding,) = OutlierCheck().run(sample, make_context())
    assert (finding.code, finding.path, finding.message) == (
        "outlier.cannot_check",
        INCOME,
        "The answer '200 тыс' is not a number.",
    )


def test_small_district_borrows_the_round(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    sample = _sample(make_interview, BASE) + _sample(make_interview, [2_000_000], "KZ-ALA-MED")
    (finding,) = OutlierCheck().run(sample, make_context())
    assert finding.values["group"] == "round"
    ctx = make_context(params={"outlier.value": {"fallback_to_round": False}})
    assert list(OutlierCheck().run(sample, ctx)) == []


def test_too_few_values_are_not_judged(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    assert (
        list(OutlierCheck().run(_sample(make_interview, [*BASE[:18], 9_000_000]), make_context()))
        == []
    )


def test_no_spread_means_no_bounds() -> None:
    assert fences([5.0] * 30, "mad", 3.5, 1.5) is None
    assert fences([5.0] * 30, "iqr", 3.5, 1.5) is None


def test_log_scale(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    sample = _sample(make_interview, [*BASE, 2_000_000])
    ctx = make_context(params={"outlier.value": {"log": True}})
    (finding,) = OutlierCheck().run(sample, ctx)
    assert finding.values["median"] == pytest.approx(200_000)


def test_only_ids_judges_those_against_every_answer(
    make_interview: Callable[..., Interview], make_context: Callable[..., CheckContext]
) -> None:
    high, low = make_interview(answers={INCOME: "2000000"}), make_interview(answers={INCOME: "9"})
    sample = [*_sample(make_interview, BASE), high, low]
    everything = list(OutlierCheck().run(sample, make_context()))
    assert {f.interview_id for f in everything} == {high.id, low.id}
    # The one asked about is judged by the fences of all 22 answers, the others not at all.
    (finding,) = OutlierCheck().run(sample, make_context(), only_ids=frozenset({high.id}))
    assert finding == next(f for f in everything if f.interview_id == high.id)
    assert finding.values["n"] == 22
    assert (
        list(OutlierCheck().run(sample, make_context(), only_ids=frozenset({sample[0].id}))) == []
    )
