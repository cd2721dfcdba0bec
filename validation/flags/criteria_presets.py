"""Published inclusion criteria as named presets, applied to a round as editable rows.

Each preset is what one report printed (mtm-instrument-and-figures.md §2): the label keeps the
report's wording, `source` says where it stands, and `message` says in plain words why an
interview fails it. Criteria differ between rounds, so a round gets its own rows: a data
manager applies a preset (`manage.py apply_criteria --round 3 --preset "Three-city 2022"` or
the admin's "Apply a published set" page) and may edit the rows afterwards.

Question names and choice values are the demo MTM form's (demo/data/form_definition.py):
its `legal_status` question offers student, refugee and stateless ("student" covers trainees).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from mtm.errors import DomainError
from surveys.models import Round, Submission
from surveys.sync import queue_validation
from validation.models import InclusionCriterion

Op = InclusionCriterion.Operator
Kind = InclusionCriterion.Kind

# The reports, as mtm-instrument-and-figures.md §2 cites them (seed files 001_580d…, 002_f38d…,
# 000_e9a3…); the sources name the report and its table, which is what a data manager checks.
_R1 = "IOM MTM Kazakhstan, Round 1 (Dec 2022–Feb 2023): inclusion criteria table"
_CITY3 = "IOM three-city labour migrant study (Aug 2022): inclusion criteria table"
_CITY3_EXCL = (
    "IOM three-city labour migrant study (Aug 2022): definition of a labour migrant, "
    'excluded persons ("The list is not exhaustive.")'
)
_CITY3_ETHICS = (
    "IOM three-city labour migrant study (Aug 2022): ethics list, not the criteria table"
)
_R3 = (
    "IOM MTM Kazakhstan, Round 3 (Feb 2024): no criteria table; IOM definition of a migrant worker"
)


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    kind: str
    variable: str
    label: str  # the report's words, as printed
    question: str
    operator: str
    value: str
    message: str  # plain words, shown when the criterion fails
    source: str


def _age(label: str, source: str) -> CriterionSpec:
    return CriterionSpec(
        "age", Kind.INCLUSION, "Age", label, "age", Op.GTE, "18", "Respondent is under 18", source
    )


def _nationality(label: str, variable: str, source: str) -> CriterionSpec:
    return CriterionSpec(
        "nationality",
        Kind.INCLUSION,
        variable,
        label,
        "citizenship",
        Op.NOT_IN,
        "kz",
        "Respondent is a Kazakh national",
        source,
    )


def _not_interviewed(label: str, source: str) -> CriterionSpec:
    return CriterionSpec(
        "not_interviewed_before",
        Kind.INCLUSION,
        "Interview with IOM",
        label,
        "interviewed_before",
        Op.EQ,
        "no",
        "Respondent was already interviewed by IOM in this round",
        source,
    )


def _employment(label: str, variable: str, source: str) -> CriterionSpec:
    return CriterionSpec(
        "employment",
        Kind.INCLUSION,
        variable,
        label,
        "employment_status",
        Op.IN,
        "worked working looking",
        "Respondent has not worked, does not work and is not looking for work in Kazakhstan",
        source,
    )


PRESETS: dict[str, tuple[CriterionSpec, ...]] = {
    # Only three rows: no work, stay, exclusion or consent criterion.
    "R1 2023": (
        _age("+18 years of age", _R1),
        _nationality("Not Kazakh", "Nationality", _R1),
        _not_interviewed(
            "Has not been interviewed by IOM before in the same round of data collection", _R1
        ),
    ),
    # Rows numbered 1, 2, 3, 5, 6, the definition's exclusions and the ethics list's consent:
    # the strictest published set, so the demo round uses it.
    "Three-city 2022": (
        CriterionSpec(
            "consent",
            Kind.INCLUSION,
            "Consent",
            "Informed consent given before any other question",
            "consent",
            Op.EQ,
            "yes",
            "Respondent did not give informed consent",
            _CITY3_ETHICS,
        ),
        _age("18 years of age or more", _CITY3),
        _nationality("Not Kazakh", "Nationality", _CITY3),
        _employment(
            "Has worked, is working, or is actively looking for a job in Kazakhstan",
            "Employment status in Kazakhstan",
            _CITY3,
        ),
        # The demo form asks about this round only; the study asked about any IOM interview.
        _not_interviewed("Has not been interviewed by IOM before", _CITY3),
        CriterionSpec(
            "length_of_stay",
            Kind.INCLUSION,
            "Length of stay",
            "Has arrived in Kazakhstan within the past month or before",
            "arrival_date",
            Op.DAYS_BEFORE,
            "1 month",
            "Respondent arrived in Kazakhstan less than a month before the interview",
            _CITY3,
        ),
        CriterionSpec(
            "not_student",
            Kind.EXCLUSION,
            "Excluded",
            "students and trainees",
            "legal_status",
            Op.NOT_IN,
            "student",
            "Students and trainees are not labour migrants in this study",
            _CITY3_EXCL,
        ),
        CriterionSpec(
            "not_refugee_or_stateless",
            Kind.EXCLUSION,
            "Excluded",
            "refugees and stateless persons",
            "legal_status",
            Op.NOT_IN,
            "refugee stateless",
            "Refugees and stateless persons are not labour migrants in this study",
            _CITY3_EXCL,
        ),
    ),
    # No table and no length-of-stay rule: 8% of R3's respondents had been in the country
    # under a month. The definition's two conditions are all it states.
    "R3 2024 (IOM definition)": (
        _nationality(
            "a State of which he or she is not a national", "Migrant worker (definition)", _R3
        ),
        _employment(
            "is to be engaged, is engaged or has been engaged in a remunerated activity",
            "Migrant worker (definition)",
            _R3,
        ),
    ),
}
STRICTEST = "Three-city 2022"
DEMO_PRESET = STRICTEST


class UnknownPresetError(DomainError):
    def __init__(self, name: str) -> None:
        known = ", ".join(repr(p) for p in PRESETS)
        super().__init__(f"No criteria preset {name!r}; known presets: {known}.", "unknown_preset")


@dataclass(frozen=True)
class AppliedPreset:
    preset: str
    created: int
    updated: int
    deactivated: list[str]  # codes of the round's other rows, now inactive (kept, editable)
    requeued: int  # interviews queued to be judged again


def apply_preset(*, round: Round, preset: str, revalidate: bool = True) -> AppliedPreset:
    """Make the round's active criteria exactly the preset's; other rows are deactivated.

    Rows are upserted by code, so applying twice changes nothing; a row edited since is
    overwritten with the published wording. The round's interviews are then queued for
    validation so every verdict follows the new criteria.
    """
    specs = PRESETS.get(preset)
    if specs is None:
        raise UnknownPresetError(preset)
    created = updated = 0
    with transaction.atomic():
        for order, spec in enumerate(specs):
            wanted = {
                "kind": spec.kind,
                "variable": spec.variable,
                "label": spec.label,
                "question": spec.question,
                "operator": spec.operator,
                "value": spec.value,
                "expression": "",
                "message": spec.message,
                "source": spec.source,
                "preset": preset,
                "is_active": True,
                "order": order,
            }
            row, was_created = InclusionCriterion.objects.get_or_create(
                round=round, code=spec.code, defaults=wanted
            )
            if was_created:
                created += 1
            elif any(getattr(row, k) != v for k, v in wanted.items()):
                InclusionCriterion.objects.filter(pk=row.pk).update(**wanted)
                updated += 1
        others = InclusionCriterion.objects.filter(round=round, is_active=True).exclude(
            code__in=[s.code for s in specs]
        )
        deactivated = sorted(others.values_list("code", flat=True))
        others.update(is_active=False)
        requeued = 0
        if revalidate and (created or updated or deactivated):
            requeued = Submission.objects.filter(form__round=round, deleted_at__isnull=True).update(
                needs_validation=True, updated_at=timezone.now()
            )
    if requeued:
        # By name, as sync does: a running worker judges them; beat's sweep catches a loss.
        transaction.on_commit(queue_validation)
    return AppliedPreset(preset, created, updated, deactivated, requeued)


def ensure_default_criteria(*, round: Round) -> int:
    """Give a round with no published set the strictest one; returns rows created.

    A round whose rows came from a preset keeps them, edits included; rows from before presets
    (no `preset`) are brought to the published wording, their other codes deactivated.
    """
    if InclusionCriterion.objects.filter(round=round).exclude(preset="").exists():
        return 0
    return apply_preset(round=round, preset=DEMO_PRESET, revalidate=False).created
