"""Admin for the surveys models: configuration only; scoping comes from selectors."""

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from surveys import (
    baseline_admin,  # noqa: F401  (registers the baseline figures)
    selectors,
)
from surveys.imports.admin import ImportJobsMixin
from surveys.imports.location_index import parent_loop
from surveys.models import (
    Enumerator,
    FormVersion,
    ImportJob,
    KoboForm,
    KoboServer,
    Location,
    PurgeRun,
    Quota,
    RetentionPolicy,
    Round,
    Submission,
    SyncCursor,
    SyncIssue,
    SyncRun,
    Team,
)
from surveys.resources import EnumeratorResource, LocationResource, QuotaResource, TeamResource


def _pretty_json(value: Any) -> str:
    return format_html("<pre style='white-space:pre-wrap'>{}</pre>", json.dumps(value, indent=2))


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin[Round]):
    list_display = ("number", "name", "country", "fieldwork_start", "fieldwork_end", "status")
    list_filter = ("status", "country")
    search_fields = ("name",)


class LocationForm(forms.ModelForm[Location]):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        parent = cleaned.get("parent")
        loop = parent_loop(self.instance.pk, parent.pk if parent else None)
        if loop:
            self.add_error(
                "parent", f"This parent would put the location inside itself: {' → '.join(loop)}."
            )
        return cleaned


@admin.register(Location)
class LocationAdmin(ImportJobsMixin[Location]):
    form = LocationForm
    resource_classes = (LocationResource,)
    import_kind = ImportJob.Kind.LOCATIONS
    list_display = ("code", "name_en", "name_ru", "kind", "parent", "is_active", "has_boundary")
    list_filter = ("kind", "is_active", ("parent", admin.RelatedOnlyFieldListFilter))
    search_fields = ("code", "name_en", "name_ru", "name_kk", "aliases")
    list_select_related = ("parent",)
    raw_id_fields = ("parent",)

    @admin.display(boolean=True, description="boundary")
    def has_boundary(self, obj: Location) -> bool:
        return obj.boundary is not None


class CitizenshipFilter(admin.SimpleListFilter):
    """Quotas by citizenship; the blank value (all citizenships) gets a name, not an empty link."""

    title = "citizenship"
    parameter_name = "citizenship"
    _ALL = "-"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        values = Quota.objects.values_list("citizenship", flat=True).distinct()
        return [
            (value or self._ALL, value or "blank (all citizenships)")
            for value in sorted(set(values))
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Quota]) -> QuerySet[Quota]:
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(citizenship="" if value == self._ALL else value)


@admin.register(Quota)
class QuotaAdmin(ImportJobsMixin[Quota]):
    resource_classes = (QuotaResource,)
    import_kind = ImportJob.Kind.QUOTAS
    list_display = ("round", "location", "sex", "citizenship", "target")
    list_filter = ("round", "sex", "location__kind", CitizenshipFilter)
    search_fields = ("location__code", "location__name_en", "location__name_ru")
    list_select_related = ("round", "location")
    raw_id_fields = ("location",)


@admin.register(Team)
class TeamAdmin(ImportJobsMixin[Team]):
    resource_classes = (TeamResource,)
    import_kind = ImportJob.Kind.TEAMS
    list_display = ("name", "supervisor", "working_hours_start", "working_hours_end")
    search_fields = ("name", "supervisor__username")
    list_select_related = ("supervisor",)
    filter_horizontal = ("locations",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return selectors.supervised_teams(request.user).select_related("supervisor")


@admin.register(Enumerator)
class EnumeratorAdmin(ImportJobsMixin[Enumerator]):
    resource_classes = (EnumeratorResource,)
    import_kind = ImportJob.Kind.ENUMERATORS
    list_display = ("kobo_username", "full_name", "sex", "team", "is_active")
    list_filter = ("sex", "is_active", "team", "active_rounds")
    search_fields = ("kobo_username", "full_name")
    list_select_related = ("team",)
    raw_id_fields = ("user",)
    filter_horizontal = ("active_rounds",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Enumerator]:
        return selectors.visible_enumerators(request.user).select_related("team")


class KoboServerForm(forms.ModelForm[KoboServer]):
    api_token = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="Leave empty to keep the current token.",
    )

    base_url = forms.URLField(
        assume_scheme="https", help_text=KoboServer._meta.get_field("base_url").help_text
    )

    class Meta:
        model = KoboServer
        fields = ("name", "base_url", "api_token", "edit_links_by_root_uuid", "is_active")

    def clean_api_token(self) -> str:
        """The typed token, else the stored one; a token is required for a new address."""
        typed: str = self.cleaned_data["api_token"]
        self.token_typed = bool(typed)
        return typed or self.instance.api_token

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if getattr(self, "token_typed", True):
            return cleaned
        if not self.instance.pk:
            self.add_error("api_token", "A KoBo API token is required.")
        elif "base_url" in self.changed_data:
            self.add_error(
                "api_token",
                "The address changed: enter the API token for the new server "
                "(the stored token is never sent to another address).",
            )
        return cleaned

    def save(self, commit: bool = True) -> KoboServer:
        if self.token_typed:
            self.instance.set_token(self.cleaned_data["api_token"])
        return super().save(commit=commit)


@admin.register(KoboServer)
class KoboServerAdmin(admin.ModelAdmin[KoboServer]):
    form = KoboServerForm
    list_display = ("name", "base_url", "token_hint", "is_active")
    search_fields = ("name", "base_url")


@admin.register(KoboForm)
class KoboFormAdmin(admin.ModelAdmin[KoboForm]):
    list_display = ("name", "asset_uid", "round", "instrument", "deployed_version_uid", "is_active")
    list_filter = ("instrument", "is_active", "round", "server")
    search_fields = ("name", "asset_uid")
    list_select_related = ("round", "server")


@admin.register(FormVersion)
class FormVersionAdmin(admin.ModelAdmin[FormVersion]):
    list_display = ("form", "version_uid", "date_deployed", "content_hash", "fetched_at")
    list_filter = ("form",)
    search_fields = ("version_uid",)
    list_select_related = ("form",)
    exclude = ("content",)
    readonly_fields = ("form", "version_uid", "content_hash", "date_deployed", "content_json")

    @admin.display(description="content")
    def content_json(self, obj: FormVersion) -> str:
        return _pretty_json(obj.content)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin[Submission]):
    list_display = (
        "kobo_id",
        "form",
        "enumerator",
        "location",
        "submission_time",
        "review_status",
        "kobo_status",
        "deleted_at",
    )
    list_filter = (
        "review_status",
        "form",
        "kobo_status",
        ("deleted_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("=kobo_id", "root_uuid", "instance_id")
    list_select_related = ("form", "enumerator", "location")
    date_hierarchy = "submission_time"
    # Only the enumerator and district can be corrected here (a KoBo account or place matched
    # wrongly). The review status is the status machine's: a decision made here would leave
    # no history entry and reach neither KoBo nor the enumerator, so it is shown, not edited.
    fields = (
        "review_status",
        "review_screen",
        "enumerator",
        "location",
        "form",
        "kobo_id",
        "root_uuid",
        "instance_id",
        "version_uid",
        "version",
        "submitted_by",
        "submission_time",
        "started_at",
        "ended_at",
        "content_hash",
        "kobo_status",
        "kobo_status_pushed",
        "changed_since_review",
        "needs_validation",
        "respondent_sex",
        "is_eligible",
        "deleted_at",
        "data_json",
    )
    readonly_fields = tuple(f for f in fields if f not in ("enumerator", "location"))
    raw_id_fields = ("enumerator", "location")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Submission]:
        return selectors.visible_submissions(request.user)

    @admin.display(description=_("answers"))
    def data_json(self, obj: Submission) -> str:
        return _pretty_json(obj.data)

    @admin.display(description=_("decisions"))
    def review_screen(self, obj: Submission) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("review:screen", args=[obj.kobo_id]) + f"?form={obj.form_id}",
            _("Approve, return, hold or exclude on the review screen (each decision is recorded)"),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # submissions come from KoBo only


@admin.register(SyncCursor)
class SyncCursorAdmin(admin.ModelAdmin[SyncCursor]):
    list_display = ("form", "last_kobo_id", "last_reconciled_at")
    list_select_related = ("form",)
    readonly_fields = ("form", "last_kobo_id", "last_reconciled_at")


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin[SyncRun]):
    list_display = (
        "form",
        "started_at",
        "status",
        "full",
        "pages",
        "created",
        "updated",
        "unchanged",
        "deleted",
        "quarantined",
        "duration_s",
    )
    list_filter = ("status", "full", "form")
    list_select_related = ("form",)
    readonly_fields = [f.name for f in SyncRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(SyncIssue)
class SyncIssueAdmin(admin.ModelAdmin[SyncIssue]):
    list_display = ("form", "kobo_id", "reason", "created_at", "resolved_at")
    list_filter = ("form", ("resolved_at", admin.EmptyFieldListFilter))
    search_fields = ("=kobo_id", "reason")
    list_select_related = ("form",)
    exclude = ("payload",)
    readonly_fields = ("form", "run", "kobo_id", "reason", "created_at", "payload_json")

    @admin.display(description="payload")
    def payload_json(self, obj: SyncIssue) -> str:
        return _pretty_json(obj.payload)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin[RetentionPolicy]):
    list_display = ("round", "personal_data_days", "deleted_answers_days", "keep_years")
    list_select_related = ("round",)
    readonly_fields = ("updated_at", "updated_by")

    def save_model(
        self, request: HttpRequest, obj: RetentionPolicy, form: Any, change: bool
    ) -> None:
        obj.updated_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(PurgeRun)
class PurgeRunAdmin(admin.ModelAdmin[PurgeRun]):
    """The purge audit: read-only (PostgreSQL refuses edits and deletions of its rows too)."""

    list_display = (
        "at",
        "round_label",
        "actor",
        "trigger",
        "deleted_answers",
        "personal_answers",
        "interviews_deleted",
    )
    list_filter = ("trigger",)
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
