"""Dashboard pages inside the admin; every figure is computed over the user's scope."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext

from surveys.models import Round
from surveys.selectors import submission_rule, team_location_ids
from validation.dashboards import figures
from validation.dashboards.svg_map import map_panels
from validation.exports import writers
from validation.exports.jobs import export_header_and_rows
from validation.models import ExportJob
from validation.privacy import audit
from validation.quotas.progress import progress_totals, round_progress
from validation.reporting.downloads import summary_csv, summary_xlsx
from validation.reporting.page import DIMENSIONS, summary_page
from validation.reporting.scorecards import REFUSAL_SAMPLE, round_scorecards
from validation.reporting.summary import round_summary
from validation.selectors import export_scope, may_export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _context(request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
    if not may_export(request.user):
        raise PermissionDenied
    return {**admin.site.each_context(request), "title": title, **extra}


def index(request: HttpRequest) -> TemplateResponse:
    rounds = Round.objects.order_by("country", "-number")
    return TemplateResponse(
        request, "dashboards/index.html", _context(request, "Dashboards", rounds=rounds)
    )


def round_overview(request: HttpRequest, round_id: int) -> TemplateResponse:
    round_ = get_object_or_404(Round, pk=round_id)
    context = _context(request, gettext("%(round)s — overview") % {"round": round_}, round=round_)
    rows = figures.round_rows(export_scope(request.user), round_.pk)
    counts, per_day = figures.overview_and_days(rows)
    by_check = figures.flags_by_check(rows)
    context.update(
        overview=figures.with_open_flags(counts, by_check),
        per_day=per_day,
        flags_by_check=by_check,
        flags_by_enumerator=figures.flags_by_enumerator(rows),
        scorecards=round_scorecards(request.user, round_),
        refusal_sample=REFUSAL_SAMPLE,
        progress=(
            progress := round_progress(
                scope=submission_rule(request.user),  # _context checked may_export
                round_id=round_.pk,
                places=team_location_ids(request.user),
            )
        ),
        progress_totals=progress_totals(progress),
        progress_nested=any(p.nested for p in progress),
        progress_over=sum(1 for p in progress if p.over),
        progress_citizenship=any(p.citizenship for p in progress),
        progress_chart={
            "labels": [
                f"{p.location_name} ({', '.join(filter(None, (gettext(p.sex), p.citizenship)))})"
                for p in progress
            ],
            "counted": [min(p.counted, p.target) for p in progress],
            "remaining": [p.remaining for p in progress],
            "over": [p.over for p in progress],
        },
        chart_names={
            "interviews": gettext("Interviews"),
            "counted": gettext("Counted"),
            "remaining": gettext("Remaining"),
            "over": gettext("Over quota"),
        },
        map_panels=map_panels(figures.map_districts(rows), figures.map_points(rows, round_.pk)),
    )
    # Interviews no quota row holds (no sex or district answer, a place without a quota).
    context["unplaced"] = max(
        context["overview"]["total"] - context["progress_totals"]["collected"], 0
    )
    return TemplateResponse(request, "dashboards/round.html", context)


def summary(request: HttpRequest, round_id: int) -> HttpResponse:
    """Every indicator of the round, broken down by ?by=sex|city|citizenship; CSV or XLSX."""
    round_ = get_object_or_404(Round, pk=round_id)
    context = _context(request, f"{round_} — summary", round=round_)
    figures_ = round_summary(scope=export_scope(request.user), round_id=round_.pk)
    lang = (translation.get_language() or "en").split("-")[0]
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        audit.record_export(
            request=request, kind="summary", channel="dashboard", round_id=round_.pk, fmt=fmt
        )
        name = f"summary_{slugify(str(round_))}.{fmt}"
        if fmt == "csv":
            response = HttpResponse(
                summary_csv(figures_, lang), content_type="text/csv; charset=utf-8"
            )
        else:
            response = HttpResponse(summary_xlsx(figures_, lang), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    by = request.GET.get("by", "sex")
    by = by if by in DIMENSIONS else "sex"
    context.update(s=figures_, **summary_page(figures_, by=by, lang=lang))
    return TemplateResponse(request, "dashboards/summary.html", context)


def stream_export(request: HttpRequest, round_id: int, kind: str) -> StreamingHttpResponse:
    """CSV streamed row by row: nothing is held in memory, whatever the round's size."""
    round_ = get_object_or_404(Round, pk=round_id)
    _context(request, "export")
    if kind not in ExportJob.Kind.values:
        raise PermissionDenied
    header, rows, _ = export_header_and_rows(user=request.user, kind=kind, round_id=round_.pk)
    audit.record_export(request=request, kind=kind, channel="dashboard", round_id=round_.pk)
    response = StreamingHttpResponse(
        writers.csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{kind}_R{round_.number}.csv"'
    return response
