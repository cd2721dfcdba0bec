"""Quota: the target number of interviews per round x location x sex."""

from django.db import models
from django.db.models import Q

from surveys.models.choices import Sex


class Quota(models.Model):
    round = models.ForeignKey("surveys.Round", on_delete=models.CASCADE, related_name="quotas")
    location = models.ForeignKey(
        "surveys.Location", on_delete=models.PROTECT, related_name="quotas"
    )
    sex = models.CharField(max_length=6, choices=Sex.choices)
    target = models.PositiveIntegerField()

    class Meta:
        ordering = ("round", "location__code", "sex")
        constraints = [
            models.UniqueConstraint(
                fields=("round", "location", "sex"), name="quota_unique_stratum"
            ),
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="quota_sex_valid"),
        ]

    def __str__(self) -> str:
        return f"R{self.round.number} {self.location.code} {self.sex}: {self.target}"
