"""Admin of the correction workflow: round policies, tasks (team-scoped), the notification log."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from validation.corrections import selectors, services
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
        "items",
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

    def get_queryset(self, request: HttpRequest) -> QuerySet[CorrectionTask]:
        return selectors.visible_tasks(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tasks open when a supervisor returns an interview

    def save_model(
        self, request: HttpRequest, obj: CorrectionTask, form: Any, change: bool
    ) -> None:
        services.set_due(task=obj, due_at=obj.due_at, actor=request.user)  # type: ignore[arg-type]


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
