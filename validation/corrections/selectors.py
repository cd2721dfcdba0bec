"""Role-scoped reads of correction tasks, and an enumerator's quality trend against the team."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import TruncWeek
from django.utils import timezone

from surveys.models import Enumerator, Submission
from surveys.selectors import UserLike, is_data_manager, is_supervisor
from validation.models import ACTIVE_STATES, CorrectionTask, Flag, Severity


def _ordered(tasks: QuerySet[CorrectionTask]) -> QuerySet[CorrectionTask]:
    """Live tasks first, soonest due first; closed ones after, latest first."""
    # The answers stay behind: a task carries the few it needs in its items.
    tasks = tasks.select_related("submission__form__server", "enumerator").defer("submission__data")
    return tasks.annotate(
        closed=Case(
            When(state__in=ACTIVE_STATES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("closed", "due_at", "pk")


def own_tasks(user: UserLike) -> QuerySet[CorrectionTask]:
    """The enumerator's own tasks (their pages and "fixed" button); nobody else's."""
    if not user.is_authenticated:
        return CorrectionTask.objects.none()
    return _ordered(CorrectionTask.objects.filter(enumerator__user_id=user.pk))


def visible_tasks(user: UserLike) -> QuerySet[CorrectionTask]:
    """Data managers all; supervisors their teams'; enumerators their own; others none."""
    if is_data_manager(user):
        tasks = CorrectionTask.objects.all()
    elif is_supervisor(user):
        tasks = CorrectionTask.objects.filter(
            Q(enumerator__team__supervisor_id=user.pk) | Q(supervisor_id=user.pk)
        )
    else:
        return own_tasks(user)
    return _ordered(tasks)


def enumerator_of(user: UserLike) -> Enumerator | None:
    if not user.is_authenticated:
        return None
    return Enumerator.objects.filter(user_id=user.pk).select_related("team").first()


@dataclass(frozen=True)
class TrendWeek:
    week: dt.date
    interviews: int
    flagged_pct: float | None
    team_interviews: int
    team_flagged_pct: float | None


def _weekly(rows: QuerySet[Submission]) -> dict[dt.date, tuple[int, int]]:
    flagged = Flag.objects.filter(submission=OuterRef("pk")).exclude(severity=Severity.INFO)
    counts = (
        rows.annotate(week=TruncWeek("submission_time"), has_flag=Exists(flagged))
        .values("week")
        .annotate(total=Count("pk"), flagged=Count("pk", filter=Q(has_flag=True)))
        .values_list("week", "total", "flagged")
    )
    return {_as_date(week): (total, bad) for week, total, bad in counts}


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return timezone.localtime(value).date() if isinstance(value, dt.datetime) else value


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def quality_trend(
    *, enumerator: Enumerator, weeks: int = 6, now: dt.datetime | None = None
) -> list[TrendWeek]:
    """Per week: share of the enumerator's interviews with a (non-info) flag, and the team's.

    Flags raised at any time count, fixed or not: the trend is about first-time quality.
    """
    now = now or timezone.now()
    since = now - dt.timedelta(weeks=weeks)
    base = Submission.objects.active().filter(submission_time__gte=since)
    own = _weekly(base.filter(enumerator=enumerator))
    team = (
        _weekly(base.filter(enumerator__team_id=enumerator.team_id)) if enumerator.team_id else {}
    )
    return [
        TrendWeek(
            week=week,
            interviews=own.get(week, (0, 0))[0],
            flagged_pct=_pct(own.get(week, (0, 0))[1], own.get(week, (0, 0))[0]),
            team_interviews=team.get(week, (0, 0))[0],
            team_flagged_pct=_pct(team.get(week, (0, 0))[1], team.get(week, (0, 0))[0]),
        )
        for week in sorted(set(own) | set(team))
    ]
