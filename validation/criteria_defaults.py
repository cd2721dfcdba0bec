"""The default inclusion criteria of an MTM round (mtm-domain.md), created as editable rows."""

from surveys.models import Round
from validation.models import InclusionCriterion

Op = InclusionCriterion.Operator

# (code, label, question, operator, value, message): question names of the demo MTM form.
DEFAULT_CRITERIA: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("consent", "Informed consent given", "consent", Op.EQ, "yes", "No informed consent"),
    ("age", "Aged 18 or more", "age", Op.GTE, "18", "Respondent is under 18"),
    (
        "nationality",
        "Not a Kazakh national",
        "citizenship",
        Op.NOT_IN,
        "kz",
        "Respondent is a Kazakh national",
    ),
    (
        "employment",
        "Worked, working or looking for work in Kazakhstan",
        "employment_status",
        Op.IN,
        "worked working looking",
        "Respondent has not worked or looked for work here",
    ),
    (
        "not_interviewed_before",
        "Not interviewed by IOM before in this round",
        "interviewed_before",
        Op.EQ,
        "no",
        "Respondent was already interviewed in this round",
    ),
    (
        "length_of_stay",
        "Arrived at least one month before the interview",
        "arrival_date",
        Op.DAYS_BEFORE,
        "1 month",
        "Respondent arrived less than a month before the interview",
    ),
)


def ensure_default_criteria(*, round: Round) -> int:
    """Create the defaults a round does not have yet; returns how many were created."""
    created = 0
    for order, (code, label, question, operator, value, message) in enumerate(DEFAULT_CRITERIA):
        _, was_created = InclusionCriterion.objects.get_or_create(
            round=round,
            code=code,
            defaults={
                "label": label,
                "question": question,
                "operator": operator,
                "value": value,
                "message": message,
                "order": order,
            },
        )
        created += was_created
    return created
