"""django-filter FilterSets of the validation API."""

import django_filters

from mtm.api_filters import IdFilter, StrictFilterSet, UtcIsoDateTimeFilter
from validation.models import Flag, ReviewEvent


class FlagFilter(StrictFilterSet):
    round = IdFilter(field_name="submission__form__round")
    enumerator = IdFilter(field_name="submission__enumerator")
    check_family = django_filters.CharFilter(field_name="check_code", lookup_expr="startswith")
    interview = IdFilter(field_name="submission__kobo_id", help_text="The interview's KoBo ID")

    class Meta:
        model = Flag
        fields = {
            "submission": ["exact"],
            "check_code": ["exact"],
            "severity": ["exact"],
            "status": ["exact"],
        }


class ReviewEventFilter(StrictFilterSet):
    round = IdFilter(field_name="submission__form__round")
    after = UtcIsoDateTimeFilter(field_name="at", lookup_expr="gte")
    before = UtcIsoDateTimeFilter(field_name="at", lookup_expr="lt")
    interview = IdFilter(field_name="submission__kobo_id", help_text="The interview's KoBo ID")

    class Meta:
        model = ReviewEvent
        fields = {"submission": ["exact"], "actor": ["exact"], "to_status": ["exact"]}
