"""Admin import pages: upload checks, background jobs for large files, the job's progress page.

Small files keep django-import-export's preview-then-confirm flow. A file with more rows than
``MTM_IMPORT_BACKGROUND_ROWS`` becomes an ``ImportJob`` imported by a worker, all or nothing;
its page shows progress (refreshing itself) and each bad row with its line. Both list every
error in a plain table by the file's line (the header is line 1), not behind a hover badge.
"""

from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats
from import_export.forms import ImportForm

from surveys.imports.files import ImportFileError, check_size, read_dataset
from surveys.imports.formats import CSVUpload, XLSXUpload, format_key
from surveys.imports.jobs import may_retry, retry_import, start_import
from surveys.imports.problems import problems
from surveys.models import ImportJob


class UploadForm(ImportForm):
    """The stock import form with a size limit checked before the file is read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["import_file"].help_text = _(
            "CSV (UTF-8, UTF-16, Windows-1251 or KZ-1048; the encoding is detected) or XLSX, "
            "up to %(size)s MB. Files of more than %(rows)s rows are imported in the "
            "background, all or nothing."
        ) % {
            "size": settings.MTM_IMPORT_MAX_BYTES // 1_048_576,
            "rows": settings.MTM_IMPORT_BACKGROUND_ROWS,
        }

    def clean_import_file(self) -> Any:
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload.size)
        except ImportFileError as exc:
            raise forms.ValidationError(exc.message) from None
        return upload


_ModelT = TypeVar("_ModelT", bound=Model)


class ImportJobsMixin(ImportExportModelAdmin[_ModelT]):
    """Import/export configuration shared by the locations, quotas, teams and enumerators admin."""

    import_kind: str = ""
    import_formats = (CSVUpload, XLSXUpload)
    export_formats = (base_formats.CSV, base_formats.XLSX)
    import_form_class = UploadForm
    import_template_name = "admin/surveys/import.html"  # every error in view, by file line
    to_encoding = "utf-8-sig"  # Excel reads a CSV's Cyrillic right only with the BOM

    def add_data_read_fail_error_to_form(self, form: Any, e: Exception) -> None:
        if isinstance(e, ImportFileError):
            form.add_error("import_file", e.message)
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def import_action(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and self.has_import_permission(request):
            job = self._start_background_import(request)
            if job is not None:
                return HttpResponseRedirect(self._job_url(job))
        response = super().import_action(request, **kwargs)
        result = (getattr(response, "context_data", None) or {}).get("result")
        if result is not None and (result.has_errors() or result.has_validation_errors()):
            response.context_data["problems"] = problems(result)
        return response  # type: ignore[no-any-return]

    def _start_background_import(self, request: HttpRequest) -> ImportJob | None:
        """A job when the upload is large enough for one; None leaves it to the preview."""
        form = self.create_import_form(request)
        if not form.is_valid():
            return None
        upload = form.cleaned_data["import_file"]
        upload_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
        data = b"".join(upload.chunks())
        upload.seek(0)
        try:
            rows = len(read_dataset(data, format_key(upload_format)))  # type: ignore[arg-type]
        except ImportFileError:
            return None  # the preview shows the reason on the form
        if rows <= settings.MTM_IMPORT_BACKGROUND_ROWS:
            return None
        job = start_import(
            user=request.user,
            kind=self.import_kind,
            file_name=upload.name or "upload",
            fmt=format_key(upload_format),  # type: ignore[arg-type]
            data=data,
        )
        messages.info(
            request, _("%(rows)s rows: the import runs in the background.") % {"rows": rows}
        )
        return job

    def get_urls(self) -> list[URLPattern]:
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "import/jobs/<uuid:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name="{}_{}_import_job".format(*info),
            ),
            *super().get_urls(),
        ]

    def _job_url(self, job: ImportJob) -> str:
        info = self.model._meta.app_label, self.model._meta.model_name
        return reverse("admin:{}_{}_import_job".format(*info), args=[job.pk])

    def import_job_view(self, request: HttpRequest, job_id: Any) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = get_object_or_404(ImportJob, pk=job_id, kind=self.import_kind)
        if request.method == "POST" and "retry" in request.POST:
            if retry_import(job_id=str(job.pk)):
                messages.info(request, _("The import was queued again."))
            return HttpResponseRedirect(self._job_url(job))
        running = job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import of %(file)s") % {"file": job.file_name},
            "opts": self.model._meta,
            "job": job,
            "running": running,
            "may_retry": may_retry(job),
            "changelist_url": reverse(
                f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_changelist"
            ),
        }
        return TemplateResponse(request, "admin/surveys/import_job.html", context)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin[ImportJob]):
    list_display = ("file_name", "kind", "status", "rows_total", "rows_done", "created_at")
    list_filter = ("kind", "status")
    list_select_related = ("requested_by",)
    exclude = ("content",)
    readonly_fields = [f.name for f in ImportJob._meta.fields if f.name != "content"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # jobs are started from the import pages

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
