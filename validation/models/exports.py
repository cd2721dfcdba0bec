"""ExportJob: one requested export (cleaning log or clean dataset) built in the background."""

import uuid

from django.conf import settings
from django.db import models


class ExportJob(models.Model):
    class Kind(models.TextChoices):
        CLEANING_LOG = "cleaning_log", "Cleaning log"
        CLEAN_DATASET = "clean_dataset", "Clean dataset"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    format = models.CharField(max_length=4, choices=Format.choices, default=Format.CSV)
    round = models.ForeignKey("surveys.Round", on_delete=models.CASCADE, related_name="exports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Hand-over and claim: the sweep (validation.exports.jobs.sweep_exports) sends again a job
    # the broker never took or left queued, and re-queues one whose worker died mid-build.
    enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text="Last handed to the task queue; empty: not yet"
    )
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Builds started")
    lease_until = models.DateTimeField(
        null=True, blank=True, help_text="While running: renewed by progress; past it, dead"
    )

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.kind} R{self.round_id} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(100 * self.rows_done / self.rows_total))
