"""Enumerator scorecard: flag rates by family, duration, refusals, pace, each with team median."""

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from validation.checks.base import CheckContext, Finding, Interview, is_aware
from validation.checks.refusals import tally
from validation.checks.registry import FAMILIES, family

_METRICS = ("interviews", "per_day", "median_duration_min", "refusal_rate")


def enumerator_scorecard(
    interviews: Sequence[Interview], findings: Iterable[Finding], ctx: CheckContext
) -> dict[str, dict[str, Any]]:
    """Per enumerator: their figures and their team's median of the same figures.

    A flag rate is the share of the enumerator's interviews with at least one finding of that
    family above "info" (cannot_check findings say nothing about the enumerator's work).
    """
    flagged: dict[int, set[str]] = defaultdict(set)
    for finding in findings:
        if finding.severity != "info":
            flagged[finding.interview_id].add(family(finding.code))
    by_enumerator: dict[str, list[Interview]] = defaultdict(list)
    for iv in interviews:
        if iv.enumerator:
            by_enumerator[iv.enumerator].append(iv)
    cards = {name: _card(ivs, flagged, ctx) for name, ivs in sorted(by_enumerator.items())}
    return with_team_medians(cards)


def _card(ivs: list[Interview], flagged: dict[int, set[str]], ctx: CheckContext) -> dict[str, Any]:
    teams = [iv.team for iv in ivs if iv.team]
    days = {
        moment.astimezone(ctx.timezone).date()
        for iv in ivs
        for moment in (iv.start,)
        if moment is not None and is_aware(moment)
    }
    durations = [
        (iv.end - iv.start).total_seconds() / 60
        for iv in ivs
        if iv.start is not None
        and iv.end is not None
        and is_aware(iv.start)
        and is_aware(iv.end)
        and iv.end >= iv.start
    ]
    return {
        # The team most of their interviews were done in (teams can change mid-round).
        "team": statistics.mode(teams) if teams else None,
        "interviews": len(ivs),
        "days_active": len(days),
        "per_day": round(len(ivs) / len(days), 2) if days else None,
        "median_duration_min": round(statistics.median(durations), 1) if durations else None,
        "refusal_rate": refusal_rate(ivs, ctx),
        "flag_rate": {
            fam: round(sum(1 for iv in ivs if fam in flagged.get(iv.id, ())) / len(ivs), 4)
            for fam in sorted(FAMILIES)
        },
    }


def refusal_rate(ivs: Iterable[Interview], ctx: CheckContext) -> float | None:
    """The "don't know"/refusal share of all the interviews' answers; None without answers."""
    special = answered = 0
    for iv in ivs:
        counts = tally(iv, ctx)
        special += counts.dont_know + counts.refused
        answered += max(counts.answered, counts.dont_know + counts.refused, 0)
    return round(special / answered, 4) if answered else None


def with_team_medians(cards: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each card gets its team's medians ("team_median"), teams by the cards' "team"."""
    teams: dict[str, list[str]] = defaultdict(list)
    for name, card in cards.items():
        teams[card["team"] or ""].append(name)
    for names in teams.values():
        median = team_median([cards[n] for n in names])
        for name in names:
            cards[name]["team_median"] = median
    return cards


def team_median(cards: list[dict[str, Any]]) -> dict[str, Any]:
    """Median of each metric and flag rate over a team's cards (enumerators without one skipped)."""

    def median_of(values: Iterable[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return round(statistics.median(present), 4) if present else None

    median: dict[str, Any] = {m: median_of(c[m] for c in cards) for m in _METRICS}
    median["flag_rate"] = {
        fam: median_of(c["flag_rate"][fam] for c in cards) for fam in sorted(FAMILIES)
    }
    median["enumerators"] = len(cards)
    return median
