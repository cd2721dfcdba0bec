"""Surveys models, one module per aggregate."""

from surveys.models.baseline import BaselineFigure, BaselineInputs, TargetPopulation
from surveys.models.choices import Sex
from surveys.models.enumerators import Enumerator, Team
from surveys.models.imports import ImportJob
from surveys.models.kobo_forms import FormVersion, KoboForm, KoboServer
from surveys.models.locations import Location
from surveys.models.quotas import Quota
from surveys.models.retention import PurgeRun, RetentionPolicy
from surveys.models.rounds import Round
from surveys.models.submissions import Submission
from surveys.models.sync_state import SyncCursor, SyncIssue, SyncRun

__all__ = [
    "BaselineFigure",
    "BaselineInputs",
    "Enumerator",
    "FormVersion",
    "ImportJob",
    "KoboForm",
    "KoboServer",
    "Location",
    "PurgeRun",
    "Quota",
    "RetentionPolicy",
    "Round",
    "Sex",
    "Submission",
    "SyncCursor",
    "SyncIssue",
    "SyncRun",
    "TargetPopulation",
    "Team",
]
