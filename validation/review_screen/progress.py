"""Team progress for the supervisor's home page: quota strata of their teams' locations."""

from dataclasses import dataclass

from surveys.models import Location, Round
from surveys.selectors import UserLike, is_data_manager, is_supervisor, visible_submissions
from validation.quota_progress import StratumProgress, round_progress


@dataclass(frozen=True)
class RoundProgress:
    round: Round
    strata: list[StratumProgress]

    @property
    def totals(self) -> dict[str, int]:
        keys = ("target", "collected", "eligible", "approved", "pending", "remaining")
        return {k: sum(getattr(s, k) for s in self.strata) for k in keys}


def team_progress(user: UserLike) -> list[RoundProgress]:
    """Rounds in fieldwork (else the latest), per district and sex, over the user's scope.

    A supervisor sees the strata of their teams' locations, counted over their teams'
    interviews; a data manager sees every stratum.
    """
    manager = is_data_manager(user)
    if not manager and not is_supervisor(user):
        return []
    rounds = list(Round.objects.filter(status=Round.Status.FIELDWORK).order_by("-number")[:3])
    if not rounds:
        rounds = list(Round.objects.order_by("-fieldwork_start", "-number")[:1])
    allowed: set[int] | None = None
    if not manager:
        allowed = set(
            Location.objects.filter(teams__supervisor_id=user.pk).values_list("pk", flat=True)
        )
    scope = visible_submissions(user)
    out = []
    for round_ in rounds:
        strata = round_progress(scope=scope, round_id=round_.pk)
        if allowed is not None:
            strata = [s for s in strata if s.location_id in allowed]
        if strata:
            out.append(RoundProgress(round_, strata))
    return out
