"""Admin of the correction workflow: round policies, tasks (team-scoped), the notification log."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from validation.corrections import selectors, services
from validation.corrections.items import pick_label
from validation.models import CorrectionEvent, CorrectionPolicy, CorrectionTask, Notification


@admin.register(CorrectionPolicy)
class CorrectionPolicyAdmin(admin.ModelAdmin[CorrectionPolicy]):
    list_display = ("round", "auto_open_for_blockers", "due_hours", "remind_before_hours")
    list_select_related = ("round",)


class CorrectionEventInline(admin.TabularInline[CorrectionEvent, CorrectionTask]):
    model = CorrectionEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "from_state", "to_state", "note", "data")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CorrectionTask)
class CorrectionTaskAdmin(admin.ModelAdmin[CorrectionTask]):
    """Only the due time is editable here; every other change goes through the workflow."""

    list_display = ("pk", "submission", "enumerator", "state", "due_at", "attempts", "changed_at")
    list_filter = ("state",)
    search_fields = ("enumerator__kobo_username", "submission__root_uuid")
    list_select_related = ("submission", "enumerator")
    raw_id_fields = ("submission", "enumerator", "supervisor", "opened_by", "review_event")
    readonly_fields = (
        "submission",
        "enumerator",
        "supervisor",
        "opened_by",
        "review_event",
        "state",
        "comment",
        "questions",
        "edit_url",
        "instance_id",
        "attempts",
        "opened_at",
        "changed_at",
        "closed_at",
        "reminded_for",
        "escalated_for",
    )
    inlines = (CorrectionEventInline,)

    exclude = ("items",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CorrectionTask]:
        return selectors.visible_tasks(request.user)

    @admin.display(description=_("questions to re-ask"))
    def questions(self, obj: CorrectionTask) -> SafeString:
        """The items as the enumerator reads them: question, answer, why, whether it passes."""
        language = (translation.get_language() or "en").split("-")[0]
        rows = format_html_join(
            "",
            "<tr><td>{}<br><small><code>{}</code></small></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    pick_label(item.get("labels", {}), language),
                    item.get("path") or "—",
                    item.get("answer") or "—",
                    format_html_join("", "<div>{} <small>({})</small></div>", _reasons(item))
                    or gettext("Chosen by the supervisor (no flag)"),
                    gettext("passes") if item.get("passing") else gettext("to correct"),
                )
                for item in obj.items or []
            ),
        )
        return format_html(
            '<table class="mtm-items"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>'
            "</tr></thead><tbody>{}</tbody></table>",
            gettext("Question"),
            gettext("Answer"),
            gettext("Why"),
            gettext("Now"),
            rows or format_html('<tr><td colspan="4">{}</td></tr>', gettext("No questions.")),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tasks open when a supervisor returns an interview

    def save_model(
        self, request: HttpRequest, obj: CorrectionTask, form: Any, change: bool
    ) -> None:
        services.set_due(task=obj, due_at=obj.due_at, actor=request.user)  # type: ignore[arg-type]


def _reasons(item: dict[str, Any]) -> list[tuple[str, str]]:
    return [(flag.get("message", ""), flag.get("code", "")) for flag in item.get("flags", [])]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ("pk", "kind", "channel", "recipient", "status", "attempts", "sent_at")
    list_filter = ("status", "channel")
    search_fields = ("kind", "recipient")
    raw_id_fields = ("task", "enumerator")
    readonly_fields = [f.name for f in Notification._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        return Notification.objects.filter(
            task__in=selectors.visible_tasks(request.user).values("pk")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
