"""Admin for inclusion criteria: the editable rows and the "Apply a published set" page."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from surveys.models import Round
from validation.flags.criteria_presets import PRESETS, apply_preset
from validation.models import InclusionCriterion


class ApplyPresetForm(forms.Form):
    round = forms.ModelChoiceField(queryset=Round.objects.order_by("country", "-number"))
    preset = forms.ChoiceField(choices=[(name, name) for name in PRESETS])


@admin.register(InclusionCriterion)
class InclusionCriterionAdmin(admin.ModelAdmin[InclusionCriterion]):
    list_display = (
        "round",
        "order",
        "code",
        "kind",
        "label",
        "question",
        "operator",
        "value",
        "is_active",
        "preset",
    )
    list_display_links = ("code",)
    list_filter = ("round", "is_active", "kind", "preset", "operator")
    search_fields = ("code", "label", "question", "source")
    list_select_related = ("round",)
    fields = (
        "round",
        "code",
        "kind",
        "variable",
        "label",
        "question",
        "operator",
        "value",
        "expression",
        "message",
        "source",
        "preset",
        "is_active",
        "order",
    )

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.apply_preset_view)
        return [
            path("apply-preset/", view, name="validation_inclusioncriterion_apply_preset"),
            *super().get_urls(),
        ]

    def apply_preset_view(self, request: HttpRequest) -> HttpResponse:
        """Pick a round and a published set; applying it replaces the round's active rows."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = ApplyPresetForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            round_, preset = form.cleaned_data["round"], form.cleaned_data["preset"]
            report = apply_preset(round=round_, preset=preset)
            self.message_user(
                request,
                f"{round_}: {preset!r} applied ({report.created} created, {report.updated} "
                f"updated, deactivated: {', '.join(report.deactivated) or 'none'}); "
                f"{report.requeued} interviews will be judged again.",
                messages.SUCCESS,
            )
            changelist = reverse("admin:validation_inclusioncriterion_changelist")
            return HttpResponseRedirect(f"{changelist}?round__id__exact={round_.pk}")
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": "Apply a published set of inclusion criteria",
            "opts": self.model._meta,
            "form": form,
            "presets": PRESETS,
        }
        return TemplateResponse(request, "admin/validation/inclusioncriterion/apply.html", context)
