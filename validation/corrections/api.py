"""Correction tasks over the API for a mobile client (token auth): list, task, "fixed", trend."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from validation.corrections import selectors, services
from validation.corrections.items import pick_label, reason
from validation.models import CorrectionTask


class ItemSerializer(serializers.Serializer[dict[str, Any]]):
    path = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    answer = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    passing = serializers.BooleanField()


class CorrectionTaskSerializer(serializers.ModelSerializer[CorrectionTask]):
    interview = serializers.IntegerField(source="submission.kobo_id", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    items = serializers.SerializerMethodField()

    class Meta:
        model = CorrectionTask
        fields = (
            "id",
            "interview",
            "state",
            "state_label",
            "due_at",
            "comment",
            "edit_url",
            "items",
            "attempts",
            "opened_at",
            "closed_at",
        )
        read_only_fields = fields

    @extend_schema(responses=ItemSerializer(many=True))  # type: ignore[misc]
    def get_items(self, task: CorrectionTask) -> list[dict[str, Any]]:
        request = self.context.get("request")
        language = getattr(request, "LANGUAGE_CODE", "en")
        return [
            {
                "path": item["path"],
                "label": pick_label(item["labels"], language),
                "answer": item.get("answer", ""),
                "reasons": [reason(flag) for flag in item["flags"]],
                "passing": bool(item.get("passing")),
            }
            for item in task.items
        ]


class TrendSerializer(serializers.Serializer[Any]):
    week = serializers.DateField()
    interviews = serializers.IntegerField()
    flagged_pct = serializers.FloatField(allow_null=True)
    team_interviews = serializers.IntegerField()
    team_flagged_pct = serializers.FloatField(allow_null=True)


class CorrectionTaskViewSet(viewsets.ReadOnlyModelViewSet[CorrectionTask]):
    """An enumerator's own tasks (supervisors: their teams'); anyone else's task is a 404."""

    serializer_class = CorrectionTaskSerializer
    filterset_fields = ("state",)
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[CorrectionTask]:
        return selectors.visible_tasks(self.request.user)

    @extend_schema(request=None, responses=CorrectionTaskSerializer)
    @action(detail=True, methods=["post"])
    def fixed(self, request: Request, pk: str | None = None) -> Response:
        """The enumerator has fixed the interview in KoBo (only the task's own enumerator)."""
        task = selectors.own_tasks(request.user).filter(pk=int(pk or 0)).first()
        if task is None:
            raise Http404
        services.mark_fixed(task=task, actor=request.user)  # type: ignore[arg-type]
        return Response(self.get_serializer(task).data)

    @extend_schema(responses=TrendSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def trend(self, request: Request) -> Response:
        """The requesting enumerator's weekly flagged share against their team."""
        enumerator = selectors.enumerator_of(request.user)
        if enumerator is None:
            raise Http404
        weeks = selectors.quality_trend(enumerator=enumerator)
        return Response(TrendSerializer(weeks, many=True).data)
