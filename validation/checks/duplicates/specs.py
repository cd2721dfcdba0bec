"""The duplicate checks' codes and their specs (severities, the respondent match's parameters)."""

from validation.checks.base import SEVERITIES, CheckSpec, Param

SAME_ROOT = "duplicate.same_root_uuid"
SAME_INSTANCE = "duplicate.same_instance"
RESPONDENT = "duplicate.respondent"

SPECS = {
    SAME_ROOT: CheckSpec(SAME_ROOT, "blocker"),
    SAME_INSTANCE: CheckSpec(SAME_INSTANCE, "blocker"),
    RESPONDENT: CheckSpec(
        RESPONDENT,
        "major",  # severity of the later interview of a pair: the one to exclude if confirmed
        {
            # The score is the posterior probability of "same person". A repeat respondent breaks
            # an inclusion criterion and inflates a quota, while a false flag costs a supervisor a
            # look: flag from 40%. bench/checks.py (100,000 interviews, seeds 7-9): recall
            # 0.952-0.956 at precision 0.903-0.912; at 0.5, 0.949-0.951 at 0.920-0.925.
            "min_score": Param(0.4, maximum=1.0),
            "earlier_severity": Param("minor", choices=SEVERITIES),
            "age_tolerance": Param(1, maximum=10),
            "arrival_tolerance_days": Param(7, maximum=366),
        },
    ),
}
