"""Admin for the access log (data managers read and export it) and the masked submission page.

Nobody adds, changes or deletes access-log rows through the admin. The submission page shows
the answers with the personal data masked and logs each opening; the clear value is revealed,
and logged, on the review screen only.
"""

import json
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from surveys.admin import SubmissionAdmin
from surveys.models import Submission
from validation.exports import writers
from validation.models import AccessLog
from validation.privacy import audit
from validation.privacy.masking import personal_data_for


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin[AccessLog]):
    list_display = ("at", "user", "action", "what", "field", "channel", "ip")
    list_filter = ("action", "channel", ("at", admin.DateFieldListFilter))
    search_fields = ("actor_name", "object_repr", "=object_id", "field")
    date_hierarchy = "at"
    list_per_page = 100
    show_full_result_count = False  # a count(*) of a large log on every page is not needed
    change_list_template = "admin/validation/accesslog/change_list.html"
    readonly_fields = (
        "at",
        "actor_name",
        "actor",
        "action",
        "submission",
        "object_type",
        "object_id",
        "object_repr",
        "field",
        "channel",
        "detail",
        "ip",
        "admin_log_id",
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return audit.visible_access_log(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return audit.may_read_access_log(request.user)

    def has_view_permission(self, request: HttpRequest, obj: AccessLog | None = None) -> bool:
        return audit.may_read_access_log(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AccessLog | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AccessLog | None = None) -> bool:
        return False

    @admin.display(description="user", ordering="actor_name")
    def user(self, obj: AccessLog) -> str:
        return obj.actor_name or "system"

    @admin.display(description="object", ordering="object_repr")
    def what(self, obj: AccessLog) -> str:
        if obj.submission_id:
            url = reverse("review:record", args=[obj.submission_id])
            return format_html('<a href="{}">{}</a>', url, obj.object_repr)
        return obj.object_repr or obj.object_type

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if self.has_view_permission(request):
            audit.import_admin_changes()  # the admin's own change log, shown here too
        return super().changelist_view(request, extra_context)

    def get_urls(self) -> list[URLPattern]:
        export = self.admin_site.admin_view(self.export_view)
        return [path("export/", export, name="validation_accesslog_export"), *super().get_urls()]

    def export_view(self, request: HttpRequest) -> StreamingHttpResponse:
        """The log as CSV, with the page's filters and search applied."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        audit.import_admin_changes()
        rows = self.get_changelist_instance(request).get_queryset(request)
        logged = audit.record_export(
            request=request,
            kind="access_log",
            channel="admin",
            object_type="validation.accesslog",
            object_repr="access log",
        )
        response = StreamingHttpResponse(
            # The log as it was when asked for: up to this export's own row, not including it.
            writers.csv_lines(audit.COLUMNS, audit.access_log_rows(rows.filter(pk__lt=logged.pk))),
            content_type="text/csv; charset=utf-8",
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="access_log_{stamp}.csv"'
        return response


admin.site.unregister(Submission)


@admin.register(Submission)
class MaskedSubmissionAdmin(SubmissionAdmin):
    """surveys' submission page, with the round's personal data masked and each view logged."""

    @admin.display(description="answers (personal data masked)")
    def data_json(self, obj: Submission) -> str:
        personal = personal_data_for(form_id=obj.form_id, round_id=obj.form.round_id)
        masked = json.dumps(personal.masked_data(obj.data), indent=2, ensure_ascii=False)
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", masked)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and isinstance(response, TemplateResponse):
            submission = response.context_data.get("original") if response.context_data else None
            if isinstance(submission, Submission):
                audit.record_view(request=request, submission=submission, channel="admin")
        return response
