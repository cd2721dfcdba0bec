"""Date and time anomalies: working hours, end before start, several days, fieldwork window."""

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import Any

from validation.checks.base import (
    CheckContext,
    CheckSpec,
    Finding,
    Interview,
    Param,
    cannot_check,
    family_enabled,
    is_aware,
    is_enabled,
    local_day,
    resolve_params,
)

OUTSIDE_HOURS = "timing.outside_hours"
END_BEFORE_START = "timing.end_before_start"
MULTI_DAY = "timing.multi_day"
BEFORE_FIELDWORK = "timing.before_fieldwork"
AFTER_FIELDWORK = "timing.after_fieldwork"
IN_FUTURE = "timing.in_future"
LATE_UPLOAD = "timing.late_upload"

SPECS = {
    OUTSIDE_HOURS: CheckSpec(OUTSIDE_HOURS, "minor", {"tolerance_minutes": Param(0.0)}),
    END_BEFORE_START: CheckSpec(END_BEFORE_START, "major"),
    MULTI_DAY: CheckSpec(MULTI_DAY, "minor"),
    BEFORE_FIELDWORK: CheckSpec(BEFORE_FIELDWORK, "major"),
    AFTER_FIELDWORK: CheckSpec(AFTER_FIELDWORK, "minor"),
    # Tablet clocks drift a few minutes from the server's; only a larger gap means a wrong clock.
    IN_FUTURE: CheckSpec(IN_FUTURE, "major", {"tolerance_minutes": Param(10.0)}),
    # Teams work offline for days; a week without upload is what deserves a question.
    LATE_UPLOAD: CheckSpec(LATE_UPLOAD, "minor", {"max_days": Param(7.0)}),
}
# A team with no hours of its own uses this entry when the round defines it.
ANY_TEAM = "*"


class TimingCheck:
    codes: tuple[str, ...] = tuple(SPECS)
    specs: Mapping[str, CheckSpec] = SPECS
    per_interview: bool = True

    def run(
        self,
        interviews: Sequence[Interview],
        ctx: CheckContext,
        *,
        only_ids: frozenset[int] | None = None,
    ) -> Iterator[Finding]:
        if not family_enabled(ctx, self.codes):
            return
        params = {code: resolve_params(ctx, spec) for code, spec in SPECS.items()}
        for iv in interviews:
            yield from _one(iv, ctx, params)


def _one(iv: Interview, ctx: CheckContext, params: dict[str, dict[str, Any]]) -> Iterator[Finding]:
    reasons: list[str] = []
    start = _usable(iv.start, "start", reasons)
    end = _usable(iv.end, "end", reasons)
    if not is_aware(iv.submitted):
        reasons.append("The upload time has no time zone.")
    found: list[Finding | None] = []
    if is_enabled(ctx, OUTSIDE_HOURS):
        found.append(_outside_hours(iv, start, end, ctx, params[OUTSIDE_HOURS], reasons))
    if start is not None and end is not None:
        if is_enabled(ctx, END_BEFORE_START) and end < start:
            found.append(
                _finding(
                    END_BEFORE_START,
                    iv,
                    params,
                    f"The end time {_clock(end, ctx)} is before the start time "
                    f"{_clock(start, ctx)}.",
                    {"start": start.isoformat(), "end": end.isoformat()},
                )
            )
        days = (local_day(end, ctx.timezone) - local_day(start, ctx.timezone)).days
        if is_enabled(ctx, MULTI_DAY) and days > 0:
            found.append(
                _finding(
                    MULTI_DAY,
                    iv,
                    params,
                    f"The interview runs over {days + 1} calendar days "
                    f"({_clock(start, ctx)} to {_clock(end, ctx)}).",
                    {"start": start.isoformat(), "end": end.isoformat(), "days": days + 1},
                )
            )
    first, last = start or end, end or start
    if first is not None and last is not None:
        found.extend(_fieldwork(iv, first, last, ctx, params))
        found.append(_in_future(iv, first, last, ctx, params))
        found.append(_late_upload(iv, last, ctx, params))
    yield from (f for f in found if f is not None)
    if reasons:
        yield cannot_check("timing", iv.id, " ".join(reasons), reasons=reasons)


def _usable(moment: datetime | None, name: str, reasons: list[str]) -> datetime | None:
    if moment is None:
        reasons.append(f"The {name} time is missing.")
        return None
    if not is_aware(moment):
        reasons.append(f"The {name} time has no time zone.")
        return None
    return moment


def _finding(
    code: str,
    iv: Interview,
    params: dict[str, dict[str, Any]],
    message: str,
    values: dict[str, Any],
) -> Finding:
    return Finding(code, iv.id, "", str(params[code]["severity"]), message, values)


def _clock(moment: datetime, ctx: CheckContext) -> str:
    return moment.astimezone(ctx.timezone).strftime("%Y-%m-%d %H:%M")


def _minute_of_day(value: time) -> float:
    return value.hour * 60 + value.minute + value.second / 60


def within_hours(moment: time, start: time, end: time, tolerance_minutes: float) -> bool:
    """Whether a local clock time falls in [start, end]; a window may cross midnight."""
    t, s, e = _minute_of_day(moment), _minute_of_day(start), _minute_of_day(end)
    s, e = s - tolerance_minutes, e + tolerance_minutes
    if _minute_of_day(start) <= _minute_of_day(end):
        return s <= t <= e
    return t >= s or t <= e


def _outside_hours(
    iv: Interview,
    start: datetime | None,
    end: datetime | None,
    ctx: CheckContext,
    params: dict[str, Any],
    reasons: list[str],
) -> Finding | None:
    if not ctx.working_hours or (start is None and end is None):
        return None  # hours not configured for this round: nothing to judge against
    hours = ctx.working_hours.get(iv.team or "") or ctx.working_hours.get(ANY_TEAM)
    if hours is None:
        reasons.append(f"No working hours are set for team {iv.team or '(none)'}.")
        return None
    tolerance = float(params["tolerance_minutes"])
    outside: dict[str, datetime] = {}
    for name, moment in (("start", start), ("end", end)):
        if moment is not None:
            local = moment.astimezone(ctx.timezone)  # once: the conversion is the cost here
            if not within_hours(local.time(), *hours, tolerance):
                outside[name] = local
    if not outside:
        return None
    window = f"{hours[0]:%H:%M}–{hours[1]:%H:%M}"
    parts = [f"{'started' if n == 'start' else 'ended'} at {m:%H:%M}" for n, m in outside.items()]
    return Finding(
        OUTSIDE_HOURS,
        iv.id,
        "",
        str(params["severity"]),
        f"Interview {' and '.join(parts)}; team {iv.team or '(any)'} works {window}.",
        {
            "outside": {n: m.strftime("%H:%M") for n, m in outside.items()},
            "hours": [f"{hours[0]:%H:%M}", f"{hours[1]:%H:%M}"],
            "tolerance_minutes": tolerance,
            "team": iv.team,
        },
    )


def _fieldwork(
    iv: Interview,
    first: datetime,
    last: datetime,
    ctx: CheckContext,
    params: dict[str, dict[str, Any]],
) -> Iterator[Finding]:
    begin_day, end_day = local_day(first, ctx.timezone), local_day(last, ctx.timezone)
    if (
        is_enabled(ctx, BEFORE_FIELDWORK)
        and ctx.fieldwork_start
        and begin_day < ctx.fieldwork_start
    ):
        yield _finding(
            BEFORE_FIELDWORK,
            iv,
            params,
            f"Interview dated {begin_day} is before fieldwork started on {ctx.fieldwork_start}.",
            {"date": begin_day.isoformat(), "fieldwork_start": ctx.fieldwork_start.isoformat()},
        )
    if is_enabled(ctx, AFTER_FIELDWORK) and ctx.fieldwork_end and end_day > ctx.fieldwork_end:
        yield _finding(
            AFTER_FIELDWORK,
            iv,
            params,
            f"Interview dated {end_day} is after fieldwork ended on {ctx.fieldwork_end}.",
            {"date": end_day.isoformat(), "fieldwork_end": ctx.fieldwork_end.isoformat()},
        )


def _in_future(
    iv: Interview,
    first: datetime,
    last: datetime,
    ctx: CheckContext,
    params: dict[str, dict[str, Any]],
) -> Finding | None:
    if not is_enabled(ctx, IN_FUTURE):
        return None
    tolerance = timedelta(minutes=float(params[IN_FUTURE]["tolerance_minutes"]))
    # An interview cannot end after the server received it, so upload time is the tighter bound.
    limit, against = ctx.now, "now"
    if is_aware(iv.submitted) and iv.submitted < limit:
        limit, against = iv.submitted, "upload"
    latest = max(first, last)
    if latest <= limit + tolerance:
        return None
    ahead = latest - limit
    return _finding(
        IN_FUTURE,
        iv,
        params,
        f"Interview time {_clock(latest, ctx)} is {_span(ahead)} after its "
        f"{'upload' if against == 'upload' else 'check time'}: the tablet clock is probably wrong.",
        {
            "time": latest.isoformat(),
            "reference": against,
            "reference_time": limit.isoformat(),
            "ahead_minutes": round(ahead.total_seconds() / 60, 1),
            "tolerance_minutes": params[IN_FUTURE]["tolerance_minutes"],
        },
    )


def _late_upload(
    iv: Interview, last: datetime, ctx: CheckContext, params: dict[str, dict[str, Any]]
) -> Finding | None:
    if not is_enabled(ctx, LATE_UPLOAD) or not is_aware(iv.submitted):
        return None
    max_days = float(params[LATE_UPLOAD]["max_days"])
    delay = iv.submitted - last
    if delay <= timedelta(days=max_days):
        return None
    return _finding(
        LATE_UPLOAD,
        iv,
        params,
        f"Uploaded {_span(delay)} after the interview ended; the limit is {max_days:g} days.",
        {"delay_days": round(delay.total_seconds() / 86400, 2), "max_days": max_days},
    )


def _span(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours >= 48:
        return f"{hours / 24:.1f} days"
    if hours >= 1:
        return f"{hours:.1f} h"
    return f"{hours * 60:.0f} min"
