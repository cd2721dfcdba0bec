"""AccessLog: who viewed an interview, revealed a field, streamed an export or changed a record.

Append-only. The model refuses to save an existing row or delete one, its queryset refuses
bulk updates and deletes, and on PostgreSQL a trigger refuses UPDATE and DELETE from anyone
(migration 0014). Its links are plain ids without database constraints, so deleting a user or
an interview neither cascades into the log nor is blocked by it.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessLogChangeError(RuntimeError):
    """Someone tried to change or delete an access-log row."""


class AccessLogQuerySet(models.QuerySet["AccessLog"]):
    def update(self, **kwargs: Any) -> int:
        raise AccessLogChangeError("The access log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AccessLogChangeError("The access log is append-only.")


class AccessLog(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", "viewed"
        REVEAL = "reveal", "revealed"
        EXPORT = "export", "exported"
        CHANGE = "change", "changed"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True, help_text="as it was then")
    action = models.CharField(max_length=10, choices=Action.choices)
    # What was touched: an interview, an export, or any admin object (a LogEntry's target).
    submission = models.ForeignKey(
        "surveys.Submission",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    field = models.CharField(max_length=255, blank=True, help_text="the revealed question")
    channel = models.CharField(max_length=20, blank=True, help_text="review screen, api, admin")
    detail = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    admin_log_id = models.IntegerField(
        null=True, blank=True, unique=True, help_text="the admin LogEntry this row copies"
    )

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ("-at", "-pk")
        indexes = [
            models.Index(fields=("submission", "at"), name="accesslog_sub_idx"),
            models.Index(fields=("actor", "at"), name="accesslog_actor_idx"),
            models.Index(fields=("action", "at"), name="accesslog_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_name or 'system'} {self.get_action_display()} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AccessLogChangeError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AccessLogChangeError("The access log is append-only.")
