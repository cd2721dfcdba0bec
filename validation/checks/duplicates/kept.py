"""The matcher's estimates kept between runs: estimate once on the round, score new pairs with them.

Estimating the prior and the facts' (m, lift) by EM costs as much as the rest of a focused run
on a large round, and a few new interviews hardly move them (record-linkage systems such as
Splink estimate once and predict many times). A focused run (only_ids) therefore reuses the
estimates a run kept for the round while its check settings are the same and the round has not
grown or shrunk by more than _REESTIMATE_SHARE since; otherwise, and on every whole run, it
estimates afresh and keeps the new ones. Small rounds always estimate: it is cheap there, and
their findings stay exactly those of a whole run.

The caller keeps CheckContext.kept between runs (validation/quality/run.py in the cache); the
entries are plain JSON, so a changed class never breaks a stored one and a lost one only costs
an estimation.
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from validation.checks.duplicates.model import Estimates

# Re-estimate once the round has grown (or shrunk) by more than this share of its size then.
_REESTIMATE_SHARE = 0.1
# Below this many interviews a round is estimated every run (a fraction of a second).
_KEEP_FROM = 2_000
_VERSION = 1  # bump when the estimates' meaning changes: older kept ones are then ignored


def settings_key(params: Mapping[str, Any], facts: Sequence[str], missing: frozenset[str]) -> str:
    """A digest of everything the estimates depend on besides the round's interviews."""
    text = json.dumps([_VERSION, sorted(params.items()), list(facts), sorted(missing)], default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def reusable(entry: Any, size: int, settings: str) -> Estimates | None:
    """The kept estimates if they still stand for a round of this size and these settings."""
    if size < _KEEP_FROM or not isinstance(entry, Mapping):
        return None
    try:
        kept_size = int(entry["size"])
        if entry["settings"] != settings or abs(size - kept_size) > _REESTIMATE_SHARE * kept_size:
            return None
        facts = [(float(m), float(lift)) for m, lift in entry["facts"]]
        return Estimates(float(entry["prior"]), facts)
    except (KeyError, TypeError, ValueError):
        return None  # a malformed entry is only a missed reuse


def entry(size: int, settings: str, estimates: Estimates) -> dict[str, Any]:
    return {
        "size": size,
        "settings": settings,
        "prior": estimates.prior,
        "facts": [list(pair) for pair in estimates.facts],
    }
