"""ReviewPriority: what the review queue sorts on, kept up to date by the validation engine."""

from django.db import models


class ReviewPriority(models.Model):
    submission = models.OneToOneField(
        "surveys.Submission", on_delete=models.CASCADE, primary_key=True, related_name="priority"
    )
    score = models.PositiveIntegerField(default=0)
    blockers = models.PositiveSmallIntegerField(default=0)
    majors = models.PositiveSmallIntegerField(default=0)
    minors = models.PositiveSmallIntegerField(default=0)
    enumerator_flag_rate = models.FloatField(
        default=0, help_text="Share of the enumerator's interviews flagged in the last 14 days"
    )
    spot_check = models.BooleanField(
        default=False, help_text="A clean interview drawn for a random spot check"
    )
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "review priorities"
        indexes = [models.Index(fields=("-score",), name="priority_score_idx")]

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.score}"
