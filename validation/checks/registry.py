"""The only list of quality checks, their default thresholds, validation, and the runner."""

import math
from collections.abc import Mapping, Sequence
from typing import Any

from validation.checks import duration
from validation.checks.base import (
    SEVERITIES,
    CheckContext,
    CheckSpec,
    ConfiguredCheck,
    Finding,
    Interview,
    Param,
)
from validation.checks.duplicates import DuplicateCheck
from validation.checks.duration import DurationCheck
from validation.checks.gps import GpsCheck
from validation.checks.near_duplicates import NearDuplicateCheck
from validation.checks.outliers import OutlierCheck
from validation.checks.productivity import ProductivityCheck
from validation.checks.refusals import RefusalCheck
from validation.checks.straightlining import StraightliningCheck
from validation.checks.timing import TimingCheck

CHECKS: tuple[ConfiguredCheck, ...] = (
    DurationCheck(),
    TimingCheck(),
    GpsCheck(),
    DuplicateCheck(),
    NearDuplicateCheck(),
    OutlierCheck(),
    RefusalCheck(),
    StraightliningCheck(),
    ProductivityCheck(),
)
SPECS: dict[str, CheckSpec] = {code: spec for check in CHECKS for code, spec in check.specs.items()}
DEFAULTS: dict[str, dict[str, Any]] = {code: spec.defaults() for code, spec in SPECS.items()}
# Thresholds of two codes that must stay ordered: ((code, low key), (code, high key)).
CROSS_ORDERED: tuple[tuple[tuple[str, str], tuple[str, str]], ...] = duration.CROSS_ORDERED


def family(code: str) -> str:
    return code.split(".", 1)[0]


FAMILIES: frozenset[str] = frozenset(family(code) for code in SPECS)


def _coerce(code: str, key: str, spec: Param, value: Any) -> Any:
    where = f"{code}: {key}"
    if spec.choices:
        if value not in spec.choices:
            raise ValueError(f"{where} must be one of {', '.join(spec.choices)}; got {value!r}.")
        return value
    if isinstance(spec.default, bool):
        if not isinstance(value, bool):
            raise ValueError(f"{where} must be true or false; got {value!r}.")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where} must be a number; got {value!r}.")
    if not math.isfinite(value):
        raise ValueError(f"{where} must be a finite number; got {value!r}.")
    if isinstance(spec.default, int):
        if not float(value).is_integer():
            raise ValueError(f"{where} must be a whole number; got {value!r}.")
        value = int(value)
    else:
        value = float(value)
    if spec.minimum is not None and value < spec.minimum:
        raise ValueError(f"{where} must be at least {spec.minimum:g}; got {value:g}.")
    if spec.maximum is not None and value > spec.maximum:
        raise ValueError(f"{where} must be at most {spec.maximum:g}; got {value:g}.")
    return value


def validate_params(code: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Check one code's overrides; return the full parameter set (defaults + overrides).

    Raises ValueError naming the code, the threshold and the problem (unknown code or key,
    wrong type, out of range such as negative, or a low threshold above its high one).
    """
    spec = SPECS.get(code)
    if spec is None:
        raise ValueError(f"Unknown check code {code!r}.")
    if not isinstance(params, Mapping):
        raise ValueError(f"{code}: thresholds must be a mapping; got {type(params).__name__}.")
    merged = spec.defaults()
    for key, value in params.items():
        if key == "severity":
            if value not in SEVERITIES:
                raise ValueError(
                    f"{code}: severity must be one of {', '.join(SEVERITIES)}; got {value!r}."
                )
            merged[key] = value
            continue
        if key not in spec.params:
            known = ", ".join(["severity", *spec.params]) or "severity"
            raise ValueError(f"{code}: unknown threshold {key!r}; known: {known}.")
        merged[key] = _coerce(code, key, spec.params[key], value)
    for low, high in spec.ordered:
        if merged[low] > merged[high]:
            raise ValueError(
                f"{code}: {low} ({merged[low]:g}) must not exceed {high} ({merged[high]:g})."
            )
    return merged


def validate_config(config: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Validate every code's overrides and the thresholds that span two codes."""
    merged = {code: validate_params(code, params) for code, params in config.items()}
    for (low_code, low), (high_code, high) in CROSS_ORDERED:
        low_value = merged.get(low_code, DEFAULTS[low_code])[low]
        high_value = merged.get(high_code, DEFAULTS[high_code])[high]
        if low_value > high_value:
            raise ValueError(
                f"{low_code}: {low} ({low_value:g}) must not exceed "
                f"{high_code}: {high} ({high_value:g})."
            )
    return merged


def _enabled(ctx: CheckContext, finding: Finding) -> bool:
    if ctx.enabled is None:
        return True
    if finding.code.endswith(".cannot_check"):
        fam = family(finding.code)
        return any(family(code) == fam for code in ctx.enabled)
    return finding.code in ctx.enabled


def _merge_cannot_check(findings: list[Finding]) -> list[Finding]:
    """One cannot_check per interview, family and path (the flag table's unique key)."""
    kept: dict[tuple[int, str, str], Finding] = {}
    for finding in findings:
        key = (finding.interview_id, finding.code, finding.path)
        earlier = kept.get(key)
        if earlier is None:
            kept[key] = finding
        elif finding.code.endswith(".cannot_check"):
            reasons = list(earlier.values.get("reasons", [])) + [
                r for r in finding.values.get("reasons", []) if r not in earlier.values["reasons"]
            ]
            kept[key] = Finding(
                earlier.code,
                earlier.interview_id,
                earlier.path,
                earlier.severity,
                " ".join(reasons),
                {**earlier.values, "reasons": reasons},
            )
    return list(kept.values())


def run_checks(
    interviews: Sequence[Interview], ctx: CheckContext, *, only_ids: set[int] | None = None
) -> list[Finding]:
    """Run every enabled check; at most one finding per (interview, code, path).

    With only_ids, per-interview checks run on those interviews alone, while the checks that
    compare interviews still see everything passed in (the lead passes whole blocks: the round,
    or the round's interviews of the same enumerators and locations), and only findings on
    only_ids are returned. Raises ValueError when ctx.params holds invalid thresholds.
    """
    validate_config(ctx.params)
    focus = None if only_ids is None else frozenset(only_ids)
    subset: Sequence[Interview] = interviews
    if focus is not None:
        subset = [iv for iv in interviews if iv.id in focus]
        rounds = {iv.round_id for iv in subset}
        # Every cross-interview block lies within a round, so other rounds cannot matter.
        interviews = [iv for iv in interviews if iv.round_id in rounds]
    findings: list[Finding] = []
    for check in CHECKS:
        if ctx.enabled is not None and not any(
            family(code) in {family(c) for c in ctx.enabled} for code in check.codes
        ):
            continue
        for finding in check.run(
            subset if check.per_interview else interviews, ctx, only_ids=focus
        ):
            if only_ids is not None and finding.interview_id not in only_ids:
                continue
            if _enabled(ctx, finding):
                findings.append(finding)
    merged = _merge_cannot_check(findings)
    merged.sort(key=lambda f: (f.interview_id, f.code, f.path))
    return merged
