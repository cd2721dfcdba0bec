"""Productivity: an enumerator's interviews on one day far above the team's median that day."""

import statistics
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import date

from validation.checks.base import (
    CheckContext,
    CheckSpec,
    Finding,
    Interview,
    Param,
    is_aware,
    is_enabled,
    resolve_params,
    sort_key,
)

HIGH = "productivity.high"

SPECS = {
    HIGH: CheckSpec(
        HIGH,
        "minor",
        {
            "min_ratio": Param(2.0, minimum=1.0),
            "min_interviews": Param(6, minimum=1),
            "min_enumerators": Param(3, minimum=2),
        },
    )
}


class ProductivityCheck:
    codes: tuple[str, ...] = (HIGH,)
    specs: Mapping[str, CheckSpec] = SPECS
    per_interview: bool = False

    def run(
        self,
        interviews: Sequence[Interview],
        ctx: CheckContext,
        *,
        only_ids: frozenset[int] | None = None,
    ) -> Iterator[Finding]:
        if not is_enabled(ctx, HIGH):
            return
        params = resolve_params(ctx, SPECS[HIGH])
        days: dict[tuple[int, str, date], dict[str, list[Interview]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for iv in interviews:
            moment = iv.start if is_aware(iv.start) else iv.end if is_aware(iv.end) else None
            # Without a device time the interview has no day; the timing checks report that.
            if moment is None or not iv.enumerator:
                continue
            day = moment.astimezone(ctx.timezone).date()
            days[(iv.round_id, iv.team or "", day)][iv.enumerator].append(iv)
        min_ratio, min_count = float(params["min_ratio"]), int(params["min_interviews"])
        for (_, team, day), by_enumerator in days.items():
            if len(by_enumerator) < int(params["min_enumerators"]):
                continue  # a colleague-less day has no team median to compare with
            median = statistics.median(len(ivs) for ivs in by_enumerator.values())
            for name, ivs in by_enumerator.items():
                count = len(ivs)
                if count < min_count or count < min_ratio * median:
                    continue
                # One finding per enumerator-day, on its last interview; the others are listed.
                last = max(ivs, key=sort_key)
                yield Finding(
                    HIGH,
                    last.id,
                    "",
                    str(params["severity"]),
                    f"Enumerator {name} did {count} interviews on {day}, {count / median:.1f}× "
                    f"the team median of {median:g}.",
                    {
                        "enumerator": name,
                        "team": team or None,
                        "date": day.isoformat(),
                        "count": count,
                        "team_median": median,
                        "ratio": round(count / median, 3),
                        "min_ratio": min_ratio,
                        "interview_ids": sorted(iv.id for iv in ivs),
                    },
                )
