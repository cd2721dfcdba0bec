"""Robust outliers of numeric answers within location x round (MAD z-score or IQR fences)."""

import math
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from validation.checks.base import (
    CheckContext,
    CheckSpec,
    Finding,
    Interview,
    Param,
    as_number,
    cannot_check,
    is_enabled,
    resolve_params,
)

OUTLIER = "outlier.value"

SPECS = {
    OUTLIER: CheckSpec(
        OUTLIER,
        "minor",
        {
            "method": Param("mad", choices=("mad", "iqr")),
            "k": Param(3.5, minimum=0.5),  # modified z-score cut-off (Iglewicz & Hoaglin)
            "iqr_k": Param(1.5, minimum=0.5),  # Tukey fences
            "min_sample": Param(20, minimum=3),
            # Incomes and remittances are right-skewed; judge them on a log scale when asked.
            "log": Param(default=False),
            # A small district borrows the round-wide spread rather than going unchecked.
            "fallback_to_round": Param(default=True),
        },
    )
}
_MAD_TO_SIGMA = 0.6745  # MAD of a normal sample is 0.6745 sigma
_MEAN_AD_TO_SIGMA = 1.253314  # used when over half the values are equal and MAD is 0


@dataclass(frozen=True, slots=True)
class Fences:
    centre: float
    lower: float
    upper: float


def fences(values: Sequence[float], method: str, k: float, iqr_k: float) -> Fences | None:
    """Bounds outside which a value is an outlier; None when the sample has no spread."""
    data = np.asarray(values, dtype=float)
    median = float(np.median(data))
    if method == "iqr":
        q1, q3 = (float(q) for q in np.percentile(data, [25, 75]))
        spread = q3 - q1
        if spread <= 0:
            return None
        return Fences(median, q1 - iqr_k * spread, q3 + iqr_k * spread)
    mad = float(np.median(np.abs(data - median)))
    sigma = (
        mad / _MAD_TO_SIGMA
        if mad > 0
        else _MEAN_AD_TO_SIGMA * float(np.mean(np.abs(data - median)))
    )
    if sigma <= 0:
        return None
    return Fences(median, median - k * sigma, median + k * sigma)


class OutlierCheck:
    codes: tuple[str, ...] = (OUTLIER,)
    specs: Mapping[str, CheckSpec] = SPECS
    per_interview: bool = False

    def run(
        self,
        interviews: Sequence[Interview],
        ctx: CheckContext,
        *,
        only_ids: frozenset[int] | None = None,
    ) -> Iterator[Finding]:
        if not is_enabled(ctx, OUTLIER) or not ctx.numeric_questions:
            return
        params = resolve_params(ctx, SPECS[OUTLIER])
        use_log = bool(params["log"])
        special = ctx.dk_values | ctx.refuse_values
        local: dict[tuple[int, str, str], list[tuple[Interview, float, float]]] = defaultdict(list)
        # Answers repeat (household sizes, rounded incomes): each distinct one is read once.
        readings: dict[str, tuple[float, float] | str | None] = {}
        for iv in interviews:
            for question in ctx.numeric_questions:
                raw = iv.answers.get(question)
                if raw is None:
                    continue
                if raw in readings:
                    reading = readings[raw]
                else:
                    reading = readings[raw] = _read(raw, special, use_log=use_log)
                if isinstance(reading, tuple):
                    value, scaled = reading
                    local[(iv.round_id, iv.location or "", question)].append((iv, value, scaled))
                elif reading is not None:
                    yield cannot_check("outlier", iv.id, reading, question)
        yield from _judge(local, params, only_ids)


def _read(raw: str, special: frozenset[str], *, use_log: bool) -> tuple[float, float] | str | None:
    """(value, scaled value) of an answer; None to skip it; else why it cannot be judged."""
    # Unanswered (skip logic) or a "don't know"/"refuse" code such as 98/99.
    if raw.strip() == "" or raw.strip() in special:
        return None
    value = as_number(raw)
    if value is None:
        return f"The answer {raw[:40]!r} is not a number."
    if use_log and value < 0:
        return f"{value:g} is negative and cannot be log-scaled."
    return value, math.log1p(value) if use_log else value


def _judge(
    local: dict[tuple[int, str, str], list[tuple[Interview, float, float]]],
    params: dict[str, Any],
    only_ids: frozenset[int] | None = None,
) -> Iterator[Finding]:
    min_sample = int(params["min_sample"])
    method, k, iqr_k = str(params["method"]), float(params["k"]), float(params["iqr_k"])
    by_round: dict[tuple[int, str], list[float]] = defaultdict(list)
    for (round_id, _, question), rows in local.items():
        by_round[(round_id, question)].extend(s for _, _, s in rows)
    round_fences: dict[tuple[int, str], Fences | None] = {}
    for (round_id, location, question), rows in local.items():
        # Every answer sets the fences; with only_ids, findings are made for those alone.
        judged = rows if only_ids is None else [row for row in rows if row[0].id in only_ids]
        if not judged:
            continue
        group = "location"
        if location and len(rows) >= min_sample:
            bounds = fences([s for _, _, s in rows], method, k, iqr_k)
        elif params["fallback_to_round"] and len(by_round[(round_id, question)]) >= min_sample:
            group = "round"
            key = (round_id, question)
            if key not in round_fences:
                round_fences[key] = fences(by_round[key], method, k, iqr_k)
            bounds = round_fences[key]
        else:
            continue  # too few answers to say what is unusual
        if bounds is None:
            continue
        size = len(rows) if group == "location" else len(by_round[(round_id, question)])
        for iv, value, scaled in judged:
            if bounds.lower <= scaled <= bounds.upper:
                continue
            yield _finding(iv, question, value, bounds, params, group, size)


def _finding(
    iv: Interview,
    question: str,
    value: float,
    bounds: Fences,
    params: dict[str, Any],
    group: str,
    size: int,
) -> Finding:
    unscale = math.expm1 if params["log"] else float
    lower, upper, centre = unscale(bounds.lower), unscale(bounds.upper), unscale(bounds.centre)
    where = f"district {iv.location}" if group == "location" else "the round"
    side = "above" if value > upper else "below"
    return Finding(
        OUTLIER,
        iv.id,
        question,
        str(params["severity"]),
        f"{value:g} is unusually {'high' if side == 'above' else 'low'} for {where}: "
        f"the median is {centre:g} and values from {lower:.4g} to {upper:.4g} are usual.",
        {
            "value": value,
            "median": round(centre, 6),
            "lower": round(lower, 6),
            "upper": round(upper, 6),
            "method": params["method"],
            "k": params["k"] if params["method"] == "mad" else params["iqr_k"],
            "n": size,
            "group": group,
            "log": bool(params["log"]),
        },
    )
