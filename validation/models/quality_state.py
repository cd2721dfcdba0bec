"""QualityState: what the quality checks last saw of a submission, to re-run only what changed."""

from django.db import models


class QualityState(models.Model):
    """One row per submission the quality checks have run on.

    A submission is due again when its content hash, the effective configuration's hash or its
    deletion differ from what is recorded here; the recorded blocks are where it sat last time,
    so the blocks it left are re-run too.
    """

    submission = models.OneToOneField(
        "surveys.Submission", on_delete=models.CASCADE, related_name="quality_state"
    )
    content_hash = models.CharField(max_length=64)
    config_hash = models.CharField(max_length=64)
    deleted = models.BooleanField(default=False)
    blocks = models.JSONField(default=list, help_text="Block keys it belonged to last run")
    checked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "quality-check state"

    def __str__(self) -> str:
        return f"quality state of submission {self.submission_id}"
