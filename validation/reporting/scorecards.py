"""Enumerator scorecards for the review screens, read from stored submissions and flags."""

from typing import Any

from surveys.models import KoboForm, Round
from surveys.selectors import UserLike, visible_submissions
from validation import quality
from validation.checks.base import Finding
from validation.checks.scorecard import enumerator_scorecard
from validation.models import Flag, Severity


def round_scorecards(user: UserLike, round_: Round) -> dict[str, dict[str, Any]]:
    """Per enumerator of the round the user may see, with the team median of each figure.

    Figures: interviews, per-day pace (productivity), median duration, "don't know"/refusal
    rate and open-flag rate by check family; "team_median" holds the same figures for the
    team. A supervisor's medians are over their own team only.
    """
    rows = (
        visible_submissions(user)
        .filter(form__round=round_, deleted_at__isnull=True)
        .select_related(None)
    )
    form = KoboForm.objects.filter(round=round_).order_by("pk").first()
    if form is None:
        return {}
    config = quality.effective_config(form)
    interviews = quality.load_interviews(rows, config.questions)
    findings = [
        Finding(code, submission_id, path, severity, "", {})
        for code, submission_id, path, severity in Flag.objects.filter(
            submission__in=rows.values("pk"), status=Flag.Status.OPEN
        )
        .exclude(severity=Severity.INFO)
        .values_list("check_code", "submission_id", "path", "severity")
    ]
    return enumerator_scorecard(interviews, findings, quality.build_context(round_, config))
