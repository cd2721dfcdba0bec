"""Duplicates: the same submission stored twice, and the same respondent interviewed twice.

check.py holds the check; matcher.py the respondent matcher (its layers listed there);
specs.py the codes and parameters; model.py the match model's set values and types; kept.py
the estimates a run keeps for the next (focused) runs of the round.
"""

from validation.checks.duplicates.check import DuplicateCheck
from validation.checks.duplicates.matcher import RespondentMatcher
from validation.checks.duplicates.model import Estimates, Level, Match, Weights
from validation.checks.duplicates.specs import RESPONDENT, SAME_INSTANCE, SAME_ROOT, SPECS

__all__ = [
    "RESPONDENT",
    "SAME_INSTANCE",
    "SAME_ROOT",
    "SPECS",
    "DuplicateCheck",
    "Estimates",
    "Level",
    "Match",
    "RespondentMatcher",
    "Weights",
]
