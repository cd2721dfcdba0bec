"""Validation models, one module per aggregate."""

from validation.models.criteria import Eligibility, InclusionCriterion
from validation.models.flags import SEVERITY_WEIGHT, Flag, Severity

__all__ = ["SEVERITY_WEIGHT", "Eligibility", "Flag", "InclusionCriterion", "Severity"]
