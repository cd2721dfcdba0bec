"""Don't-know and refusal rates: per interview, and per enumerator against the team median."""

import statistics
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from validation.checks.base import (
    CheckContext,
    CheckSpec,
    Finding,
    Interview,
    Param,
    cannot_check,
    family_enabled,
    is_answer_key,
    is_enabled,
    resolve_params,
    sort_key,
)

INTERVIEW_RATE = "refusal.interview_rate"
ENUMERATOR_RATE = "refusal.enumerator_rate"

SPECS = {
    INTERVIEW_RATE: CheckSpec(
        INTERVIEW_RATE,
        "minor",
        {"max_rate": Param(0.2, maximum=1.0), "min_answered": Param(10, minimum=1)},
    ),
    ENUMERATOR_RATE: CheckSpec(
        ENUMERATOR_RATE,
        "major",
        {
            "min_ratio": Param(2.0, minimum=1.0),
            # Twice a tiny median (1% vs 2%) is noise: the gap must also matter in absolute terms.
            "min_difference": Param(0.05, maximum=1.0),
            "min_interviews": Param(10, minimum=1),
            "min_enumerators": Param(3, minimum=2),
        },
    ),
}


@dataclass(frozen=True, slots=True)
class Tally:
    dont_know: int
    refused: int
    answered: int

    @property
    def rate(self) -> float:
        special = self.dont_know + self.refused
        # answered counts the path; guard against a count from an inconsistent export.
        return special / max(self.answered, special) if special else 0.0


def tally(iv: Interview, ctx: CheckContext) -> Tally:
    """How many answers are "don't know" and how many "refuse" (a multi-select of only those)."""
    dont_know = refused = 0
    dk_values, refuse_values = ctx.dk_values, ctx.refuse_values
    for key, raw in iv.answers.items():
        if raw in dk_values or raw in refuse_values:
            tokens = [raw]  # the common case: a single choice code, no need to split
        elif " " in raw and " " in raw.strip():  # the strip only when there is a space at all
            tokens = raw.split()
        else:
            continue
        if not is_answer_key(key):
            continue
        if all(t in ctx.dk_values for t in tokens):
            dont_know += 1
        elif all(t in ctx.refuse_values for t in tokens):
            refused += 1
    return Tally(dont_know, refused, iv.answered)


@dataclass
class _Pool:
    interviews: list[Interview] = field(default_factory=list)
    special: int = 0
    answered: int = 0

    @property
    def rate(self) -> float:
        return self.special / self.answered if self.answered else 0.0


class RefusalCheck:
    codes: tuple[str, ...] = (INTERVIEW_RATE, ENUMERATOR_RATE)
    specs: Mapping[str, CheckSpec] = SPECS
    per_interview: bool = False

    def run(
        self,
        interviews: Sequence[Interview],
        ctx: CheckContext,
        *,
        only_ids: frozenset[int] | None = None,
    ) -> Iterator[Finding]:
        if not family_enabled(ctx, self.codes) or not (ctx.dk_values or ctx.refuse_values):
            return
        per_interview = resolve_params(ctx, SPECS[INTERVIEW_RATE])
        teams: dict[tuple[int, str], dict[str, _Pool]] = defaultdict(lambda: defaultdict(_Pool))
        for iv in interviews:
            if iv.answered <= 0:
                yield cannot_check("refusal", iv.id, "No answered questions are counted.")
                continue
            counts = tally(iv, ctx)
            if iv.enumerator:
                pool = teams[(iv.round_id, iv.team or "")][iv.enumerator]
                pool.interviews.append(iv)
                pool.special += counts.dont_know + counts.refused
                pool.answered += max(counts.answered, counts.dont_know + counts.refused)
            if not is_enabled(ctx, INTERVIEW_RATE):
                continue
            limit = float(per_interview["max_rate"])
            if counts.answered >= int(per_interview["min_answered"]) and counts.rate > limit:
                yield Finding(
                    INTERVIEW_RATE,
                    iv.id,
                    "",
                    str(per_interview["severity"]),
                    f"{counts.dont_know + counts.refused} of {counts.answered} answers are "
                    f'"don\'t know" or refusals ({counts.rate:.0%}); the limit is {limit:.0%}.',
                    {
                        "rate": round(counts.rate, 4),
                        "max_rate": limit,
                        "dont_know": counts.dont_know,
                        "refused": counts.refused,
                        "answered": counts.answered,
                    },
                )
        if is_enabled(ctx, ENUMERATOR_RATE):
            params = resolve_params(ctx, SPECS[ENUMERATOR_RATE])
            for (_, team), pools in teams.items():
                yield from _enumerator_findings(team, pools, params)


def _enumerator_findings(
    team: str, pools: dict[str, _Pool], params: dict[str, Any]
) -> Iterator[Finding]:
    eligible = {
        name: pool
        for name, pool in pools.items()
        if len(pool.interviews) >= int(params["min_interviews"])
    }
    if len(eligible) < int(params["min_enumerators"]):
        return  # too few comparable colleagues for a team median
    median = statistics.median(pool.rate for pool in eligible.values())
    min_ratio, min_difference = float(params["min_ratio"]), float(params["min_difference"])
    for name, pool in eligible.items():
        ratio = pool.rate / median if median > 0 else float("inf")
        if ratio < min_ratio or pool.rate - median < min_difference:
            continue
        # One finding per enumerator, on their latest interview: a supervisor sees it once, and
        # it moves forward (resolving the old one) as new interviews arrive.
        latest = max(pool.interviews, key=sort_key)
        ratio_text = f"{ratio:.1f}×" if median > 0 else "far above"
        yield Finding(
            ENUMERATOR_RATE,
            latest.id,
            "",
            str(params["severity"]),
            f'Enumerator {name}: {pool.rate:.0%} of answers are "don\'t know" or refusals, '
            f"{ratio_text} the team median of {median:.0%}.",
            {
                "enumerator": name,
                "team": team or None,
                "rate": round(pool.rate, 4),
                "team_median": round(median, 4),
                "ratio": None if median == 0 else round(ratio, 3),
                "min_ratio": min_ratio,
                "interviews": len(pool.interviews),
            },
        )
