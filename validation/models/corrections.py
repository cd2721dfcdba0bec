"""Correction tasks sent to enumerators, their append-only log, and the notification log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CorrectionPolicy(models.Model):
    """Per-round settings of the correction workflow (rows, not code: rounds differ)."""

    round = models.OneToOneField(
        "surveys.Round", on_delete=models.CASCADE, related_name="correction_policy"
    )
    auto_open_for_blockers = models.BooleanField(
        default=False,
        help_text="Send interviews with open blocker flags back to the enumerator by themselves",
    )
    due_hours = models.PositiveIntegerField(
        null=True, blank=True, help_text="Time to fix; empty = MTM_CORRECTION_DEADLINE_H"
    )
    remind_before_hours = models.PositiveIntegerField(
        default=12, help_text="Remind the enumerator this long before the due time"
    )

    class Meta:
        verbose_name = _("correction policy")
        verbose_name_plural = _("correction policies")

    def __str__(self) -> str:
        return f"correction policy of round {self.round_id}"


class CorrectionTask(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        NOTIFIED = "notified", _("Enumerator notified")
        SUBMITTED = "submitted", _("Fixed by the enumerator, awaiting sync")
        STILL_FAILING = "still_failing", _("Still failing")
        EXPIRED = "expired", _("Overdue")
        RESOLVED = "resolved", _("Resolved")
        CANCELLED = "cancelled", _("Cancelled")

    submission = models.ForeignKey(
        "surveys.Submission",
        on_delete=models.CASCADE,
        related_name="correction_tasks",
        verbose_name=_("submission"),
    )
    enumerator = models.ForeignKey(
        "surveys.Enumerator",
        on_delete=models.PROTECT,
        related_name="correction_tasks",
        verbose_name=_("enumerator"),
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Told when it resolves or is overdue (the team's supervisor at opening)",
        verbose_name=_("supervisor"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when opened automatically for blocker flags",
        verbose_name=_("opened by"),
    )
    review_event = models.ForeignKey(
        "validation.ReviewEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("review event"),
    )
    state = models.CharField(
        max_length=16, choices=State.choices, default=State.OPEN, verbose_name=_("state")
    )
    comment = models.TextField(
        blank=True, help_text="The supervisor's words to the enumerator", verbose_name=_("comment")
    )
    items = models.JSONField(
        default=list,
        help_text="Questions to re-ask: path, labels, answer, the flags behind each, passing",
        verbose_name=_("items"),
    )
    edit_url = models.URLField(
        max_length=500,
        help_text="KoBo's stable redirect-edit URL (never the Enketo link)",
        verbose_name=_("edit URL"),
    )
    instance_id = models.CharField(
        max_length=80,
        help_text="meta/instanceID last judged (a new one means a new version)",
        verbose_name=_("instanceID"),
    )
    attempts = models.PositiveIntegerField(
        default=0, help_text="Corrections judged so far", verbose_name=_("attempts")
    )
    due_at = models.DateTimeField(verbose_name=_("due at"))
    opened_at = models.DateTimeField(auto_now_add=True, verbose_name=_("opened at"))
    changed_at = models.DateTimeField(auto_now=True, verbose_name=_("changed at"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    reminded_for = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The due time the last reminder was for",
        verbose_name=_("reminded for"),
    )
    escalated_for = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The due time the last escalation was for",
        verbose_name=_("escalated for"),
    )

    class Meta:
        verbose_name = _("correction task")
        verbose_name_plural = _("correction tasks")
        ordering = ("due_at", "pk")
        constraints = [
            # One live task per interview: a second return updates it instead.
            models.UniqueConstraint(
                fields=("submission",),
                condition=~Q(state__in=("resolved", "cancelled")),
                name="correctiontask_one_active",
            ),
        ]
        indexes = [
            models.Index(fields=("enumerator", "state"), name="correctiontask_enum_idx"),
            models.Index(fields=("state", "due_at"), name="correctiontask_due_idx"),
        ]

    def __str__(self) -> str:
        return f"correction {self.pk} of submission {self.submission_id} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state not in (self.State.RESOLVED, self.State.CANCELLED)


ACTIVE_STATES = tuple(
    s
    for s in CorrectionTask.State.values
    if s not in (CorrectionTask.State.RESOLVED, CorrectionTask.State.CANCELLED)
)


class CorrectionEvent(models.Model):
    """Append-only: every state change of a task (the services only ever insert here)."""

    task = models.ForeignKey(CorrectionTask, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("correction event")
        verbose_name_plural = _("correction events")
        ordering = ("task", "at", "pk")

    def __str__(self) -> str:
        return f"task {self.task_id}: {self.from_state or '∅'} → {self.to_state}"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    TELEGRAM = "telegram", "Telegram"
    WEBHOOK = "webhook", "Webhook"


class Notification(models.Model):
    """One message on one channel; its key makes retries and redeliveries send it once."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Being sent (claimed)"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed, will retry"
        GAVE_UP = "gave_up", "Failed for good"

    task = models.ForeignKey(
        CorrectionTask,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    enumerator = models.ForeignKey(
        "surveys.Enumerator",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Digests only (they are per enumerator and day, not per task)",
    )
    day = models.DateField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    kind = models.CharField(max_length=40, help_text="opened, reminder.<due>, resolved, ...")
    recipient = models.CharField(max_length=254, help_text="Address, chat id or username")
    language = models.CharField(max_length=8, default="en")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    payload = models.JSONField(default=dict, help_text="The webhook's JSON document")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(
        null=True, blank=True, help_text="While sending: another worker may take over after this"
    )
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="After a failure: when the retry is due (backoff)"
    )
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ("created_at", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("task", "channel", "kind"),
                condition=Q(task__isnull=False),
                name="notification_once_per_task",
            ),
            models.UniqueConstraint(
                fields=("enumerator", "channel", "kind", "day"),
                condition=Q(task__isnull=True),
                name="notification_once_per_day",
            ),
            models.CheckConstraint(
                condition=Q(task__isnull=False) | Q(enumerator__isnull=False, day__isnull=False),
                name="notification_has_subject",
            ),
        ]
        indexes = [
            # The retry sweep reads only unfinished rows.
            models.Index(
                fields=("status", "next_attempt_at"),
                condition=Q(status__in=("pending", "sending", "failed")),
                name="notification_unfinished_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.channel} ({self.status})"

    @property
    def idempotency_key(self) -> str:
        """Stable across retries: receivers drop a second delivery carrying the same key."""
        return f"mtm-notification-{self.pk}"


class NotificationPreference(models.Model):
    """The language a user reads pages and messages in (set from the enumerator pages)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"
