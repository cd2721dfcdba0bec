"""Supervisor review: decisions on interviews (``decisions``) over the status machine.

The package's public names, so callers write ``review.approve(...)``, ``review.transition(...)``.
"""

from validation.flags.status import (
    ALLOWED,
    DECISIONS,
    DecisionInputError,
    IllegalTransitionError,
    transition,
)
from validation.review.decisions import (
    BulkReport,
    approve,
    bulk_decide,
    exclude,
    hold,
    return_to_enumerator,
)

__all__ = [
    "ALLOWED",
    "DECISIONS",
    "BulkReport",
    "DecisionInputError",
    "IllegalTransitionError",
    "approve",
    "bulk_decide",
    "exclude",
    "hold",
    "return_to_enumerator",
    "transition",
]
