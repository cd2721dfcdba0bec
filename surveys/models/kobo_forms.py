"""KoBo servers, the forms (assets) we sync from them, and every form version seen."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class KoboServer(models.Model):
    name = models.CharField(max_length=120)
    base_url = models.URLField(help_text="e.g. https://kf.kobotoolbox.org")
    api_token = models.CharField(
        max_length=128,
        blank=True,
        help_text="Never shown back in full; cleared when the address changes",
    )
    edit_links_by_root_uuid = models.BooleanField(
        "edit links by rootUuid",
        default=False,
        help_text=(
            "KPI 2.026.07 or newer: correction links name the interview by its rootUuid. "
            "Older servers refuse that (HTTP 500), so links use KoBo's _id unless this is set."
        ),
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("KoBo server")
        verbose_name_plural = _("KoBo servers")
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(fields=("name",), name="koboserver_unique_name"),
            models.UniqueConstraint(fields=("base_url",), name="koboserver_unique_url"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.base_url})"

    def __repr__(self) -> str:
        return f"<KoboServer {self.pk} {self.base_url} token={self.token_hint}>"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A token never follows its server to a new address: it must be entered again there.

        Otherwise whoever may edit the address could send the next sync, and the token with
        it, to a host of their choosing.
        """
        if self.pk is not None and not getattr(self, "_token_entered", False):
            stored = KoboServer.objects.filter(pk=self.pk).values_list("base_url", flat=True)
            old_url = stored.first()
            if old_url is not None and old_url.rstrip("/") != self.base_url.rstrip("/"):
                self.api_token = ""
                update_fields = kwargs.get("update_fields")
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, "api_token"}
        self._token_entered = False
        super().save(*args, **kwargs)

    def set_token(self, token: str) -> None:
        """Enter a token (the only way one survives a change of address, see save)."""
        self.api_token = token
        self._token_entered = True

    @property
    def token_hint(self) -> str:
        """The last four characters only: enough to tell tokens apart, useless to an attacker."""
        return f"…{self.api_token[-4:]}" if len(self.api_token) > 8 else "…"


class KoboForm(models.Model):
    class Instrument(models.TextChoices):
        SURVEY = "survey", "Migrant worker survey"
        KEY_INFORMANT = "key_informant", "Key-informant interview (BMA)"

    server = models.ForeignKey(KoboServer, on_delete=models.PROTECT, related_name="forms")
    asset_uid = models.CharField(max_length=64)
    name = models.CharField(max_length=255, blank=True)
    round = models.ForeignKey(
        "surveys.Round", on_delete=models.PROTECT, related_name="forms", null=True, blank=True
    )
    instrument = models.CharField(
        max_length=16, choices=Instrument.choices, default=Instrument.SURVEY
    )
    deployed_version_uid = models.CharField(max_length=64, blank=True)
    enumerator_field = models.CharField(
        max_length=120,
        default="enumerator",
        blank=True,
        help_text="Question name holding the enumerator's KoBo username, if _submitted_by is empty",
    )
    location_field = models.CharField(
        max_length=120,
        default="district",
        blank=True,
        help_text="Question name of the location code",
    )
    is_active = models.BooleanField(default=True, help_text="Inactive forms are not synced")

    class Meta:
        verbose_name = _("KoBo form")
        verbose_name_plural = _("KoBo forms")
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(fields=("server", "asset_uid"), name="koboform_unique_asset")
        ]

    def __str__(self) -> str:
        return self.name or self.asset_uid


class FormVersion(models.Model):
    form = models.ForeignKey(KoboForm, on_delete=models.CASCADE, related_name="versions")
    version_uid = models.CharField(max_length=64)
    content = models.JSONField(help_text="KoBo asset content of this version")
    content_hash = models.CharField(max_length=64)
    date_deployed = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        ordering = ("form", "-date_deployed")
        constraints = [
            models.UniqueConstraint(fields=("form", "version_uid"), name="formversion_unique_uid")
        ]

    def __str__(self) -> str:
        return f"{self.form} @ {self.version_uid}"
