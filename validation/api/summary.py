"""GET /api/v1/rounds/<id>/summary/: the round summary as data, over the interviews you may see."""

from dataclasses import asdict
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from surveys.models import Round
from validation.privacy import audit
from validation.reporting.summary import round_summary
from validation.selectors import export_scope, may_export


class RoundSummaryView(APIView):
    """Every indicator with its base, categories, breakdowns and the published R3 figure.

    Same audience as the exports (supervisors over their team, data managers over all).
    """

    permission_classes = (IsAuthenticated,)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, round_id: int) -> Response:
        if not may_export(request.user):
            raise PermissionDenied("Only supervisors and data managers may read summaries.")
        round_ = get_object_or_404(Round, pk=round_id)
        summary = round_summary(scope=export_scope(request.user), round_id=round_.pk)
        audit.record_export(
            request=request, kind="summary", channel="api", round_id=round_.pk, fmt="json"
        )
        body: dict[str, Any] = asdict(summary)
        body["round"] = str(round_)
        return Response(body)
