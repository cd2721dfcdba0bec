"""Quota: the target number of interviews per round x location x sex (x citizenship).

A quota may sit on any node of the location tree: an interview in a district counts toward
the quotas of the district and of every location above it (validation.quota_progress).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from surveys.models.choices import Sex


class Quota(models.Model):
    round = models.ForeignKey("surveys.Round", on_delete=models.CASCADE, related_name="quotas")
    location = models.ForeignKey(
        "surveys.Location",
        on_delete=models.PROTECT,
        related_name="quotas",
        help_text="A region, city or district: interviews in the locations below it count too",
    )
    sex = models.CharField(max_length=6, choices=Sex.choices)
    citizenship = models.CharField(
        max_length=40,
        blank=True,
        default="",
        help_text="The citizenship answer as the form records it (e.g. uz); blank = all",
    )
    target = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        ordering = ("round", "location__code", "sex", "citizenship")
        constraints = [
            models.UniqueConstraint(
                fields=("round", "location", "sex", "citizenship"), name="quota_unique_stratum"
            ),
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="quota_sex_valid"),
        ]

    def __str__(self) -> str:
        stratum = f"{self.sex} {self.citizenship}" if self.citizenship else self.sex
        return f"R{self.round.number} {self.location.code} {stratum}: {self.target}"
