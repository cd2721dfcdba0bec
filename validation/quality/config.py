"""The quality checks' families by reach and their effective configuration per form."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from surveys.models import KoboForm
from validation.checks.registry import SPECS, family, validate_config
from validation.models import (
    CheckConfig,
)
from validation.models.check_config import DEFAULT_LISTS, QUESTION_ROLES, validate_question_map

# Check families by how far their findings reach.
PER_INTERVIEW = ("duration", "timing", "gps", "straightlining")
ENUMERATOR_BLOCK = ("fabrication",)
TEAM_BLOCK = ("refusal", "productivity")
LOCATION_BLOCK = ("outlier",)
ROUND_MATCHING = ("duplicate",)
_ALL_FAMILIES = PER_INTERVIEW + ENUMERATOR_BLOCK + TEAM_BLOCK + LOCATION_BLOCK + ROUND_MATCHING
OUTLIER_CODE = "outlier.value"


def codes_of(families: Iterable[str]) -> tuple[str, ...]:
    wanted = set(families)
    codes = [code for code in SPECS if family(code) in wanted]
    return tuple(sorted(codes + [f"{fam}.cannot_check" for fam in sorted(wanted)]))


QUALITY_CODES = codes_of(_ALL_FAMILIES)


# --- configuration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EffectiveConfig:
    params: dict[str, dict[str, Any]]
    enabled: frozenset[str] | None
    questions: dict[str, Any]  # roles -> path, and the lists (numeric questions, ...)

    @property
    def hash(self) -> str:
        text = json.dumps(
            [self.params, sorted(self.enabled or []), self.questions], sort_keys=True, default=str
        )
        return hashlib.sha256(text.encode()).hexdigest()


def effective_config(form: KoboForm, override: CheckConfig | None = None) -> EffectiveConfig:
    """The most specific active configuration (round + form, form, round), else defaults."""
    config = override
    if config is None:
        rows = CheckConfig.objects.filter(is_active=True).filter(
            Q(form=form, round_id=form.round_id)
            | Q(form=form, round__isnull=True)
            | Q(form__isnull=True, round_id=form.round_id)
        )
        ranked = sorted(rows, key=lambda c: (c.form_id is None, c.round_id is None))
        config = ranked[0] if ranked else None
    if config is None:
        return EffectiveConfig({}, None, {**QUESTION_ROLES, **DEFAULT_LISTS})
    params = validate_config(config.params())
    questions = {**QUESTION_ROLES, **DEFAULT_LISTS, **validate_question_map(config.question_map)}
    return EffectiveConfig(params, config.enabled(), questions)
