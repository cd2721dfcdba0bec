"""Validation models, one module per aggregate."""

from validation.models.criteria import Eligibility, InclusionCriterion
from validation.models.flags import SEVERITY_WEIGHT, Flag, Severity
from validation.models.reviews import ExclusionReason, ReviewEvent

__all__ = [
    "SEVERITY_WEIGHT",
    "Eligibility",
    "ExclusionReason",
    "Flag",
    "InclusionCriterion",
    "ReviewEvent",
    "Severity",
]
