"""Team progress for the supervisor's home page: quota strata of their teams' locations."""

from dataclasses import dataclass

from surveys.models import Round
from surveys.selectors import (
    UserLike,
    is_data_manager,
    is_supervisor,
    submission_rule,
    team_location_ids,
)
from validation.quotas.progress import (
    StratumProgress,
    progress_totals,
    round_progress,
)


@dataclass(frozen=True)
class RoundProgress:
    round: Round
    strata: list[StratumProgress]

    @property
    def totals(self) -> dict[str, int]:
        """Over the quotas no other quota shown contains: a city and its districts count once."""
        return progress_totals(self.strata)

    @property
    def has_nested(self) -> bool:
        return any(s.nested for s in self.strata)


def team_progress(user: UserLike) -> list[RoundProgress]:
    """Rounds in fieldwork (else the latest), per quota, over the user's scope.

    A supervisor sees the quotas of their teams' locations and of the locations above and
    below them (a city quota their districts count toward), counted over their teams'
    interviews; a data manager sees every quota.
    """
    manager = is_data_manager(user)
    if not manager and not is_supervisor(user):
        return []
    rounds = list(Round.objects.filter(status=Round.Status.FIELDWORK).order_by("-number")[:3])
    if not rounds:
        rounds = list(Round.objects.order_by("-fieldwork_start", "-number")[:1])
    scope, places = submission_rule(user), team_location_ids(user)  # counters on PostgreSQL
    out = []
    for round_ in rounds:
        strata = round_progress(scope=scope, round_id=round_.pk, places=places)
        if strata:
            out.append(RoundProgress(round_, strata))
    return out
