"""Supervisor review: decisions on interviews (``decisions``) over the status machine.

The package's public names, so callers write ``review.decide(...)``, ``review.transition(...)``.
"""

from validation.flags.status import (
    ALLOWED,
    DECISIONS,
    DecisionInputError,
    IllegalTransitionError,
    transition,
)
from validation.review.decisions import (
    ACTIONS,
    ApprovalRisks,
    BulkReport,
    ConfirmationNeededError,
    Decision,
    approval_risks,
    approve,
    bulk_decide,
    decide,
    exclude,
    hold,
    return_to_enumerator,
)

__all__ = [
    "ACTIONS",
    "ALLOWED",
    "DECISIONS",
    "ApprovalRisks",
    "BulkReport",
    "ConfirmationNeededError",
    "Decision",
    "DecisionInputError",
    "IllegalTransitionError",
    "approval_risks",
    "approve",
    "bulk_decide",
    "decide",
    "exclude",
    "hold",
    "return_to_enumerator",
    "transition",
]
