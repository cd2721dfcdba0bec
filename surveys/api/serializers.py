"""Output serializers of the surveys API: shape only, no logic."""

from rest_framework import serializers

from surveys.models import Enumerator, Location, Quota, Round, Submission, SyncRun, Team


class RoundSerializer(serializers.ModelSerializer[Round]):
    class Meta:
        model = Round
        fields = ("id", "country", "number", "name", "fieldwork_start", "fieldwork_end", "status")


class LocationSerializer(serializers.ModelSerializer[Location]):
    class Meta:
        model = Location
        fields = (
            "id",
            "code",
            "kind",
            "parent",
            "name_en",
            "name_ru",
            "name_kk",
            "aliases",
            "centroid_lat",
            "centroid_lon",
            "is_active",
        )


class QuotaSerializer(serializers.ModelSerializer[Quota]):
    location_code = serializers.CharField(source="location.code", read_only=True)

    class Meta:
        model = Quota
        fields = ("id", "round", "location", "location_code", "sex", "citizenship", "target")


class TeamSerializer(serializers.ModelSerializer[Team]):
    supervisor = serializers.CharField(source="supervisor.username", default=None, read_only=True)
    locations = serializers.ManyRelatedField(
        child_relation=serializers.PrimaryKeyRelatedField(read_only=True), read_only=True
    )

    class Meta:
        model = Team
        fields = (
            "id",
            "name",
            "supervisor",
            "locations",
            "working_hours_start",
            "working_hours_end",
        )


class EnumeratorSerializer(serializers.ModelSerializer[Enumerator]):
    class Meta:
        model = Enumerator
        fields = ("id", "kobo_username", "full_name", "sex", "team", "is_active")


class SubmissionSerializer(serializers.ModelSerializer[Submission]):
    round = serializers.IntegerField(source="form.round_id", read_only=True, allow_null=True)
    enumerator_username = serializers.CharField(
        source="enumerator.kobo_username", default=None, read_only=True
    )
    location_code = serializers.CharField(source="location.code", default=None, read_only=True)

    class Meta:
        model = Submission
        fields: tuple[str, ...] = (
            "id",
            "form",
            "round",
            "kobo_id",
            "root_uuid",
            "version_uid",
            "submission_time",
            "started_at",
            "ended_at",
            "enumerator",
            "enumerator_username",
            "location",
            "location_code",
            "review_status",
            "changed_since_review",
            "deleted_at",
        )


class SubmissionDetailSerializer(SubmissionSerializer):
    """The answers too: only in the detail, where one interview is asked for by id.

    Served through validation.api.serializers.MaskedSubmissionDetailSerializer, which masks
    the round's personal data (the question map lives in validation, which surveys never
    imports); mtm.api_urls routes that one.
    """

    class Meta(SubmissionSerializer.Meta):
        fields: tuple[str, ...] = (*SubmissionSerializer.Meta.fields, "data")


class SyncRunSerializer(serializers.ModelSerializer[SyncRun]):
    class Meta:
        model = SyncRun
        fields = (
            "id",
            "form",
            "started_at",
            "finished_at",
            "status",
            "full",
            "pages",
            "created",
            "updated",
            "unchanged",
            "deleted",
            "quarantined",
            "error",
        )
