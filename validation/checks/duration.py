"""Duration checks: interviews too short (optionally for the path answered) or too long."""

from collections.abc import Iterator, Mapping, Sequence

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
    minutes_text,
    resolve_params,
)

TOO_SHORT = "duration.too_short"
TOO_LONG = "duration.too_long"

SPECS = {
    TOO_SHORT: CheckSpec(
        TOO_SHORT,
        "major",
        {
            "min_minutes": Param(15.0),
            # 0 disables the path-length rule; ~4-6 s per answer is a plausible floor.
            "seconds_per_answer_min": Param(0.0),
        },
    ),
    TOO_LONG: CheckSpec(TOO_LONG, "minor", {"max_minutes": Param(180.0)}),
}
# validate_config keeps the short threshold below the long one across the two codes.
CROSS_ORDERED = (((TOO_SHORT, "min_minutes"), (TOO_LONG, "max_minutes")),)


class DurationCheck:
    codes: tuple[str, ...] = (TOO_SHORT, TOO_LONG)
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
        short = resolve_params(ctx, SPECS[TOO_SHORT])
        long_ = resolve_params(ctx, SPECS[TOO_LONG])
        for iv in interviews:
            yield from self._one(iv, ctx, short, long_)

    @staticmethod
    def _one(
        iv: Interview, ctx: CheckContext, short: dict[str, float], long_: dict[str, float]
    ) -> Iterator[Finding]:
        if iv.start is None or iv.end is None:
            missing = " and ".join(
                n for n, v in (("start", iv.start), ("end", iv.end)) if v is None
            )
            yield cannot_check("duration", iv.id, f"The {missing} time is missing.")
            return
        if not (is_aware(iv.start) and is_aware(iv.end)):
            yield cannot_check("duration", iv.id, "The start or end time has no time zone.")
            return
        minutes = (iv.end - iv.start).total_seconds() / 60
        if minutes < 0:
            # timing.end_before_start reports this; a negative duration says nothing about speed.
            yield cannot_check("duration", iv.id, "The end time is before the start time.")
            return
        if is_enabled(ctx, TOO_SHORT):
            finding = _too_short(iv, minutes, short)
            if finding is not None:
                yield finding
        if is_enabled(ctx, TOO_LONG) and minutes > long_["max_minutes"]:
            yield Finding(
                TOO_LONG,
                iv.id,
                "",
                str(long_["severity"]),
                f"Interview took {minutes_text(minutes)}; the maximum is "
                f"{minutes_text(long_['max_minutes'])}.",
                {"minutes": round(minutes, 2), "max_minutes": long_["max_minutes"]},
            )


def _too_short(iv: Interview, minutes: float, params: dict[str, float]) -> Finding | None:
    min_minutes = float(params["min_minutes"])
    per_answer = float(params["seconds_per_answer_min"])
    path_minutes = iv.answered * per_answer / 60 if per_answer > 0 and iv.answered > 0 else 0.0
    floor = max(min_minutes, path_minutes)
    if minutes >= floor:
        return None
    if path_minutes > min_minutes:
        message = (
            f"Interview took {minutes_text(minutes)} for {iv.answered} answers; at least "
            f"{per_answer:g} s per answer means {minutes_text(path_minutes)}."
        )
    else:
        message = (
            f"Interview took {minutes_text(minutes)}; the minimum is {minutes_text(min_minutes)}."
        )
    return Finding(
        TOO_SHORT,
        iv.id,
        "",
        str(params["severity"]),
        message,
        {
            "minutes": round(minutes, 2),
            "min_minutes": min_minutes,
            "answered": iv.answered,
            "seconds_per_answer_min": per_answer,
            "min_minutes_for_answers": round(path_minutes, 2),
        },
    )
