"""Sync bookkeeping: the watermark per form, one row per run, and quarantined payloads."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SyncCursor(models.Model):
    form = models.OneToOneField("surveys.KoboForm", on_delete=models.CASCADE, related_name="cursor")
    last_kobo_id = models.BigIntegerField(default=0, help_text="Highest _id committed")
    last_reconciled_at = models.DateTimeField(null=True, blank=True)
    # A lease, not a lock held open: a worker killed mid-sync lets the next one in on expiry.
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sync cursor")
        verbose_name_plural = _("sync cursors")

    def __str__(self) -> str:
        return f"{self.form}: _id > {self.last_kobo_id}"


class SyncRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    form = models.ForeignKey("surveys.KoboForm", on_delete=models.CASCADE, related_name="sync_runs")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    full = models.BooleanField(default=False, help_text="Reconciliation of edits and deletions")
    pages = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    quarantined = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        ordering = ("-started_at",)
        indexes = [models.Index(fields=("form", "-started_at"), name="syncrun_form_idx")]

    def __str__(self) -> str:
        return f"{self.form} {self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def duration_s(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class SyncIssue(models.Model):
    form = models.ForeignKey(
        "surveys.KoboForm", on_delete=models.CASCADE, related_name="sync_issues"
    )
    run = models.ForeignKey(SyncRun, on_delete=models.SET_NULL, null=True, related_name="issues")
    kobo_id = models.BigIntegerField(null=True, blank=True)
    reason = models.TextField()
    payload = models.JSONField(help_text="The raw payload as KoBo sent it")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sync issue")
        verbose_name_plural = _("sync issues")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.form} _id={self.kobo_id}: {self.reason[:60]}"
