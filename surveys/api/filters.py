"""django-filter FilterSets of the surveys API."""

import django_filters

from mtm.api_filters import IdFilter, StrictFilterSet, UtcIsoDateTimeFilter
from surveys.models import Enumerator, Location, Quota, Submission, SyncRun


class LocationFilter(StrictFilterSet):
    class Meta:
        model = Location
        fields = {"kind": ["exact"], "parent": ["exact"], "code": ["exact"], "is_active": ["exact"]}


class QuotaFilter(StrictFilterSet):
    class Meta:
        model = Quota
        fields = {"round": ["exact"], "location": ["exact"], "sex": ["exact"]}


class EnumeratorFilter(StrictFilterSet):
    class Meta:
        model = Enumerator
        fields = {"team": ["exact"], "is_active": ["exact"], "sex": ["exact"]}


class SubmissionFilter(StrictFilterSet):
    round = IdFilter(field_name="form__round")
    team = IdFilter(field_name="enumerator__team")
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


class SyncRunFilter(StrictFilterSet):
    class Meta:
        model = SyncRun
        fields = {"form": ["exact"], "status": ["exact"], "full": ["exact"]}
