"""Admin for validation data: flags, inclusion criteria and eligibility verdicts."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from surveys import selectors
from validation.models import Eligibility, Flag, InclusionCriterion


@admin.register(InclusionCriterion)
class InclusionCriterionAdmin(admin.ModelAdmin[InclusionCriterion]):
    list_display = ("round", "order", "code", "label", "question", "operator", "value", "is_active")
    list_display_links = ("code",)
    list_filter = ("round", "is_active", "operator")
    search_fields = ("code", "label", "question")
    list_select_related = ("round",)


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin[Flag]):
    list_display = ("submission", "check_code", "path", "severity", "status", "last_seen_at")
    list_filter = ("status", "severity", "check_code")
    search_fields = ("=submission__kobo_id", "submission__root_uuid", "check_code", "path")
    list_select_related = ("submission",)
    raw_id_fields = ("submission", "okayed_by")
    readonly_fields = (
        "submission",
        "check_code",
        "path",
        "severity",
        "message",
        "values",
        "expression",
        "first_seen_at",
        "last_seen_at",
        "resolved_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Flag]:
        visible = selectors.visible_submissions(request.user).values("pk")
        return Flag.objects.filter(submission__in=visible)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # flags come from the checks only


@admin.register(Eligibility)
class EligibilityAdmin(admin.ModelAdmin[Eligibility]):
    list_display = ("submission", "verdict", "checked_at")
    list_filter = ("verdict",)
    search_fields = ("=submission__kobo_id", "submission__root_uuid")
    list_select_related = ("submission",)
    readonly_fields = ("submission", "verdict", "criteria", "checked_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Eligibility]:
        visible = selectors.visible_submissions(request.user).values("pk")
        return Eligibility.objects.filter(submission__in=visible)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
