"""The one flag diff: stored flags made equal to what a run found, writing only what differs.

Every producer of findings goes through it: the engine (skip logic, eligibility; one
interview at a time) and the quality run (validation.quality; many interviews at once). A
producer states, per submission, the findings it now holds and which codes it owns there;
the rules are then the same for all:

- a new finding opens a flag; a vanished one resolves its open flag;
- a finding that came back reopens its resolved flag;
- a supervisor's okay persists across re-runs, except, for codes named in
  ``reopen_on_new_value``, when the finding's ``value`` changed (a new answer needs a new look);
- a flag whose severity, message, values and expression are unchanged is not written, so a
  re-run with nothing new writes nothing (``last_seen_at`` moves when the flag changes).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from validation.models import Flag, Severity

FlagKey = tuple[str, str]  # (check code, path): with the submission, the flag's natural key
# What an update writes; okayed_by only changes when an okay is withdrawn, and is written then.
UPDATED_FIELDS = (
    "status",
    "resolved_at",
    "severity",
    "message",
    "values",
    "expression",
    "last_seen_at",
    "okayed_by",
)


@dataclass(frozen=True)
class Finding:
    """What a producer found on one interview, in the Flag's terms."""

    code: str
    path: str
    severity: str
    message: str
    values: dict[str, Any]
    expression: str = ""


@dataclass
class FlagDiff:
    """The writes that make stored flags equal the findings, over one or many submissions."""

    creates: list[Flag] = field(default_factory=list)
    updates: list[Flag] = field(default_factory=list)
    added: Counter[str] = field(default_factory=Counter)  # per code: opened, new or come back
    resolved: Counter[str] = field(default_factory=Counter)  # per code: open flags resolved
    changed: list[int] = field(default_factory=list)  # submissions whose flags differ
    # Of those, the ones where a non-info flag opened, resolved or changed severity (or an
    # okay was withdrawn): their review status and priority must follow.
    reviewable: list[int] = field(default_factory=list)


def jsonable(values: dict[str, Any]) -> dict[str, Any]:
    """As the JSON column holds it (tuples become lists, dates text): to store and compare."""
    result: dict[str, Any] = json.loads(json.dumps(values, default=str))
    return result


def diff_flags(
    diff: FlagDiff,
    *,
    submission_id: int,
    findings: Iterable[Finding],
    existing: Iterable[Flag],
    owns: Callable[[str], bool],
    now: dt.datetime,
    reopen_on_new_value: Collection[str] = (),
) -> tuple[int, int]:
    """Add to `diff` what makes this submission's flags of the codes it `owns` equal `findings`.

    Returns (flags created, flags resolved) for this submission.
    """
    want = {(f.code, f.path): f for f in findings if owns(f.code)}
    have = {(flag.check_code, flag.path): flag for flag in existing if owns(flag.check_code)}
    created = resolved = 0
    differs = relevant = False
    for key, finding in want.items():
        values = jsonable(finding.values)
        flag = have.get(key)
        if flag is None:
            diff.creates.append(
                Flag(
                    submission_id=submission_id,
                    check_code=finding.code,
                    path=finding.path,
                    severity=finding.severity,
                    message=finding.message,
                    values=values,
                    expression=finding.expression,
                )
            )
            diff.added[finding.code] += 1
            created += 1
            differs = True
            relevant = relevant or finding.severity != Severity.INFO
            continue
        dirty = False
        if flag.status == Flag.Status.RESOLVED:
            flag.status, flag.resolved_at = Flag.Status.OPEN, None  # it came back
            diff.added[finding.code] += 1
            dirty = True
            relevant = relevant or finding.severity != Severity.INFO
        elif (
            flag.status == Flag.Status.OKAYED
            and finding.code in reopen_on_new_value
            and values.get("value") != flag.values.get("value")
        ):
            flag.status, flag.okayed_by = Flag.Status.OPEN, None  # the okay was for another value
            dirty = relevant = True
        if (flag.severity, flag.message, flag.values, flag.expression) != (
            finding.severity,
            finding.message,
            values,
            finding.expression,
        ):
            relevant = relevant or flag.severity != finding.severity
            flag.severity, flag.message = finding.severity, finding.message
            flag.values, flag.expression = values, finding.expression
            dirty = True
        if dirty:
            flag.last_seen_at = now
            diff.updates.append(flag)
            differs = True
    for key, flag in have.items():
        if key not in want and flag.status == Flag.Status.OPEN:
            flag.status, flag.resolved_at = Flag.Status.RESOLVED, now
            diff.updates.append(flag)
            diff.resolved[flag.check_code] += 1
            resolved += 1
            differs = True
            relevant = relevant or flag.severity != Severity.INFO
    if differs:
        diff.changed.append(submission_id)
        if relevant:
            diff.reviewable.append(submission_id)
    return created, resolved


def write_flag_diff(diff: FlagDiff) -> None:
    """One bulk insert and one bulk update for everything the diff holds."""
    Flag.objects.bulk_create(diff.creates, batch_size=2000)
    Flag.objects.bulk_update(diff.updates, UPDATED_FIELDS, batch_size=1000)
