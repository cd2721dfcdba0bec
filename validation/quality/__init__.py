"""The quality checks (validation.checks, pure) run incrementally over stored submissions.

``config`` (families, effective configuration per form), ``interviews`` (submissions as the
checks' Interview rows, identifiers hashed), ``run`` (what is due, the blocks a run touches,
entry points), ``writes`` (flags written where they differ, review status following them).
"""

from validation.quality.config import QUALITY_CODES, EffectiveConfig, effective_config
from validation.quality.interviews import build_context, identifier_hash, load_interviews
from validation.quality.run import check_due, check_form, check_round, due_submissions
from validation.quality.writes import QualityReport

__all__ = [
    "QUALITY_CODES",
    "EffectiveConfig",
    "QualityReport",
    "build_context",
    "check_due",
    "check_form",
    "check_round",
    "due_submissions",
    "effective_config",
    "identifier_hash",
    "load_interviews",
]
