"""Retention: how long a round keeps answers (RetentionPolicy) and the purge audit (PurgeRun)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The three-city study's rule (mtm-domain.md, data protection): seven years, then deletion.
DEFAULT_KEEP_YEARS = 7
DEFAULT_PERSONAL_DATA_DAYS = 90
DEFAULT_DELETED_ANSWERS_DAYS = 30


class RetentionPolicy(models.Model):
    """Per round; a round without one follows the defaults above."""

    round = models.OneToOneField(
        "surveys.Round", on_delete=models.CASCADE, related_name="retention_policy"
    )
    personal_data_days = models.PositiveIntegerField(
        default=DEFAULT_PERSONAL_DATA_DAYS,
        help_text="Days after fieldwork ends before personal identifiers (phone, name, exact "
        "GPS, the questions the check configuration lists) are removed from the answers",
    )
    deleted_answers_days = models.PositiveIntegerField(
        default=DEFAULT_DELETED_ANSWERS_DAYS,
        help_text="Days after an interview is deleted in KoBo before its answers are removed "
        "(its review history and flag codes stay)",
    )
    keep_years = models.PositiveSmallIntegerField(
        default=DEFAULT_KEEP_YEARS,
        help_text="Years after fieldwork ends before the round's interviews are deleted whole",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(keep_years__gte=1),
                name="retention_keep_at_least_a_year",
                violation_error_message="Interviews are kept at least one year.",
            ),
        ]

    def __str__(self) -> str:
        return f"Retention of round {self.round_id}"


class PurgeRun(models.Model):
    """One purge of one round, written once when it commits (append-only on PostgreSQL).

    Holds no foreign key: the record outlives the round, the user and the interviews it names.
    """

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule (beat)"
        COMMAND = "command", "Command"

    at = models.DateTimeField(db_index=True)
    actor = models.CharField(max_length=150, help_text="Who ran it: a username or the schedule")
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    round_id_value = models.PositiveIntegerField("round id", help_text="The round's id when purged")
    round_label = models.CharField("round", max_length=200)
    policy = models.JSONField(help_text="The policy applied: days and years")
    deleted_answers = models.PositiveIntegerField(
        default=0, help_text="Interviews deleted in KoBo whose answers were removed"
    )
    personal_interviews = models.PositiveIntegerField(
        default=0, help_text="Interviews personal identifiers were removed from"
    )
    personal_answers = models.PositiveIntegerField(
        default=0, help_text="Personal answers removed, in all"
    )
    interviews_deleted = models.PositiveIntegerField(
        default=0, help_text="Interviews deleted whole, past the retention period"
    )
    detail = models.JSONField(
        default=dict,
        blank=True,
        help_text="Paths purged and, for deleted interviews, counts by review status",
    )

    class Meta:
        verbose_name = _("purge run")
        verbose_name_plural = _("purge runs")
        ordering = ("-at", "-pk")

    def __str__(self) -> str:
        return f"Purge of {self.round_label} at {timezone.localtime(self.at):%Y-%m-%d %H:%M}"
