"""The baseline page: BMA counts, quotas and interviews side by side per stratum."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from surveys.models import Round
from surveys.selectors import submission_rule
from validation.dashboards.baseline_table import baseline_table
from validation.dashboards.views import _context


def baseline(request: HttpRequest, round_id: int) -> TemplateResponse:
    round_ = get_object_or_404(Round, pk=round_id)
    context = _context(
        request, _("%(round)s — baseline and sample") % {"round": round_}, round=round_
    )
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    context["table"] = baseline_table(round_=round_, scope=submission_rule(request.user), year=year)
    return TemplateResponse(request, "dashboards/baseline.html", context)
