"""Inclusion criteria: each gives pass / fail / unknown and a plain-words reason; all, a verdict.

The reason is stored with the verdict (Eligibility.criteria) for every criterion, a pass
included, so a reviewer sees why each one held: "34, at least 18".
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from dateutil.relativedelta import relativedelta

from validation.models import Eligibility, InclusionCriterion

Result = Literal["pass", "fail", "unknown"]
# Evaluates an XPath expression against the interview (the compiled form's evaluator).
Evaluate = Callable[[str], Any]

_PERIOD = re.compile(r"^\s*(\d+)\s*(d|day|days|m|month|months)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class CriterionResult:
    code: str
    label: str
    result: Result
    reason: str
    kind: str = InclusionCriterion.Kind.INCLUSION
    source: str = ""


def answer_by_name(answers: dict[str, Any], name: str) -> str:
    """The top-level answer whose last path segment is `name` ('' when absent)."""
    for key, value in answers.items():
        if isinstance(value, str) and key.rsplit("/", 1)[-1] == name:
            return value
    return ""


def check_criterion(
    criterion: InclusionCriterion,
    *,
    answer: str,
    interview_date: dt.date | None,
    evaluate: Evaluate | None,
) -> CriterionResult:
    """Judge one criterion; a missing or unreadable answer is 'unknown', never a guess."""
    op = InclusionCriterion.Operator

    def out(result: Result, reason: str) -> CriterionResult:
        return CriterionResult(
            criterion.code,
            criterion.label,
            result,
            reason,
            criterion.kind or InclusionCriterion.Kind.INCLUSION,
            criterion.source,
        )

    def judged(ok: bool, holds: str) -> CriterionResult:
        return out("pass", holds) if ok else out("fail", f"{criterion.message} ({answer})")

    if criterion.operator == op.EXPRESSION:
        if evaluate is None:
            return out("unknown", "the form version is not available to evaluate the rule")
        try:
            value = evaluate(criterion.expression)
        except ValueError as exc:  # the engine's errors derive from ValueError
            return out("unknown", f"the rule cannot be evaluated: {exc}")
        return out("pass", "the rule holds") if _truthy(value) else out("fail", criterion.message)
    if answer == "":
        return out("unknown", f"'{criterion.question}' has no answer")
    if criterion.operator in (op.GTE, op.LTE):
        try:
            number, limit = float(answer), float(criterion.value)
        except ValueError:
            return out("unknown", f"'{criterion.question}' = {answer!r} is not a number")
        ok = number >= limit if criterion.operator == op.GTE else number <= limit
        return judged(ok, f"{answer}, {op(criterion.operator).label} {criterion.value}")
    if criterion.operator in (op.EQ, op.NEQ):
        ok = (answer == criterion.value) == (criterion.operator == op.EQ)
        return judged(ok, f"'{criterion.question}' is {answer}")
    if criterion.operator in (op.IN, op.NOT_IN):
        chosen = set(answer.split())
        allowed = set(criterion.value.split())
        ok = bool(chosen & allowed) == (criterion.operator == op.IN)
        listed = ", ".join(criterion.value.split())
        return judged(ok, f"{answer} ({op(criterion.operator).label}: {listed})")
    return _days_before(criterion, answer, interview_date, out)


def _days_before(
    criterion: InclusionCriterion,
    answer: str,
    interview_date: dt.date | None,
    out: Callable[[Result, str], CriterionResult],
) -> CriterionResult:
    match = _PERIOD.match(criterion.value)
    if match is None:
        return out("unknown", f"the period {criterion.value!r} is not like '30' or '1 month'")
    try:
        when = dt.date.fromisoformat(answer[:10])
    except ValueError:
        return out("unknown", f"'{criterion.question}' = {answer!r} is not a date")
    if interview_date is None:
        return out("unknown", "the interview date is not known")
    amount, unit = int(match.group(1)), (match.group(2) or "d").lower()
    period = relativedelta(months=amount) if unit.startswith("m") else relativedelta(days=amount)
    if when + period <= interview_date:
        days = (interview_date - when).days
        return out("pass", f"arrived {when.isoformat()}, {days} days before the interview")
    return out("fail", f"{criterion.message} ({answer}, interviewed {interview_date.isoformat()})")


def _truthy(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value)
    if isinstance(value, float):
        return value == value and value != 0  # NaN is false in XPath
    return bool(value)


def verdict(results: Iterable[CriterionResult]) -> str:
    """Any fail makes the interview ineligible; otherwise any unknown leaves it unknown."""
    outcomes = {r.result for r in results}
    if "fail" in outcomes:
        return Eligibility.Verdict.INELIGIBLE
    if "unknown" in outcomes:
        return Eligibility.Verdict.UNKNOWN
    return Eligibility.Verdict.ELIGIBLE


def as_json(results: Iterable[CriterionResult]) -> list[dict[str, str]]:
    return [asdict(r) for r in results]
