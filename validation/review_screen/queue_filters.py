"""Review queue filters whose choices come from the user's scope, not from scanning the queue.

Django's RelatedOnlyFieldListFilter and date_hierarchy each read the whole queue to list their
choices; at 100,000 interviews that is most of the page's time. Rounds, regions, districts,
teams and enumerators the user may see are small tables, so the choices are read from them.
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib import admin
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from surveys.models import Location, Round, Submission
from surveys.selectors import (
    UserLike,
    is_data_manager,
    supervised_teams,
    visible_enumerators,
)
from validation.models import Flag

QUEUE_COUNT_CAP = 1000


class QueuePaginator(Paginator):
    """Counts the queue up to QUEUE_COUNT_CAP + 1: nobody pages past a thousand interviews."""

    @cached_property
    def count(self) -> int:
        return int(self.object_list.order_by()[: QUEUE_COUNT_CAP + 1].count())  # type: ignore[attr-defined]

    def page(self, number: Any) -> Page:
        # The page's pks first, over a narrow (index-only) scan, then its 50 wide rows by pk:
        # sorting every waiting interview's full row for a top 50 reads the whole table.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = self.object_list
        ids = list(rows.values_list("pk", flat=True)[bottom : bottom + self.per_page])  # type: ignore[attr-defined]
        by_pk = {row.pk: row for row in rows.filter(pk__in=ids).order_by()}  # type: ignore[attr-defined]
        return Page([by_pk[pk] for pk in ids if pk in by_pk], number, self)


_RANK = {"blocker": 0, "major": 1, "minor": 2, "info": 3}


def attach_open_checks(rows: list[Submission]) -> None:
    """Set `open_checks` [(code, worst severity)] on each row: one query for the whole page."""
    found: dict[int, dict[str, str]] = defaultdict(dict)
    flags = (
        Flag.objects.open()
        .filter(submission_id__in=[row.pk for row in rows])
        .values_list("submission_id", "check_code", "severity")
        .order_by()
        .distinct()
    )
    for submission_id, code, severity in flags:
        seen = found[submission_id].get(code)
        if seen is None or _RANK.get(severity, 9) < _RANK.get(seen, 9):
            found[submission_id][code] = severity
    for row in rows:
        codes = found.get(row.pk, {})
        row.open_checks = sorted(  # type: ignore[attr-defined]
            codes.items(), key=lambda item: (_RANK.get(item[1], 9), item[0])
        )


class FieldworkWeekFilter(admin.SimpleListFilter):
    """Weeks counted from the round's first day of fieldwork (Django's counts from today)."""

    title = gettext_lazy("fieldwork week")
    parameter_name = "week"
    MAX_WEEKS = 20

    def _round(self, request: HttpRequest) -> Round | None:
        chosen = request.GET.get("round", "")
        rounds = Round.objects.order_by("-fieldwork_start", "-pk")
        if chosen.isdigit() and len(chosen) < 10:
            return rounds.filter(pk=int(chosen)).first()
        return rounds.first()

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        round_ = self._round(request)
        if round_ is None:
            return []
        today = timezone.localdate()
        last = min(round_.fieldwork_end or today, max(today, round_.fieldwork_start))
        weeks = (last - round_.fieldwork_start).days // 7 + 1
        choices = []
        for week in range(1, min(weeks, self.MAX_WEEKS) + 1):
            start = round_.fieldwork_start + dt.timedelta(days=7 * (week - 1))
            end = start + dt.timedelta(days=6)
            label = _("Week %(n)d: %(start)s – %(end)s") % {
                "n": week,
                "start": date_format(start, "j M"),
                "end": date_format(end, "j M"),
            }
            choices.append((start.isoformat(), label))
        return choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        try:
            start = dt.date.fromisoformat(self.value() or "")
        except ValueError:
            return queryset
        begin = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
        return queryset.filter(
            submission_time__gte=begin, submission_time__lt=begin + dt.timedelta(days=7)
        )


class _ScopedFilter(admin.SimpleListFilter):
    field = ""

    def choices_for(self, user: UserLike) -> list[tuple[str, str]]:
        raise NotImplementedError

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return self.choices_for(request.user)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(**{self.field: int(value)})
        return queryset


def _districts(user: UserLike) -> QuerySet[Location]:
    if is_data_manager(user):
        return Location.objects.districts()
    return Location.objects.filter(teams__supervisor_id=user.pk)


class RoundFilter(_ScopedFilter):
    title, parameter_name, field = gettext_lazy("round"), "round", "form__round_id"

    def choices_for(self, user: UserLike) -> list[tuple[str, str]]:
        return [(str(r.pk), str(r)) for r in Round.objects.order_by("country", "-number")[:20]]


class RegionFilter(_ScopedFilter):
    title, parameter_name, field = gettext_lazy("region or city"), "region", "location__parent_id"

    def choices_for(self, user: UserLike) -> list[tuple[str, str]]:
        parents = Location.objects.filter(pk__in=_districts(user).values("parent_id"))
        return [(str(loc.pk), loc.name_en) for loc in parents.order_by("name_en")]


class DistrictFilter(_ScopedFilter):
    title, parameter_name, field = gettext_lazy("district"), "district", "location_id"

    def choices_for(self, user: UserLike) -> list[tuple[str, str]]:
        rows = _districts(user).select_related("parent").order_by("parent__name_en", "name_en")
        return [
            (str(loc.pk), f"{loc.parent.name_en} – {loc.name_en}" if loc.parent else loc.name_en)
            for loc in rows.distinct()
        ]


class TeamFilter(_ScopedFilter):
    title, parameter_name, field = gettext_lazy("team"), "team", "enumerator__team_id"

    def choices_for(self, user: UserLike) -> list[tuple[str, str]]:
        return [(str(t.pk), t.name) for t in supervised_teams(user).order_by("name")]


class EnumeratorFilter(_ScopedFilter):
    title, parameter_name, field = gettext_lazy("enumerator"), "enumerator", "enumerator_id"

    def choices_for(self, user: UserLike) -> list[tuple[str, str]]:
        rows = visible_enumerators(user).order_by("kobo_username")
        return [(str(e.pk), str(e)) for e in rows]
