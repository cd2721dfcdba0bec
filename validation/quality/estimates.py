"""Where a form's quality runs keep the respondent matcher's estimates between runs: the cache.

The entries (validation/checks/duplicates/kept.py) say which round size and check settings
they were estimated for, and the stored set the form's configuration hash, so a changed
configuration (thresholds, question map) or a grown round re-estimates by itself;
a lost or evicted entry only costs one estimation on the next run, hence no table.
"""

from typing import Any

from django.core.cache import cache

from validation.checks.base import CheckContext

_KEY = "quality:respondent-estimates:v1:form:{}"


def restore(ctx: CheckContext, form_id: int, config_hash: str) -> None:
    """Give the run the estimates the form's last run kept under this configuration, if any."""
    stored = cache.get(_KEY.format(form_id))
    if isinstance(stored, dict) and stored.get("config") == config_hash:
        ctx.kept.update(stored.get("rounds") or {})


def keep(ctx: CheckContext, form_id: int, config_hash: str) -> None:
    """Store the estimates this run used (the entries it reused, as they were)."""
    if ctx.kept:
        rounds: dict[Any, Any] = dict(ctx.kept)
        cache.set(_KEY.format(form_id), {"config": config_hash, "rounds": rounds}, timeout=None)
