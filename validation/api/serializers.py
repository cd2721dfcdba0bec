"""Serializers of the validation API: shape only; decisions go through validation.review."""

from typing import Any

from rest_framework import serializers

from mtm.api_filters import BIGINT_MAX
from surveys.api.serializers import SubmissionDetailSerializer
from surveys.models import Submission
from validation.models import ExclusionReason, ExportJob, Flag, ReviewEvent
from validation.privacy.masking import personal_data_for


class MaskedSubmissionDetailSerializer(SubmissionDetailSerializer):
    """An interview's answers with the round's personal data masked (never in clear here)."""

    def to_representation(self, instance: Submission) -> dict[str, Any]:
        out: dict[str, Any] = super().to_representation(instance)
        personal = personal_data_for(form_id=instance.form_id, round_id=instance.form.round_id)
        out["data"] = personal.masked_data(instance.data)
        return out


# The interview's public number, the same on every page, message, export and API field.
INTERVIEW_HELP = "The interview's KoBo ID (KoBo's _id), its number on every page and export."


class FlagSerializer(serializers.ModelSerializer[Flag]):
    interview = serializers.IntegerField(
        source="submission.kobo_id", read_only=True, help_text=INTERVIEW_HELP
    )

    class Meta:
        model = Flag
        fields = (
            "id",
            "submission",
            "interview",
            "check_code",
            "path",
            "severity",
            "message",
            "status",
            "first_seen_at",
            "last_seen_at",
            "resolved_at",
        )


class ReviewEventSerializer(serializers.ModelSerializer[ReviewEvent]):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)
    interview = serializers.IntegerField(
        source="submission.kobo_id", read_only=True, help_text=INTERVIEW_HELP
    )
    form = serializers.IntegerField(source="submission.form_id", read_only=True)

    class Meta:
        model = ReviewEvent
        fields = (
            "id",
            "submission",
            "interview",
            "form",
            "actor",
            "at",
            "from_status",
            "to_status",
            "comment",
            "reason",
            "questions",
        )


class DecisionInputSerializer(serializers.Serializer[dict[str, object]]):
    DECISIONS = ("approve", "return", "exclude", "hold")

    interview = serializers.IntegerField(
        min_value=1, max_value=BIGINT_MAX, help_text=INTERVIEW_HELP
    )
    form = serializers.IntegerField(
        min_value=1,
        max_value=BIGINT_MAX,
        required=False,
        allow_null=True,
        default=None,
        help_text="Needed only when KoBo ID is used by interviews of several forms you may see "
        "(KoBo numbers interviews per server).",
    )
    decision = serializers.ChoiceField(choices=DECISIONS)
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Approve an ineligible interview, or one with an open blocker (needs a comment).",
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    reason = serializers.ChoiceField(
        choices=ExclusionReason.choices, required=False, allow_blank=True, default=""
    )
    questions = serializers.ListField(
        child=serializers.CharField(max_length=255), required=False, default=list, max_length=200
    )


class ExportJobSerializer(serializers.ModelSerializer[ExportJob]):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = ExportJob
        fields = (
            "id",
            "kind",
            "format",
            "round",
            "status",
            "rows_total",
            "rows_done",
            "percent",
            "file_name",
            "error",
            "created_at",
            "finished_at",
        )
        read_only_fields = (
            "id",
            "status",
            "rows_total",
            "rows_done",
            "percent",
            "file_name",
            "error",
            "created_at",
            "finished_at",
        )


class QuotaProgressSerializer(serializers.Serializer[object]):
    """One quota's progress; a quota counts the interviews of the locations below it too.

    `nested` rows are inside another quota of the list (`within_quota_id`): add up only the
    rows with `nested` false for a round total, or a city and its districts count twice.
    """

    quota_id = serializers.IntegerField()
    location_id = serializers.IntegerField()
    location_code = serializers.CharField()
    location_name = serializers.CharField()
    level = serializers.CharField(help_text="region, city or district")
    sex = serializers.CharField()
    citizenship = serializers.CharField(help_text="blank: every citizenship")
    nested = serializers.BooleanField()
    within_quota_id = serializers.IntegerField(allow_null=True)
    target = serializers.IntegerField()
    collected = serializers.IntegerField()
    eligible = serializers.IntegerField()
    approved = serializers.IntegerField()
    pending = serializers.IntegerField()
    excluded = serializers.IntegerField()
    counted = serializers.IntegerField()
    remaining = serializers.IntegerField()
    over = serializers.IntegerField()
    percent = serializers.FloatField()


class QuotaProgressQuerySerializer(serializers.Serializer[dict[str, int]]):
    round = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX)
