"""Review queue filters whose choices come from the user's scope, not from scanning the queue.

Django's RelatedOnlyFieldListFilter and date_hierarchy each read the whole queue to list their
choices; at 100,000 interviews that is most of the page's time. Rounds, regions, districts,
teams and enumerators the user may see are small tables, so the choices are read from them.
"""

from typing import Any

from django.contrib import admin
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

from surveys.models import Location, Round
from surveys.selectors import (
    UserLike,
    is_data_manager,
    supervised_teams,
    visible_enumerators,
)

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
    title, parameter_name, field = "round", "round", "form__round_id"

    def choices_for(self, user: UserLike) -> list[tuple[str, str]]:
        return [(str(r.pk), str(r)) for r in Round.objects.order_by("country", "-number")[:20]]


class RegionFilter(_ScopedFilter):
    title, parameter_name, field = "region or city", "region", "location__parent_id"

    def choices_for(self, user: UserLike) -> list[tuple[str, str]]:
        parents = Location.objects.filter(pk__in=_districts(user).values("parent_id"))
        return [(str(loc.pk), loc.name_en) for loc in parents.order_by("name_en")]


class DistrictFilter(_ScopedFilter):
    title, parameter_name, field = "district", "district", "location_id"

    def choices_for(self, user: UserLike) -> list[tuple[str, str]]:
        rows = _districts(user).select_related("parent").order_by("parent__name_en", "name_en")
        return [
            (str(loc.pk), f"{loc.parent.name_en} – {loc.name_en}" if loc.parent else loc.name_en)
            for loc in rows.distinct()
        ]


class TeamFilter(_ScopedFilter):
    title, parameter_name, field = "team", "team", "enumerator__team_id"

    def choices_for(self, user: UserLike) -> list[tuple[str, str]]:
        return [(str(t.pk), t.name) for t in supervised_teams(user).order_by("name")]


class EnumeratorFilter(_ScopedFilter):
    title, parameter_name, field = "enumerator", "enumerator", "enumerator_id"

    def choices_for(self, user: UserLike) -> list[tuple[str, str]]:
        rows = visible_enumerators(user).order_by("kobo_username")
        return [(str(e.pk), str(e)) for e in rows]
