"""Role-scoped reads: who may see which submissions, teams and enumerators (written once here)."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from surveys.models import Enumerator, Location, Submission, Team
from surveys.roles import DATA_MANAGER, SUPERVISOR

UserLike = AbstractBaseUser | AnonymousUser


def _in_group(user: UserLike, name: str) -> bool:
    groups = getattr(user, "groups", None)
    if not user.is_authenticated or groups is None:
        return False
    # One query per request, not one per check: an admin page asks a dozen times.
    names: frozenset[str] | None = getattr(user, "_mtm_group_names", None)
    if names is None:
        names = frozenset(groups.values_list("name", flat=True))
        setattr(user, "_mtm_group_names", names)  # noqa: B010 - a per-request cache
    return name in names


def is_data_manager(user: UserLike) -> bool:
    return bool(getattr(user, "is_superuser", False)) or _in_group(user, DATA_MANAGER)


def is_supervisor(user: UserLike) -> bool:
    return _in_group(user, SUPERVISOR)


def supervised_teams(user: UserLike) -> QuerySet[Team]:
    if is_data_manager(user):
        return Team.objects.all()
    if not user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(supervisor_id=user.pk)


def visible_enumerators(user: UserLike) -> QuerySet[Enumerator]:
    if is_data_manager(user):
        return Enumerator.objects.all()
    if is_supervisor(user):
        return Enumerator.objects.filter(team__supervisor_id=user.pk)
    if user.is_authenticated:
        return Enumerator.objects.filter(user_id=user.pk)
    return Enumerator.objects.none()


NOBODY = Q(pk__in=[])


def submission_rule(user: UserLike) -> Q:
    """Data managers see all; supervisors their team's; enumerators their own; others none.

    A condition on an interview's enumerator and location only, so that the progress counters
    (validation.ProgressCount), which share those fields, apply the same rule.
    """
    if is_data_manager(user):
        return Q()
    if is_supervisor(user):
        # A subquery, not a join, so no DISTINCT is needed on a 100,000-row queue.
        team_locations = Location.objects.filter(teams__supervisor_id=user.pk).values("pk")
        return Q(enumerator__team__supervisor_id=user.pk) | Q(
            enumerator__isnull=True, location__in=team_locations
        )
    if user.is_authenticated:
        return Q(enumerator__user_id=user.pk)
    return NOBODY


def visible_submissions(user: UserLike) -> QuerySet[Submission]:
    """The interviews of submission_rule."""
    rule = submission_rule(user)
    return Submission.objects.none() if rule is NOBODY else Submission.objects.filter(rule)


def team_location_ids(user: UserLike) -> set[int] | None:
    """Locations of the user's teams; None means every location (data managers)."""
    if is_data_manager(user):
        return None
    if is_supervisor(user):
        return set(
            Location.objects.filter(teams__supervisor_id=user.pk).values_list("pk", flat=True)
        )
    if user.is_authenticated:
        return set(
            Location.objects.filter(teams__enumerators__user_id=user.pk).values_list(
                "pk", flat=True
            )
        )
    return set()
