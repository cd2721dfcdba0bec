"""Baseline Mobility Assessment figures: how many people of a target population a location had.

Key informants (local authorities, community leaders, teachers) report, per location and
year, the international migrant workers, return migrants and emigrants there, by sex when
they know it (mtm-instrument-and-figures.md §1). A figure comes from the round's synced
key-informant interviews (surveys.baseline) or from a spreadsheet a data manager imports;
an imported figure is never overwritten by the key-informant derivation.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from surveys.models.choices import Sex


class TargetPopulation(models.TextChoices):
    MIGRANT_WORKERS = "migrant_workers", "International migrant workers"
    RETURN_MIGRANTS = "return_migrants", "Return migrants"
    EMIGRANTS = "emigrants", "Emigrants"


class BaselineFigure(models.Model):
    class Source(models.TextChoices):
        KEY_INFORMANTS = "ki", "Key-informant interviews"
        IMPORT = "import", "Imported"

    round = models.ForeignKey(
        "surveys.Round", on_delete=models.CASCADE, related_name="baseline_figures"
    )
    location = models.ForeignKey(
        "surveys.Location", on_delete=models.PROTECT, related_name="baseline_figures"
    )
    year = models.PositiveSmallIntegerField(help_text="The calendar year the count is for")
    population = models.CharField(max_length=20, choices=TargetPopulation.choices)
    sex = models.CharField(
        max_length=6, choices=Sex.choices, blank=True, default="", help_text="Blank = total"
    )
    count = models.PositiveIntegerField()
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.IMPORT)
    informants = models.PositiveSmallIntegerField(
        default=0, help_text="Key informants whose answers gave this figure (0 when imported)"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("baseline figure")
        verbose_name_plural = _("baseline figures")
        ordering = ("round", "location__code", "year", "population", "sex")
        constraints = [
            models.UniqueConstraint(
                fields=("round", "location", "year", "population", "sex"),
                name="baseline_unique_figure",
            ),
            models.CheckConstraint(
                condition=Q(sex__in=["", *Sex.values]), name="baseline_sex_valid"
            ),
            models.CheckConstraint(
                condition=Q(population__in=TargetPopulation.values),
                name="baseline_population_valid",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1990, year__lte=2100), name="baseline_year_range"
            ),
        ]
        indexes = [models.Index(fields=("round", "population", "year"), name="baseline_round_pop")]

    def __str__(self) -> str:
        sex = self.sex or "total"
        return f"R{self.round.number} {self.location.code} {self.year} {self.population} {sex}"


class BaselineInputs(models.Model):
    """What a location's key-informant figures were last derived from (surveys.baseline).

    The fingerprint digests the location's active interviews (pk and content hash), so a
    sync re-derives only the locations whose interviews were added, edited or deleted.
    """

    form = models.ForeignKey(
        "surveys.KoboForm", on_delete=models.CASCADE, related_name="baseline_inputs"
    )
    location = models.ForeignKey("surveys.Location", on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(max_length=64)
    interviews = models.PositiveIntegerField(default=0)
    derived_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("baseline inputs")
        verbose_name_plural = _("baseline inputs")
        constraints = [
            models.UniqueConstraint(fields=("form", "location"), name="baseline_inputs_unique")
        ]

    def __str__(self) -> str:
        return f"{self.form} {self.location.code}: {self.interviews} interviews"
