"""ProgressCount: checked, active interviews per stratum, for round progress without a scan.

Kept by PostgreSQL itself (migration 0018): statement-level triggers on surveys_submission add
one row per stratum a statement changed, holding the change (+n, -n), so every write path
counts (sync's COPY, bulk updates, validation, decisions, tombstones, purges, raw SQL) and
writers never wait on one another's counter rows. Round progress sums them; compaction folds
them into one row per stratum (validation.quotas.counters). Not on SQLite: there round
progress aggregates the interviews as before.

The foreign keys have no database constraint: these are derived figures, and deleting a
location or enumerator (SET_NULL on the interviews) moves their counts by trigger instead.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgressCount(models.Model):
    # The stratum: the fields round progress groups and filters interviews by.
    form = models.ForeignKey(
        "surveys.KoboForm", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    # No index: after compaction the table holds a few rows per stratum; reads scan it whole.
    location = models.ForeignKey(
        "surveys.Location",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    enumerator = models.ForeignKey(
        "surveys.Enumerator",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    respondent_sex = models.CharField(max_length=6, blank=True)
    respondent_citizenship = models.CharField(max_length=40, blank=True)
    review_status = models.CharField(max_length=12)
    is_eligible = models.BooleanField()
    # A change (negative when interviews left the stratum) until compaction adds them up.
    n = models.BigIntegerField()

    class Meta:
        verbose_name = _("progress count")
        verbose_name_plural = _("progress counts")

    def __str__(self) -> str:
        return f"{self.form_id}/{self.location_id}/{self.respondent_sex}: {self.n}"
