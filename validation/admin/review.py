"""Admin for validation data: check configuration, flags, eligibility verdicts, the review queue."""

import json
from typing import Any, cast

from django.contrib import admin
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from surveys import selectors
from surveys.models import Submission
from validation import review
from validation.checks.registry import DEFAULTS
from validation.models import CheckConfig, Eligibility, Flag, InterviewReview
from validation.review_screen import queue_filters
from validation.selectors import review_queue
from validation.tasks import run_quality_checks_task


@admin.register(CheckConfig)
class CheckConfigAdmin(admin.ModelAdmin[CheckConfig]):
    """Thresholds are validated by CheckConfig.clean (the registry's rules), per field."""

    list_display = ("__str__", "round", "form", "is_active", "updated_at", "updated_by")
    list_filter = ("is_active", "round")
    list_select_related = ("round", "form", "updated_by")
    readonly_fields = ("available_checks", "updated_at", "updated_by")
    fields = (
        "round",
        "form",
        "is_active",
        "enabled_checks",
        "thresholds",
        "severities",
        "question_map",
        "available_checks",
        "updated_at",
        "updated_by",
    )

    @admin.display(description="Check codes and their defaults")
    def available_checks(self, obj: CheckConfig | None) -> str:
        return format_html("<pre>{}</pre>", json.dumps(DEFAULTS, indent=1, sort_keys=True))

    def save_model(self, request: HttpRequest, obj: CheckConfig, form: Any, change: bool) -> None:
        obj.updated_by = cast(Any, request.user)
        super().save_model(request, obj, form, change)
        # The configuration's hash changed, so its round's interviews are due: run them.
        transaction.on_commit(run_quality_checks_task.delay)


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


class CheckCodeFilter(admin.SimpleListFilter):
    title = "open flag"
    parameter_name = "check"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        # DISTINCT over every open flag is a full scan: the list of codes changes rarely.
        codes = cache.get_or_set(
            "review:open_check_codes",
            lambda: sorted(
                Flag.objects.open().values_list("check_code", flat=True).distinct().order_by()
            ),
            300,
        )
        return [(code, code) for code in codes or []]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.value():
            return queryset
        flagged = Flag.objects.open().filter(check_code=self.value()).values("submission_id")
        return queryset.filter(pk__in=flagged)


class SeverityFilter(admin.SimpleListFilter):
    title = "worst open flag"
    parameter_name = "severity"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("blocker", "Blocker"), ("major", "Major"), ("minor", "Minor")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value == "blocker":
            return queryset.filter(priority__blockers__gt=0)
        if value == "major":
            return queryset.filter(priority__blockers=0, priority__majors__gt=0)
        if value == "minor":
            return queryset.filter(priority__blockers=0, priority__majors=0, priority__minors__gt=0)
        return queryset


@admin.register(InterviewReview)
class InterviewReviewAdmin(admin.ModelAdmin[InterviewReview]):
    list_display = (
        "interview",
        "risk",
        "enumerator",
        "district",
        "interviewed",
        "duration",
        "blockers",
        "majors",
        "minors",
        "eligible",
        "review_status",
        "changed_since_review",
    )
    # Choices from the user's scope: reading them off a 100,000-row queue is too slow.
    list_filter = (
        queue_filters.RoundFilter,
        queue_filters.RegionFilter,
        queue_filters.DistrictFilter,
        queue_filters.TeamFilter,
        queue_filters.EnumeratorFilter,
        ("submission_time", admin.DateFieldListFilter),
        "review_status",
        CheckCodeFilter,
        SeverityFilter,
        "eligibility__verdict",
        "changed_since_review",
    )
    list_display_links = None  # rows open the review screen, not a change form
    search_fields = ("=kobo_id", "=root_uuid")
    list_per_page = 50
    paginator = queue_filters.QueuePaginator
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice re-reads the whole queue
    actions = ("approve_clean", "hold_selected")
    show_full_result_count = False
    # The changelist puts this before the queryset's own order (else Submission.Meta's
    # newest-first would win): riskiest first, then the oldest, as "next in queue" walks it.
    ordering = ("-priority__score", "submission_time", "pk")

    def get_queryset(self, request: HttpRequest) -> QuerySet[InterviewReview]:
        # The queue itself (rows are Submissions: the proxy adds no field), not a pk__in
        # subquery of it, which PostgreSQL plans as a semi-join over every waiting interview.
        rows = cast("QuerySet[InterviewReview]", review_queue(request.user))
        return (
            rows.select_related(
                "form__round", "enumerator__team", "location__parent", "priority", "eligibility"
            )
            # The answers and boundaries are large and the list shows none of them.
            .defer(
                "data",
                "location__boundary",
                "location__parent__boundary",
                "eligibility__criteria",
            )
            .order_by("-priority__score", "submission_time", "pk")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        # Decisions go through the review screen (the state machine), never a raw edit form.
        if not object_id.isdigit():
            raise Http404
        return HttpResponseRedirect(reverse("review:screen", args=[int(object_id)]))

    @admin.display(description="interview", ordering="kobo_id")
    def interview(self, obj: InterviewReview) -> str:
        return format_html(
            '<a href="{}">#{}</a>', reverse("review:screen", args=[obj.pk]), obj.kobo_id
        )

    @admin.display(description="risk", ordering="priority__score")
    def risk(self, obj: InterviewReview) -> int:
        return obj.priority.score if hasattr(obj, "priority") else 0

    @admin.display(description="district", ordering="location__code")
    def district(self, obj: InterviewReview) -> str:
        return obj.location.name_en if obj.location else "—"

    @admin.display(description="interviewed", ordering="submission_time")
    def interviewed(self, obj: InterviewReview) -> str:
        when = obj.started_at or obj.submission_time
        return timezone.localtime(when).strftime("%Y-%m-%d %H:%M")

    @admin.display(description="minutes")
    def duration(self, obj: InterviewReview) -> str:
        if obj.started_at and obj.ended_at:
            return f"{(obj.ended_at - obj.started_at).total_seconds() / 60:.0f}"
        return "—"

    @admin.display(description="B", ordering="priority__blockers")
    def blockers(self, obj: InterviewReview) -> int:
        return obj.priority.blockers if hasattr(obj, "priority") else 0

    @admin.display(description="M", ordering="priority__majors")
    def majors(self, obj: InterviewReview) -> int:
        return obj.priority.majors if hasattr(obj, "priority") else 0

    @admin.display(description="m", ordering="priority__minors")
    def minors(self, obj: InterviewReview) -> int:
        return obj.priority.minors if hasattr(obj, "priority") else 0

    @admin.display(description="eligibility")
    def eligible(self, obj: InterviewReview) -> str:
        return obj.eligibility.verdict if hasattr(obj, "eligibility") else "—"

    @admin.action(description="Approve selected clean interviews")
    def approve_clean(self, request: HttpRequest, queryset: QuerySet[InterviewReview]) -> None:
        report = review.bulk_decide(
            submissions=queryset,
            actor=request.user,
            to=Submission.ReviewStatus.APPROVED,
            only_clean=True,
        )
        self.message_user(request, report.message)

    @admin.action(description="Put selected interviews on hold")
    def hold_selected(self, request: HttpRequest, queryset: QuerySet[InterviewReview]) -> None:
        report = review.bulk_decide(
            submissions=queryset,
            actor=request.user,
            to=Submission.ReviewStatus.ON_HOLD,
            only_clean=True,
        )
        self.message_user(request, report.message)
