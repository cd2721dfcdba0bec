"""The enumerator's scorecard beside their team's median, cached per team for a few minutes.

A supervisor reviews many interviews of the same team in a row, and the figures move slowly,
so the team's cards are computed once (the same pieces as validation/scorecard.py, over one
team instead of the whole round) and kept in the cache for SCORECARD_TTL_S seconds.
"""

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from surveys.models import KoboForm, Submission
from validation import quality
from validation.checks.base import Finding
from validation.checks.scorecard import enumerator_scorecard as team_cards
from validation.models import Flag, Severity

SCORECARD_TTL_S = 600


@dataclass(frozen=True)
class Figure:
    label: str
    mine: str
    team: str
    worse: bool  # noticeably worse than the team's median (shown in red)


@dataclass(frozen=True)
class Scorecard:
    enumerator: str
    team: str
    team_size: int
    figures: list[Figure]


def _cards(round_id: int, team_id: int | None, enumerator_id: int) -> dict[str, dict[str, Any]]:
    rows = Submission.objects.filter(form__round_id=round_id, deleted_at__isnull=True)
    rows = (
        rows.filter(enumerator__team_id=team_id)
        if team_id
        else rows.filter(enumerator_id=enumerator_id)
    )
    form = KoboForm.objects.filter(round_id=round_id).select_related("round").order_by("pk").first()
    if form is None:
        return {}
    config = quality.effective_config(form)
    interviews = quality.load_interviews(rows.select_related(None), config.questions)
    findings = [
        Finding(code, submission_id, path, severity, "", {})
        for code, submission_id, path, severity in Flag.objects.filter(
            submission__in=rows.values("pk"), status=Flag.Status.OPEN
        )
        .exclude(severity=Severity.INFO)
        .values_list("check_code", "submission_id", "path", "severity")
    ]
    return team_cards(interviews, findings, quality.build_context(form.round, config))


def _fmt(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "pct":
        return f"{100 * float(value):.0f}%"
    return f"{value:g}" if isinstance(value, float) else str(value)


def enumerator_scorecard(submission: Submission) -> Scorecard | None:
    enumerator = submission.enumerator
    round_id = submission.form.round_id
    if enumerator is None or round_id is None:
        return None
    key = f"review:scorecards:{round_id}:{enumerator.team_id or f'e{enumerator.pk}'}"
    cards = cache.get(key)
    if cards is None:
        cards = _cards(round_id, enumerator.team_id, enumerator.pk)
        cache.set(key, cards, SCORECARD_TTL_S)
    card = cards.get(enumerator.kobo_username) or cards.get(submission.submitted_by)
    if card is None:
        return None
    median = card.get("team_median", {})
    figures = [
        Figure(
            "Interviews", _fmt(card["interviews"], ""), _fmt(median.get("interviews"), ""), False
        )
    ]
    for label, metric, kind, higher_is_worse in (
        ("Interviews per day", "per_day", "", True),
        ("Median duration (min)", "median_duration_min", "", False),
        ("Don't know / refused", "refusal_rate", "pct", True),
    ):
        mine, team = card.get(metric), median.get(metric)
        worse = (
            mine is not None
            and team is not None
            and (mine > 1.5 * team if higher_is_worse else mine < 0.67 * team)
        )
        figures.append(Figure(label, _fmt(mine, kind), _fmt(team, kind), worse))
    team_rates = median.get("flag_rate", {})
    for family, rate in sorted(card.get("flag_rate", {}).items()):
        team = team_rates.get(family)
        if not rate and not team:
            continue
        worse = team is not None and rate > max(2 * team, team + 0.05)
        figures.append(Figure(f"Flagged: {family}", _fmt(rate, "pct"), _fmt(team, "pct"), worse))
    return Scorecard(
        enumerator=str(enumerator),
        team=enumerator.team.name if enumerator.team else "",
        team_size=int(median.get("enumerators", 1)),
        figures=figures,
    )
