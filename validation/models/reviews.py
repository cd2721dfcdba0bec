"""ReviewEvent: the append-only log of every review state change of an interview."""

from django.conf import settings
from django.db import models


class ExclusionReason(models.TextChoices):
    INELIGIBLE = "ineligible", "Respondent not eligible"
    DUPLICATE = "duplicate", "Duplicate respondent"
    FABRICATED = "fabricated", "Fabricated or falsified"
    OTHER = "other", "Other"


class ReviewEvent(models.Model):
    submission = models.ForeignKey(
        "surveys.Submission", on_delete=models.CASCADE, related_name="review_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for changes made by the system (checks, sync)",
    )
    at = models.DateTimeField(auto_now_add=True)
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    comment = models.TextField(blank=True)
    reason = models.CharField(max_length=12, choices=ExclusionReason.choices, blank=True)
    questions = models.JSONField(default=list, blank=True, help_text="Paths to re-ask")

    class Meta:
        ordering = ("submission", "at", "pk")
        indexes = [
            models.Index(fields=("submission", "at"), name="reviewevent_sub_idx"),
            # The API's review log, newest first: its first page without a sort of the log.
            models.Index(fields=("-at", "-id"), name="reviewevent_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.from_status} → {self.to_status}"
