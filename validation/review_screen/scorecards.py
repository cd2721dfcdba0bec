"""The enumerator's scorecard beside their team's median, cached per team for a few minutes.

The figures are aggregates in SQL over the team's interviews of the last RECENT_DAYS of the
round (counts, active days, durations, share of interviews with an open flag per check
family): a few narrow queries, never the answers. They are kept in the cache for
SCORECARD_TTL_S seconds, as a supervisor reviews many interviews of one team in a row.
"""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, F, Max, OuterRef, Subquery, Value
from django.db.models.functions import Left, StrIndex, TruncDate
from django.utils.translation import gettext as _

from surveys.models import Enumerator, Submission
from validation.models import Flag, Severity

SCORECARD_TTL_S = 600
RECENT_DAYS = 14


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
    days: int = RECENT_DAYS


def _cards(round_id: int, team_id: int | None, enumerator_id: int) -> dict[int, dict[str, Any]]:
    """Per enumerator of the team (or just this one, without a team), and the team median."""
    rows = Submission.objects.filter(form__round_id=round_id, deleted_at__isnull=True)
    rows = (
        rows.filter(enumerator__team_id=team_id)
        if team_id
        else rows.filter(enumerator_id=enumerator_id)
    )
    # The team's recent record: the last RECENT_DAYS of its interviews in the round. Its
    # newest interview is the newest of each enumerator's (a step back along
    # submission_enum_idx each), not a maximum over every interview of the table.
    members = (
        Enumerator.objects.filter(team_id=team_id)
        if team_id
        else Enumerator.objects.filter(pk=enumerator_id)
    )
    newest = (
        Submission.objects.filter(
            enumerator_id=OuterRef("pk"), form__round_id=round_id, deleted_at__isnull=True
        )
        .order_by("-submission_time")
        .values("submission_time")[:1]
    )
    latest = members.annotate(newest=Subquery(newest)).aggregate(latest=Max("newest"))["latest"]
    if latest is not None:
        rows = rows.filter(submission_time__gte=latest - dt.timedelta(days=RECENT_DAYS))
    cards: dict[int, dict[str, Any]] = {}
    for row in rows.values("enumerator_id").annotate(
        n=Count("pk"), days=Count(TruncDate("started_at"), distinct=True)
    ):
        cards[row["enumerator_id"]] = {
            "interviews": row["n"],
            "per_day": round(row["n"] / row["days"], 1) if row["days"] else None,
            "flag_rate": {},
        }
    durations: dict[int, list[float]] = defaultdict(list)
    for enum_id, started, ended in rows.filter(
        started_at__isnull=False, ended_at__gte=F("started_at")
    ).values_list("enumerator_id", "started_at", "ended_at"):
        if started is not None and ended is not None:
            durations[enum_id].append((ended - started).total_seconds() / 60)
    for enum_id, card in cards.items():
        values = durations.get(enum_id)
        card["median_duration_min"] = round(statistics.median(values), 1) if values else None
    family = Left("check_code", StrIndex("check_code", Value(".")) - 1)
    flagged = (
        Flag.objects.open()
        .exclude(severity=Severity.INFO)
        .filter(submission__in=rows.values("pk"))
        .annotate(family=family)
        .values("submission__enumerator_id", "family")
        .annotate(n=Count("submission_id", distinct=True))
    )
    for row in flagged:
        owner = cards.get(row["submission__enumerator_id"])
        if owner is not None and row["family"]:
            owner["flag_rate"][row["family"]] = row["n"] / owner["interviews"]
    median = _median(list(cards.values()))
    for card in cards.values():
        card["team_median"] = median
    return cards


def _median(cards: list[dict[str, Any]]) -> dict[str, Any]:
    def of(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return round(statistics.median(present), 4) if present else None

    families = sorted({f for c in cards for f in c["flag_rate"]})
    out: dict[str, Any] = {
        m: of([c[m] for c in cards]) for m in ("interviews", "per_day", "median_duration_min")
    }
    out["flag_rate"] = {f: of([c["flag_rate"].get(f, 0.0) for c in cards]) for f in families}
    out["enumerators"] = len(cards)
    return out


def _fmt(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "pct":
        return f"{100 * float(value):.0f}%"
    return f"{value:g}" if isinstance(value, float) else str(value)


def enumerator_scorecard(submission: Submission) -> Scorecard | None:
    enumerator: Enumerator | None = submission.enumerator
    round_id = submission.form.round_id
    if enumerator is None or round_id is None:
        return None
    key = f"review:scorecards:{round_id}:{enumerator.team_id or f'e{enumerator.pk}'}"
    cards = cache.get(key)
    if cards is None:
        cards = _cards(round_id, enumerator.team_id, enumerator.pk)
        cache.set(key, cards, SCORECARD_TTL_S)
    card = cards.get(enumerator.pk)
    if card is None:
        return None
    median = card.get("team_median", {})
    figures = [
        Figure(
            _("Interviews"), _fmt(card["interviews"], ""), _fmt(median.get("interviews"), ""), False
        )
    ]
    for label, metric, kind, higher_is_worse in (
        (_("Interviews per day"), "per_day", "", True),
        (_("Median duration (min)"), "median_duration_min", "", False),
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
        label = _("Flagged: %(family)s") % {"family": family}
        figures.append(Figure(label, _fmt(rate, "pct"), _fmt(team, "pct"), worse))
    return Scorecard(
        enumerator=str(enumerator),
        team=enumerator.team.name if enumerator.team else "",
        team_size=int(median.get("enumerators", 1)),
        figures=figures,
    )
