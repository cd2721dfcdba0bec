"""django-filter FilterSets of the surveys API."""

import django_filters

from mtm.api_filters import UtcIsoDateTimeFilter
from surveys.models import Enumerator, Location, Quota, Submission, SyncRun


class LocationFilter(django_filters.FilterSet):
    class Meta:
        model = Location
        fields = {"kind": ["exact"], "parent": ["exact"], "code": ["exact"], "is_active": ["exact"]}


class QuotaFilter(django_filters.FilterSet):
    class Meta:
        model = Quota
        fields = {"round": ["exact"], "location": ["exact"], "sex": ["exact"]}


class EnumeratorFilter(django_filters.FilterSet):
    class Meta:
        model = Enumerator
        fields = {"team": ["exact"], "is_active": ["exact"], "sex": ["exact"]}


class SubmissionFilter(django_filters.FilterSet):
    round = django_filters.NumberFilter(field_name="form__round")
    team = django_filters.NumberFilter(field_name="enumerator__team")
    submitted_after = UtcIsoDateTimeFilter(field_name="submission_time", lookup_expr="gte")
    submitted_before = UtcIsoDateTimeFilter(field_name="submission_time", lookup_expr="lt")
    deleted = django_filters.BooleanFilter(
        field_name="deleted_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Submission
        fields = {
            "form": ["exact"],
            "enumerator": ["exact"],
            "location": ["exact"],
            "review_status": ["exact"],
            "changed_since_review": ["exact"],
            "kobo_id": ["exact"],
        }


class SyncRunFilter(django_filters.FilterSet):
    class Meta:
        model = SyncRun
        fields = {"form": ["exact"], "status": ["exact"], "full": ["exact"]}
