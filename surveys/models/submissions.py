"""Submission: our copy of one KoBo interview, keyed by its stable meta/rootUuid."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AnswersField(models.JSONField):
    """JSON answers, bulk-inserted as VALUES rows rather than through UNNEST arrays.

    Django 5.2 bulk-inserts via UNNEST on PostgreSQL, and psycopg quotes each JSON document of
    such an array in Python, which made sync 3x slower; a placeholder opts out of UNNEST.
    """

    def get_placeholder(self, value: object, compiler: object, connection: object) -> str:
        return "%s"


class SubmissionQuerySet(models.QuerySet["Submission"]):
    def active(self) -> "SubmissionQuerySet":
        """Not deleted in KoBo (tombstones keep their review history but leave the queues)."""
        return self.filter(deleted_at__isnull=True)


class Submission(models.Model):
    class ReviewStatus(models.TextChoices):
        RECEIVED = "received", "Received"
        CLEAN = "clean", "Checked – clean"
        FLAGGED = "flagged", "Checked – flagged"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned to enumerator"
        CORRECTED = "corrected", "Corrected"
        EXCLUDED = "excluded", "Excluded"
        ON_HOLD = "on_hold", "On hold"

    # No index of its own on form or enumerator: submission_unique_root and
    # submission_enum_idx lead with them (a duplicate index costs every synced row a write).
    form = models.ForeignKey(
        "surveys.KoboForm",
        on_delete=models.PROTECT,
        db_index=False,
        related_name="submissions",
        verbose_name=_("form"),
    )
    kobo_id = models.BigIntegerField(
        help_text="KoBo _id: a lookup key, not the identity", verbose_name=_("KoBo ID")
    )
    root_uuid = models.CharField(
        max_length=64, help_text="meta/rootUuid without 'uuid:'", verbose_name=_("rootUuid")
    )
    instance_id = models.CharField(
        max_length=80, help_text="Current meta/instanceID", verbose_name=_("instanceID")
    )
    version_uid = models.CharField(
        max_length=64, blank=True, help_text="__version__", verbose_name=_("version UID")
    )
    version = models.ForeignKey(
        "surveys.FormVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("version"),
    )
    submitted_by = models.CharField(max_length=150, blank=True, verbose_name=_("submitted by"))
    submission_time = models.DateTimeField(verbose_name=_("submission time"))
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="First-seen start", verbose_name=_("started at")
    )
    ended_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="First-seen end (Enketo re-stamps end on edit)",
        verbose_name=_("ended at"),
    )
    data = AnswersField(verbose_name=_("data"))
    content_hash = models.CharField(max_length=64, verbose_name=_("content hash"))
    enumerator = models.ForeignKey(
        "surveys.Enumerator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name="submissions",
        verbose_name=_("enumerator"),
    )
    location = models.ForeignKey(
        "surveys.Location",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name=_("location"),
    )
    kobo_status = models.CharField(
        max_length=40,
        blank=True,
        help_text="KoBo validation status uid as last seen",
        verbose_name=_("KoBo status"),
    )
    kobo_status_pushed = models.CharField(
        max_length=40,
        blank=True,
        help_text="The status we last set in KoBo; KoBo showing another means someone changed it",
        verbose_name=_("KoBo status we set"),
    )
    review_status = models.CharField(
        max_length=12,
        choices=ReviewStatus.choices,
        default=ReviewStatus.RECEIVED,
        verbose_name=_("review status"),
    )
    needs_validation = models.BooleanField(default=True, verbose_name=_("needs validation"))
    changed_since_review = models.BooleanField(
        default=False,
        help_text="Data changed in KoBo after a supervisor's decision",
        verbose_name=_("changed since review"),
    )
    deleted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("deleted at"))
    # Read by the round progress aggregate instead of the answers; written by validation with
    # the verdict (validation.quota_progress.derive_progress_fields). Trusted only while
    # needs_validation is false: sync marks changed answers dirty, the aggregate then reads them.
    respondent_sex = models.CharField(
        max_length=6,
        blank=True,
        help_text="Answer to the round's sex question: female, male or other; empty: not derived",
        verbose_name=_("respondent sex"),
    )
    is_eligible = models.BooleanField(
        default=False, help_text="Eligibility verdict is eligible", verbose_name=_("is eligible")
    )
    # As respondent_sex, for quotas per citizenship: reading the answer out of every
    # interview's JSON made round progress several times slower.
    respondent_citizenship = models.CharField(
        max_length=40,
        blank=True,
        default="",
        help_text="Answer to the round's citizenship question; empty: none or not derived",
        verbose_name=_("respondent citizenship"),
    )
    # Copies of the interview's ReviewPriority score and spot-check draw, written with it by
    # validation.flags.priority: on this table the review queue's first page is a walk of
    # submission_queue_idx that stops after a page, not a join and sort of every waiting row.
    risk_score = models.IntegerField(
        default=0,
        help_text="The review queue's risk score (validation.flags.priority)",
        verbose_name=_("risk score"),
    )
    spot_check = models.BooleanField(
        default=False,
        help_text="A clean interview drawn for a random spot check",
        verbose_name=_("spot check"),
    )
    first_synced_at = models.DateTimeField(auto_now_add=True, verbose_name=_("first synced at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ("-submission_time",)
        constraints = [
            models.UniqueConstraint(fields=("form", "root_uuid"), name="submission_unique_root"),
            # Tombstones keep their _id: a reset KoBo server may hand it to another interview.
            models.UniqueConstraint(
                fields=("form", "kobo_id"),
                condition=Q(deleted_at__isnull=True),
                name="submission_unique_kobo_id",
            ),
        ]
        indexes = [
            models.Index(
                fields=("form",),
                condition=Q(needs_validation=True),
                name="submission_dirty_idx",
            ),
            models.Index(fields=("review_status", "submission_time"), name="submission_review_idx"),
            models.Index(fields=("enumerator", "submission_time"), name="submission_enum_idx"),
            # Covers round progress: an index-only scan of the checked, active interviews.
            models.Index(
                fields=("form", "location", "respondent_sex", "review_status", "is_eligible"),
                include=("id", "respondent_citizenship"),
                condition=Q(deleted_at__isnull=True, needs_validation=False),
                name="submission_progress_idx",
            ),
            models.Index(
                fields=("form",),
                condition=Q(respondent_sex=""),
                name="submission_underived_idx",
            ),
            # The review queue in its order (validation.selectors: _WAITING, QUEUE_ORDER; the
            # predicate must stay the queue's own filter for the planner to use it). Its
            # first page reads 50 entries (a supervisor's: the entries until 50 are theirs,
            # filtered by the enumerator and location carried in the index).
            models.Index(
                fields=("-risk_score", "submission_time", "id"),
                include=("enumerator", "location"),
                condition=Q(deleted_at__isnull=True)
                & (
                    Q(review_status__in=("flagged", "on_hold"))
                    | Q(changed_since_review=True)
                    | Q(review_status="clean", spot_check=True)
                ),
                name="submission_queue_idx",
            ),
            # The review screen's address is the KoBo ID alone (any form, tombstones too):
            # submission_unique_kobo_id leads with the form and holds live rows only.
            models.Index(fields=("kobo_id",), name="submission_kobo_id_idx"),
            # The API's list order (newest first): its first page is 50 index entries, not a
            # sort of the table; the dashboard map's latest points too.
            models.Index(fields=("-submission_time", "id"), name="submission_time_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.kobo_id} ({self.root_uuid[:8]})"
