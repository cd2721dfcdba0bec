"""Filters shared by the API's FilterSets: every value is checked before it reaches the database.

A value the database cannot hold (an id past bigint, a year past 9999, an odd UTC offset) is
a 400 naming the parameter, never a 500 or a silently empty page.
"""

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection, models
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend

BIGINT_MAX = 9_223_372_036_854_775_807
# Bounds of the date parts a lookup may name (submission_time__year=…): Python's datetime
# stops at year 9999, and PostgreSQL refuses a month 13 rather than matching nothing.
_PART_BOUNDS = {
    "year": (1, 9999),
    "iso_year": (1, 9999),
    "quarter": (1, 4),
    "month": (1, 12),
    "week": (1, 53),
    "day": (1, 31),
    "week_day": (1, 7),
    "iso_week_day": (1, 7),
    "hour": (0, 23),
    "minute": (0, 59),
    "second": (0, 59),
}


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, read in UTC.

    Python accepts offsets up to ±24 h but PostgreSQL only up to ±15:59, so an odd offset
    (+16:25) sent as is made a 500; in UTC it is an ordinary instant, or a 400 if out of range.
    """

    def to_python(self, value: Any) -> dt.datetime | None:
        parsed: dt.datetime | None = super().to_python(value)
        if parsed is None or parsed.tzinfo is None:
            return parsed
        try:
            return parsed.astimezone(dt.UTC)
        except OverflowError:
            raise ValidationError("Date and time out of range.", code="invalid") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class BoundedIntegerField(forms.IntegerField):
    """A whole number within [min_value, max_value], with one message naming both bounds."""

    def __init__(self, *, min_value: int, max_value: int, **kwargs: Any) -> None:
        message = f"Enter a whole number from {min_value} to {max_value}."
        kwargs["error_messages"] = {
            "invalid": message,
            "min_value": message,
            "max_value": message,
            **kwargs.get("error_messages", {}),
        }
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


class IntegerFilter(django_filters.NumberFilter):
    """A whole number the column can hold (NumberFilter takes decimals and any size)."""

    field_class = BoundedIntegerField

    def __init__(
        self,
        *args: Any,
        min_value: int = -BIGINT_MAX - 1,
        max_value: int = BIGINT_MAX,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, min_value=min_value, max_value=max_value, **kwargs)


class IdFilter(IntegerFilter):
    """A row id: a positive bigint."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, min_value=1, max_value=BIGINT_MAX, **kwargs)


def _integer_bounds(field: models.Field[Any, Any], lookup_expr: str) -> tuple[int, int] | None:
    """The values an integer filter on this field and lookup may take; None: not an integer."""
    part = lookup_expr.split("__", 1)[0]
    if part in _PART_BOUNDS and isinstance(field, models.DateField | models.TimeField):
        return _PART_BOUNDS[part]
    if not isinstance(field, models.IntegerField | models.AutoField):
        return None
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    return (
        -BIGINT_MAX - 1 if low is None else int(low),
        BIGINT_MAX if high is None else int(high),
    )


class StrictFilterSet(django_filters.FilterSet):
    """A FilterSet whose generated integer filters accept only what their column can hold."""

    @classmethod
    def filter_for_field(
        cls, field: models.Field[Any, Any], field_name: str, lookup_expr: str | None = None
    ) -> django_filters.Filter:
        generated = super().filter_for_field(field, field_name, lookup_expr)
        bounds = _integer_bounds(field, lookup_expr or "exact")
        if bounds is None or type(generated) is not django_filters.NumberFilter:
            return generated
        return IntegerFilter(
            field_name=field_name,
            lookup_expr=generated.lookup_expr,
            min_value=bounds[0],
            max_value=bounds[1],
        )


class FilterBackend(DjangoFilterBackend):
    """DRF's django-filter backend, with FilterSets generated from filterset_fields strict too."""

    filterset_base = StrictFilterSet
