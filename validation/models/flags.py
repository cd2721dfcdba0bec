"""Flag: one finding of one check on one answer of one interview, upserted idempotently."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    BLOCKER = "blocker", "Blocker"
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"
    INFO = "info", "Info"


SEVERITY_WEIGHT = {Severity.BLOCKER: 100, Severity.MAJOR: 10, Severity.MINOR: 3, Severity.INFO: 0}


class FlagQuerySet(models.QuerySet["Flag"]):
    def open(self) -> "FlagQuerySet":
        return self.filter(status=Flag.Status.OPEN)


class Flag(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved (no longer holds)"
        OKAYED = "okayed", "Okayed by a supervisor"

    submission = models.ForeignKey(
        "surveys.Submission", on_delete=models.CASCADE, related_name="flags"
    )
    check_code = models.CharField(max_length=64, help_text="Stable dotted code")
    path = models.CharField(max_length=255, blank=True, help_text="KoBo key; '' = whole interview")
    severity = models.CharField(max_length=8, choices=Severity.choices)
    message = models.TextField()
    values = models.JSONField(default=dict, blank=True)
    expression = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    okayed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ("submission", "check_code", "path")
        constraints = [
            models.UniqueConstraint(
                fields=("submission", "check_code", "path"), name="flag_unique_finding"
            ),
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="flag_severity_valid"
            ),
        ]
        indexes = [
            models.Index(fields=("check_code", "status"), name="flag_code_idx"),
            models.Index(
                fields=("submission", "severity"), condition=Q(status="open"), name="flag_open_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.check_code} {self.path}".strip()
