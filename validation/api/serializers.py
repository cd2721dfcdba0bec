"""Serializers of the validation API: shape only; decisions go through validation.review."""

from rest_framework import serializers

from validation.models import ExclusionReason, ExportJob, Flag, ReviewEvent


class FlagSerializer(serializers.ModelSerializer[Flag]):
    kobo_id = serializers.IntegerField(source="submission.kobo_id", read_only=True)

    class Meta:
        model = Flag
        fields = (
            "id",
            "submission",
            "kobo_id",
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

    class Meta:
        model = ReviewEvent
        fields = (
            "id",
            "submission",
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

    submission = serializers.IntegerField(min_value=1)
    decision = serializers.ChoiceField(choices=DECISIONS)
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
    quota_id = serializers.IntegerField()
    location_id = serializers.IntegerField()
    location_code = serializers.CharField()
    location_name = serializers.CharField()
    sex = serializers.CharField()
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
    round = serializers.IntegerField(min_value=1)
