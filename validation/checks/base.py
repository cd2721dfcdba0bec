"""Shared types of the quality checks: Interview, CheckContext, Finding, the Check protocol."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from typing import Any, Protocol

SEVERITIES = ("blocker", "major", "minor", "info")


@dataclass(frozen=True, slots=True)
class Interview:
    id: int
    kobo_id: int
    root_uuid: str
    instance_id: str
    form_id: int
    round_id: int
    enumerator: str | None
    team: str | None
    location: str | None
    sex: str | None
    age: int | None
    nationality: str | None
    arrival_date: date | None
    start: datetime | None
    end: datetime | None
    submitted: datetime
    gps: tuple[float, float, float | None, float | None] | None
    phone_hash: str | None
    name_hash: str | None
    answers: Mapping[str, str]
    answered: int
    # Fuzzy forms of the phone and name hashes (validation.checks.identifiers), keyed too.
    phone_keys: frozenset[str] = frozenset()
    name_parts: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class CheckContext:
    fieldwork_start: date | None
    fieldwork_end: date | None
    now: datetime
    working_hours: Mapping[str, tuple[time, time]]
    timezone: tzinfo
    boundaries: Mapping[str, dict[str, Any]]
    centroids: Mapping[str, tuple[float, float]]
    numeric_questions: Sequence[str]
    dk_values: frozenset[str]
    refuse_values: frozenset[str]
    straightline_blocks: Sequence[Sequence[str]]
    params: Mapping[str, Mapping[str, Any]]
    enabled: frozenset[str] | None = None
    # Answers that describe the respondent and stay the same between two interviews (marital
    # status, education, region of origin…): evidence for repeat respondents.
    respondent_facts: Sequence[str] = ()
    # Work a check may reuse while this context (and its copies by dataclasses.replace, which
    # share the dict) lives: the quality run asks for a round's duplicates twice, to find the
    # partners of the due interviews and then their findings, and the matcher is built once.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    # Estimates a check keeps for the caller to store between runs, and finds here on the next
    # run: the respondent matcher's per round id (validation/checks/duplicates/kept.py).
    kept: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    interview_id: int
    path: str
    severity: str
    message: str
    values: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Param:
    """One threshold: its default and the range a data manager may set it to."""

    default: float | int | str | bool
    minimum: float | None = 0
    maximum: float | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """One check code: its default severity, its thresholds, and which must stay ordered."""

    code: str
    severity: str
    params: Mapping[str, Param] = field(default_factory=dict)
    ordered: tuple[tuple[str, str], ...] = ()  # (low, high) pairs: low must not exceed high

    def defaults(self) -> dict[str, Any]:
        return {"severity": self.severity} | {k: p.default for k, p in self.params.items()}


class Check(Protocol):
    codes: tuple[str, ...]

    def run(self, interviews: Sequence[Interview], ctx: CheckContext) -> Iterator[Finding]: ...


class ConfiguredCheck(Check, Protocol):
    """A check as the registry holds it: with its parameter specs and its scope."""

    specs: Mapping[str, CheckSpec]
    # False when a finding on one interview depends on other interviews (duplicates, rates).
    per_interview: bool

    def run(
        self,
        interviews: Sequence[Interview],
        ctx: CheckContext,
        *,
        only_ids: frozenset[int] | None = None,
    ) -> Iterator[Finding]:
        """Findings for interviews; with only_ids a check may skip work that cannot reach them."""
        ...


def is_enabled(ctx: CheckContext, code: str) -> bool:
    return ctx.enabled is None or code in ctx.enabled


def family_enabled(ctx: CheckContext, codes: Sequence[str]) -> bool:
    return any(is_enabled(ctx, code) for code in codes)


def resolve_params(ctx: CheckContext, spec: CheckSpec) -> dict[str, Any]:
    """Defaults overlaid with the round's overrides (already validated by the registry)."""
    return spec.defaults() | dict(ctx.params.get(spec.code, {}))


def cannot_check(
    family: str, interview_id: int, reason: str, path: str = "", **values: Any
) -> Finding:
    """An info finding saying why a check could not judge this interview."""
    return Finding(
        f"{family}.cannot_check",
        interview_id,
        path,
        "info",
        reason,
        {"reasons": [reason], **values},
    )


def is_aware(moment: datetime | None) -> bool:
    return moment is not None and moment.utcoffset() is not None


def moment_of(interview: Interview) -> datetime:
    """When the interview happened as best known, for ordering (device time, else upload)."""
    return interview.start or interview.end or interview.submitted


def sort_key(interview: Interview) -> tuple[datetime, int]:
    return (moment_of(interview), interview.kobo_id)


def local_day(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


# KoBo adds these to every submission; they are not answers and must not count as such.
_META_PREFIXES = ("_", "meta/", "formhub/")
_META_NAMES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "simserial",
        "subscriberid",
        "phonenumber",
        "username",
        "audit",
        "__version__",
        "instanceID",
        "starttime",
        "endtime",
    }
)


@functools.lru_cache(maxsize=8192)  # a form has a few hundred keys; called per answer
def is_answer_key(key: str) -> bool:
    leaf = key.rsplit("/", 1)[-1]
    return not key.startswith(_META_PREFIXES) and leaf not in _META_NAMES


def as_number(raw: str) -> float | None:
    """A finite float from a KoBo string answer, or None when it is not a number."""
    try:
        value = float(raw.strip().replace(",", "."))
    except (ValueError, AttributeError):
        return None
    return value if math.isfinite(value) else None


def minutes_text(minutes: float) -> str:
    return f"{minutes:.0f} min" if minutes >= 1 else f"{minutes * 60:.0f} s"
