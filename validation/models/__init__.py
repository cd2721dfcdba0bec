"""Validation models, one module per aggregate."""

from validation.models.criteria import Eligibility, InclusionCriterion
from validation.models.flags import SEVERITY_WEIGHT, Flag, Severity
from validation.models.priority import ReviewPriority
from validation.models.review_queue import InterviewReview
from validation.models.reviews import ExclusionReason, ReviewEvent

__all__ = [
    "SEVERITY_WEIGHT",
    "Eligibility",
    "ExclusionReason",
    "Flag",
    "InclusionCriterion",
    "InterviewReview",
    "ReviewEvent",
    "ReviewPriority",
    "Severity",
]
