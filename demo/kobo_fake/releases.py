r"""Which KPI release the fake server behaves as, for the behaviours that changed between releases.

Everything else the fake does follows kobotoolbox/kpi at 2e5efb0172 (2026-08-21). Two changes
matter to a sync client and are switchable, either by naming a release (its tag) or directly:

- `accepts_root_uuid`: kpi PR #6660 (commit 8b382e2306, first in release 2.026.07) lets
  `data/{id}/` (GET, DELETE), `validation_status/` and the Enketo links take a rootUuid as
  `{id}`. Before it those views ran `positive_int(pk)` unguarded, so a rootUuid is a 500;
  retrieve alone accepted a bare `_uuid` (regex `[a-z\\d]{8}-([a-z\\d]{4}-){3}[a-z\\d]{12}`).
- `rejects_foreign_bulk_ids`: kpi PR #7143 (commit 1bf432a514, release 2.026.21c; backported
  to 2.026.03g by #7145 and to 2.026.12d.1 / 2.026.12j) makes a bulk status change with any
  id outside the project a 400 that changes nothing. Before it those ids were ignored.
"""

import re
from dataclasses import dataclass

# Old enough to be held to what works everywhere (no rootUuid ids), new enough to have #7143.
DEFAULT_RELEASE = "2.026.03h"
_TAG = re.compile(r"^2\.0(?P<year>\d{2})\.(?P<num>\d{2})(?P<suffix>[a-z]?(?:\.\d+)?)$")


@dataclass(frozen=True)
class KpiFeatures:
    accepts_root_uuid: bool
    rejects_foreign_bulk_ids: bool


def features_for(release: str) -> KpiFeatures:
    """The switchable behaviours of a KPI release tag such as "2.026.07" or "2.026.21c"."""
    match = _TAG.match(release)
    if match is None:
        raise ValueError(f"not a KPI release tag: {release!r} (expected e.g. '2.026.07')")
    year, num, suffix = int(match["year"]), int(match["num"]), match["suffix"]
    if year != 26:
        return KpiFeatures(accepts_root_uuid=year > 26, rejects_foreign_bulk_ids=year > 26)
    bulk = (
        num > 21
        or (num == 21 and suffix >= "c")
        or (num == 3 and suffix >= "g")
        or (num == 12 and (suffix >= "j" or suffix == "d.1"))
    )
    return KpiFeatures(accepts_root_uuid=num >= 7, rejects_foreign_bulk_ids=bulk)
