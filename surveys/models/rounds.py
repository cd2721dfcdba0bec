"""Round: one MTM data-collection round in one country (R1 Dec 2022, R2 May 2023, R3 Feb 2024)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Round(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        FIELDWORK = "fieldwork", "Fieldwork"
        CLOSED = "closed", "Closed"

    country = models.CharField(max_length=2, default="KZ", help_text="ISO 3166-1 alpha-2")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    fieldwork_start = models.DateField()
    fieldwork_end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ("country", "-number")
        constraints = [
            models.UniqueConstraint(fields=("country", "number"), name="round_unique_number"),
            models.CheckConstraint(
                condition=Q(fieldwork_end__isnull=True)
                | Q(fieldwork_end__gte=F("fieldwork_start")),
                name="round_end_after_start",
                violation_error_message="Fieldwork cannot end before it starts.",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="round_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.country} R{self.number} – {self.name}"
