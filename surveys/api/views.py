"""Read-only viewsets of the surveys API; rows come from the same selectors as the admin."""

from django.db.models import QuerySet
from rest_framework import viewsets
from rest_framework.serializers import BaseSerializer

from mtm.api import ModelPermissions
from surveys import selectors
from surveys.api import filters, serializers
from surveys.models import Enumerator, Location, Quota, Round, Submission, SyncRun, Team


class RoundViewSet(viewsets.ReadOnlyModelViewSet[Round]):
    permission_classes = (ModelPermissions,)
    serializer_class = serializers.RoundSerializer
    filterset_fields = ("country", "status")

    def get_queryset(self) -> QuerySet[Round]:
        return Round.objects.order_by("country", "-number")


class LocationViewSet(viewsets.ReadOnlyModelViewSet[Location]):
    permission_classes = (ModelPermissions,)
    serializer_class = serializers.LocationSerializer
    filterset_class = filters.LocationFilter

    def get_queryset(self) -> QuerySet[Location]:
        return Location.objects.order_by("code")


class QuotaViewSet(viewsets.ReadOnlyModelViewSet[Quota]):
    permission_classes = (ModelPermissions,)
    serializer_class = serializers.QuotaSerializer
    filterset_class = filters.QuotaFilter

    def get_queryset(self) -> QuerySet[Quota]:
        return Quota.objects.select_related("location").order_by("round", "location__code", "sex")


class TeamViewSet(viewsets.ReadOnlyModelViewSet[Team]):
    permission_classes = (ModelPermissions,)
    serializer_class = serializers.TeamSerializer
    filterset_fields = ("supervisor",)

    def get_queryset(self) -> QuerySet[Team]:
        return (
            selectors.supervised_teams(self.request.user)
            .select_related("supervisor")
            .prefetch_related("locations")
            .order_by("name")
        )


class EnumeratorViewSet(viewsets.ReadOnlyModelViewSet[Enumerator]):
    permission_classes = (ModelPermissions,)
    serializer_class = serializers.EnumeratorSerializer
    filterset_class = filters.EnumeratorFilter

    def get_queryset(self) -> QuerySet[Enumerator]:
        return selectors.visible_enumerators(self.request.user).order_by("kobo_username")


class SubmissionViewSet(viewsets.ReadOnlyModelViewSet[Submission]):
    permission_classes = (ModelPermissions,)
    filterset_class = filters.SubmissionFilter

    def get_queryset(self) -> QuerySet[Submission]:
        rows = selectors.visible_submissions(self.request.user).select_related(
            "form", "enumerator", "location"
        )
        if self.action == "list":
            rows = rows.defer("data")  # the answers are large; the list does not show them
        return rows.order_by("-submission_time", "pk")

    def get_serializer_class(self) -> type[BaseSerializer[Submission]]:
        if self.action == "retrieve":
            return serializers.SubmissionDetailSerializer
        return serializers.SubmissionSerializer


class SyncRunViewSet(viewsets.ReadOnlyModelViewSet[SyncRun]):
    permission_classes = (ModelPermissions,)
    serializer_class = serializers.SyncRunSerializer
    filterset_class = filters.SyncRunFilter

    def get_queryset(self) -> QuerySet[SyncRun]:
        return SyncRun.objects.order_by("-started_at", "pk")
