"""QuotaAlert: the log of quota alerts sent, one per quota and kind, so none is sent twice."""

from django.db import models


class QuotaAlert(models.Model):
    class Kind(models.TextChoices):
        NEAR_FULL = "near_full", "Quota nearly full"
        MET = "met", "Quota met"
        OVER = "over", "Over quota"

    quota = models.ForeignKey("surveys.Quota", on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    counted = models.PositiveIntegerField(help_text="Interviews counted when the alert was sent")
    target = models.PositiveIntegerField()
    recipients = models.JSONField(default=list, help_text="Usernames alerted")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-sent_at",)
        constraints = [
            models.UniqueConstraint(fields=("quota", "kind"), name="quotaalert_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.quota_id} {self.kind}"
