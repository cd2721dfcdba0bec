"""Admin for baseline figures: browse, correct and import/export them (CSV and XLSX)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats

from surveys.baseline_resources import BaselineFigureResource
from surveys.imports.admin import UploadForm
from surveys.imports.formats import CSVUpload, XLSXUpload
from surveys.models import BaselineFigure, BaselineInputs


@admin.register(BaselineFigure)
class BaselineFigureAdmin(ImportExportModelAdmin[BaselineFigure]):
    resource_classes = (BaselineFigureResource,)
    import_formats = (CSVUpload, XLSXUpload)
    export_formats = (base_formats.CSV, base_formats.XLSX)
    import_form_class = UploadForm
    to_encoding = "utf-8-sig"  # Excel reads a CSV's Cyrillic right only with the BOM
    list_display = ("round", "location", "year", "population", "sex_or_total", "count", "source")
    list_filter = ("round", "population", "year", "source", "sex", "location__kind")
    search_fields = ("location__code", "location__name_en", "location__name_ru")
    list_select_related = ("round", "location")
    raw_id_fields = ("location",)
    readonly_fields = ("source", "informants", "updated_at")

    @admin.display(description="sex", ordering="sex")
    def sex_or_total(self, obj: BaselineFigure) -> str:
        return obj.get_sex_display() if obj.sex else "total"

    def save_model(
        self, request: HttpRequest, obj: BaselineFigure, form: Any, change: bool
    ) -> None:
        # A figure corrected by hand is the data manager's: derivation must not undo it.
        obj.source = BaselineFigure.Source.IMPORT
        obj.informants = 0
        super().save_model(request, obj, form, change)


@admin.register(BaselineInputs)
class BaselineInputsAdmin(admin.ModelAdmin[BaselineInputs]):
    list_display = ("form", "location", "interviews", "derived_at")
    list_select_related = ("form", "location")
    readonly_fields = ("form", "location", "fingerprint", "interviews", "derived_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
