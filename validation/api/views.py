"""Viewsets of the validation API: flags, the review log and decisions on interviews."""

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from mtm.api import ModelPermissions
from surveys.api.views import SubmissionViewSet
from surveys.models import Quota, Round, Submission
from surveys.selectors import submission_rule
from validation import review, selectors
from validation.api import filters, serializers
from validation.exports import jobs
from validation.models import ExportJob, Flag, ReviewEvent
from validation.privacy import audit
from validation.quotas.progress import round_progress
from validation.review_screen.screen import find_interview


class MaskedSubmissionViewSet(SubmissionViewSet):
    """surveys' submissions, with personal answers masked in the detail and each detail logged."""

    def get_serializer_class(self) -> type[BaseSerializer[Submission]]:
        if self.action == "retrieve":
            return serializers.MaskedSubmissionDetailSerializer
        return super().get_serializer_class()

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        submission = self.get_object()
        response = Response(self.get_serializer(submission).data)
        audit.record_view(request=request, submission=submission, channel="api")
        return response


class FlagViewSet(viewsets.ReadOnlyModelViewSet[Flag]):
    permission_classes = (ModelPermissions,)
    serializer_class = serializers.FlagSerializer
    filterset_class = filters.FlagFilter

    def get_queryset(self) -> QuerySet[Flag]:
        return (
            selectors.visible_flags(self.request.user)
            .select_related("submission")
            .defer("submission__data", "values", "expression")
            .order_by("-last_seen_at", "pk")
        )


class ReviewDecisionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[ReviewEvent],
):
    """The review log; POST records a supervisor's decision on an interview in their scope."""

    permission_classes = (ModelPermissions,)
    serializer_class = serializers.ReviewEventSerializer
    filterset_class = filters.ReviewEventFilter

    def get_queryset(self) -> QuerySet[ReviewEvent]:
        return (
            selectors.visible_review_events(self.request.user)
            .select_related("actor", "submission")
            .defer("submission__data")
            .order_by("-at", "-pk")
        )

    def get_permissions(self) -> Sequence[Any]:
        # Deciding is governed by the review-queue permission (checked in the selector),
        # not by "add review event", which nobody holds: the log is written by the service.
        if self.action == "create":
            return [IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(
        request=serializers.DecisionInputSerializer,
        responses={201: serializers.ReviewEventSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = serializers.DecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        choice = data.validated_data
        found = find_interview(
            selectors.decidable_submissions(request.user), choice["interview"], choice["form"]
        )
        if found.choices:
            raise review.DecisionInputError(
                f"KoBo ID {choice['interview']} names interviews of several forms: "
                f"send `form` too ({', '.join(str(s.form_id) for s in found.choices)})."
            )
        if found.submission is None:
            raise Http404("No such interview in your scope.")
        event = review.decide(
            submission=found.submission,
            actor=request.user,  # type: ignore[arg-type]
            action=choice["decision"],
            comment=choice["comment"],
            reason=choice["reason"],
            questions=choice["questions"],
            confirmed=choice["confirm"],
        ).event
        return Response(serializers.ReviewEventSerializer(event).data, status.HTTP_201_CREATED)


class ExportJobViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[ExportJob],
):
    """Background exports: POST queues one; GET shows its progress; download when done."""

    permission_classes = (IsAuthenticated,)
    serializer_class = serializers.ExportJobSerializer
    filterset_fields = ("kind", "status", "round")

    def get_queryset(self) -> QuerySet[ExportJob]:
        return selectors.visible_export_jobs(self.request.user).order_by("-created_at")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = serializers.ExportJobSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = jobs.request_export(
            user=request.user,
            kind=data.validated_data["kind"],
            round_id=data.validated_data["round"].pk,
            fmt=data.validated_data.get("format", ExportJob.Format.CSV),
        )
        job.refresh_from_db()
        return Response(serializers.ExportJobSerializer(job).data, status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        job = self.get_object()
        path = jobs.export_path(job)
        if job.status != ExportJob.Status.DONE or not path.is_file():
            raise Http404("The export is not ready.")
        audit.record_export(
            request=request,
            kind=job.kind,
            channel="api",
            round_id=job.round_id,
            fmt=job.format,
            object_type="validation.exportjob",
            object_id=str(job.pk),
            object_repr=job.file_name,
        )
        return FileResponse(path.open("rb"), as_attachment=True, filename=job.file_name)


class QuotaProgressViewSet(viewsets.ViewSet):
    """Quotas of a round with progress (?round=<id>), counted over the interviews you may see."""

    permission_classes = (ModelPermissions,)
    queryset = Quota.objects.none()  # for the permission check: reading needs view_quota

    @extend_schema(
        parameters=[serializers.QuotaProgressQuerySerializer],
        responses=serializers.QuotaProgressSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        query = serializers.QuotaProgressQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        round_ = get_object_or_404(Round, pk=query.validated_data["round"])
        rows = round_progress(scope=submission_rule(request.user), round_id=round_.pk)
        return Response(serializers.QuotaProgressSerializer(rows, many=True).data)
