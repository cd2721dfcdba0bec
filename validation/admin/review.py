"""Admin for validation data: check configuration, flags, eligibility verdicts, the review queue."""

import json
from typing import Any, cast

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from surveys import selectors
from surveys.models import Submission
from validation import review
from validation.checks.registry import DEFAULTS
from validation.models import CheckConfig, Eligibility, Flag, InterviewReview
from validation.quality.services import save_check_config
from validation.review_screen import queue_filters
from validation.review_screen.links import screen_url
from validation.selectors import QUEUE_ORDER, review_queue


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
        # The service validates, saves and queues the re-run after commit.
        save_check_config(config=obj, user=cast(AbstractBaseUser, request.user))


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
    title = gettext_lazy("open flag")
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
    title = gettext_lazy("worst open flag")
    parameter_name = "severity"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("blocker", _("Blocker")), ("major", _("Major")), ("minor", _("Minor"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value == "blocker":
            return queryset.filter(priority__blockers__gt=0)
        if value == "major":
            return queryset.filter(priority__blockers=0, priority__majors__gt=0)
        if value == "minor":
            return queryset.filter(priority__blockers=0, priority__majors=0, priority__minors__gt=0)
        return queryset


class QueueChangeList(ChangeList):
    """The page's rows, each with the checks that fired on it (one query for the page).

    The queue is counted up to QUEUE_COUNT_CAP + 1 (queue_filters.QueuePaginator): past the
    cap the page says "more than 1000" (templates/admin/validation/interviewreview/).
    """

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        self.count_cap = queue_filters.QUEUE_COUNT_CAP
        self.count_capped = self.result_count > self.count_cap
        rows = list(self.result_list)
        queue_filters.attach_open_checks(rows)
        self.result_list = rows  # type: ignore[assignment]


@admin.register(InterviewReview)
class InterviewReviewAdmin(admin.ModelAdmin[InterviewReview]):
    # Eight narrow columns: the list fits 1366 px beside the filters (no sideways scroll);
    # eligibility and "changed in KoBo" sit under the status, each with its own filter.
    list_display = (
        "interview",
        "risk",
        "enumerator_name",
        "district",
        "when",
        "open_flags",
        "checks",
        "status",
    )
    # Choices from the user's scope: reading them off a 100,000-row queue is too slow.
    list_filter = (
        queue_filters.RoundFilter,
        queue_filters.FieldworkWeekFilter,
        queue_filters.RegionFilter,
        queue_filters.DistrictFilter,
        queue_filters.TeamFilter,
        queue_filters.EnumeratorFilter,
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
    ordering = QUEUE_ORDER

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
            .order_by(*QUEUE_ORDER)
        )

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return QueueChangeList

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Django's "Select interview to review to change" reads oddly for a work queue.
        title = _("Review queue")
        response = super().changelist_view(
            request, {"title": title, "subtitle": None, **(extra_context or {})}
        )
        context = getattr(response, "context_data", None) or {}
        if getattr(context.get("cl"), "count_capped", False):
            # Django's "All 1001 selected": the count stopped at the cap, the queue did not.
            context["selection_note_all"] = _("All of more than %(cap)d selected") % {
                "cap": queue_filters.QUEUE_COUNT_CAP
            }
        return response

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        # Decisions go through the review screen (the state machine), never a raw edit form.
        if not object_id.isdigit() or len(object_id) > 18:
            raise Http404
        row = self.get_queryset(request).filter(pk=int(object_id)).first()
        if row is None:
            raise Http404
        return HttpResponseRedirect(screen_url(row))

    @admin.display(description=gettext_lazy("Interview (KoBo ID)"), ordering="kobo_id")
    def interview(self, obj: InterviewReview) -> str:
        return format_html('<a href="{}">{}</a>', screen_url(obj, exact=False), obj.kobo_id)

    @admin.display(description=gettext_lazy("risk"), ordering="risk_score")
    def risk(self, obj: InterviewReview) -> int:
        return obj.risk_score

    @admin.display(description=gettext_lazy("enumerator"), ordering="enumerator__kobo_username")
    def enumerator_name(self, obj: InterviewReview) -> str:
        enumerator = obj.enumerator
        if enumerator is None:
            return obj.submitted_by or "—"
        return enumerator.full_name or enumerator.kobo_username

    @admin.display(description=gettext_lazy("district"), ordering="location__code")
    def district(self, obj: InterviewReview) -> str:
        return obj.location.name_en if obj.location else "—"

    @admin.display(description=gettext_lazy("interviewed"), ordering="submission_time")
    def when(self, obj: InterviewReview) -> str:
        moment = timezone.localtime(obj.started_at or obj.submission_time).strftime("%m-%d %H:%M")
        if obj.started_at and obj.ended_at:
            minutes = (obj.ended_at - obj.started_at).total_seconds() / 60
            return format_html(
                "{}<br><small>{}</small>",
                moment,
                _("%(minutes)d min") % {"minutes": round(minutes)},
            )
        return moment

    @admin.display(description=gettext_lazy("open flags"), ordering="-priority__blockers")
    def open_flags(self, obj: InterviewReview) -> str:
        priority = getattr(obj, "priority", None)
        if priority is None or not (priority.blockers or priority.majors or priority.minors):
            return "—"
        counts = (
            ("blocker", priority.blockers, _("blockers")),
            ("major", priority.majors, _("major")),
            ("minor", priority.minors, _("minor")),
        )
        return format_html(
            '<span class="rv-count">{}</span>',
            format_html_join(
                " ",
                '<b class="{}" title="{}">{}</b>',
                ((kind, f"{n} {words}", n) for kind, n, words in counts if n),
            ),
        )

    @admin.display(description=gettext_lazy("checks that fired"))
    def checks(self, obj: InterviewReview) -> str:
        fired = getattr(obj, "open_checks", [])
        if not fired:
            return "—"
        return format_html(
            '<span class="rv-checks">{}</span>',
            format_html_join(
                "", '<span class="rv-chk {}">{}</span>', ((sev, code) for code, sev in fired)
            ),
        )

    @admin.display(
        description=gettext_lazy("status · eligibility · changed"), ordering="review_status"
    )
    def status(self, obj: InterviewReview) -> str:
        eligibility = getattr(obj, "eligibility", None)
        verdict = eligibility.verdict if eligibility is not None else ""
        return format_html(
            '{}<br><small class="rv-verdict {}">{}</small>{}',
            _(obj.get_review_status_display()),
            verdict,
            _(verdict) if verdict else _("not judged"),
            format_html('<br><span class="rv-changed">{}</span>', _("changed in KoBo"))
            if obj.changed_since_review
            else "",
        )

    @admin.action(description=gettext_lazy("Approve selected clean interviews"))
    def approve_clean(self, request: HttpRequest, queryset: QuerySet[InterviewReview]) -> None:
        report = review.bulk_decide(
            submissions=queryset,
            actor=request.user,
            to=Submission.ReviewStatus.APPROVED,
            only_clean=True,
        )
        self.message_user(request, report.message)

    @admin.action(description=gettext_lazy("Put selected interviews on hold"))
    def hold_selected(self, request: HttpRequest, queryset: QuerySet[InterviewReview]) -> None:
        report = review.bulk_decide(
            submissions=queryset,
            actor=request.user,
            to=Submission.ReviewStatus.ON_HOLD,
            only_clean=True,
        )
        self.message_user(request, report.message)
