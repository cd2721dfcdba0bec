"""Team (a supervisor and the locations they cover) and Enumerator (a data collector)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from surveys.models.choices import Sex


class Team(models.Model):
    name = models.CharField(max_length=120)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervised_teams",
        null=True,
        blank=True,
    )
    locations = models.ManyToManyField("surveys.Location", blank=True, related_name="teams")
    working_hours_start = models.TimeField(default="08:00")
    working_hours_end = models.TimeField(
        default="20:00", help_text="MTM moves work after 17:00 in hot weather: set per team"
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ("name",)
        constraints = [models.UniqueConstraint(fields=("name",), name="team_unique_name")]

    def __str__(self) -> str:
        return self.name


class Enumerator(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="enumerator",
        null=True,
        blank=True,
    )
    kobo_username = models.CharField(max_length=150, help_text="As in _submitted_by")
    full_name = models.CharField(max_length=200)
    sex = models.CharField(max_length=6, choices=Sex.choices)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="enumerators", null=True, blank=True
    )
    active_rounds = models.ManyToManyField("surveys.Round", blank=True, related_name="enumerators")
    telegram_chat_id = models.CharField(max_length=64, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("enumerator")
        verbose_name_plural = _("enumerators")
        ordering = ("kobo_username",)
        constraints = [
            models.UniqueConstraint(fields=("kobo_username",), name="enumerator_unique_kobo_user"),
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="enumerator_sex_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.kobo_username})"
