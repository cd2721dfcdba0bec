"""Validation models, one module per aggregate."""

from validation.models.access_log import AccessLog
from validation.models.check_config import CheckConfig
from validation.models.corrections import (
    ACTIVE_STATES,
    Channel,
    CorrectionEvent,
    CorrectionPolicy,
    CorrectionTask,
    Notification,
    NotificationPreference,
)
from validation.models.criteria import Eligibility, InclusionCriterion
from validation.models.exports import ExportJob
from validation.models.flags import SEVERITY_WEIGHT, Flag, Severity
from validation.models.priority import ReviewPriority
from validation.models.progress_counts import ProgressCount
from validation.models.quality_state import QualityState
from validation.models.question_comments import QuestionComment
from validation.models.quota_alerts import QuotaAlert
from validation.models.review_queue import InterviewReview
from validation.models.reviews import ExclusionReason, ReviewEvent

__all__ = [
    "ACTIVE_STATES",
    "SEVERITY_WEIGHT",
    "AccessLog",
    "Channel",
    "CheckConfig",
    "CorrectionEvent",
    "CorrectionPolicy",
    "CorrectionTask",
    "Eligibility",
    "ExclusionReason",
    "ExportJob",
    "Flag",
    "InclusionCriterion",
    "InterviewReview",
    "Notification",
    "NotificationPreference",
    "ProgressCount",
    "QualityState",
    "QuestionComment",
    "QuotaAlert",
    "ReviewEvent",
    "ReviewPriority",
    "Severity",
]
