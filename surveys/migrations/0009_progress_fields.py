"""Round progress reads respondent_sex and is_eligible from an index, not from the answers."""

from typing import Any

from django.db import migrations, models
from django.db.models import Case, Q, Value, When

# Frozen copies: validation.models.check_config.QUESTION_ROLES["sex"] and surveys Sex values.
DEFAULT_SEX_PATH = "profile/sex"
SEXES = ("male", "female")


def backfill(apps: Any, schema_editor: Any) -> None:
    """As validation.quota_progress.derive_progress_fields does for each interview it checks."""
    Submission = apps.get_model("surveys", "Submission")
    Round = apps.get_model("surveys", "Round")
    CheckConfig = apps.get_model("validation", "CheckConfig")
    Eligibility = apps.get_model("validation", "Eligibility")
    Submission.objects.filter(
        pk__in=Eligibility.objects.filter(verdict="eligible").values("submission_id")
    ).update(is_eligible=True)
    for round_id in Round.objects.values_list("pk", flat=True):
        mapping = (
            CheckConfig.objects.filter(round_id=round_id, is_active=True)
            .order_by("round", "form")
            .values_list("question_map", flat=True)
            .first()
        )
        path = DEFAULT_SEX_PATH
        if isinstance(mapping, dict) and isinstance(mapping.get("sex"), str) and mapping["sex"]:
            path = mapping["sex"]
        Submission.objects.filter(form__round_id=round_id).update(
            respondent_sex=Case(
                *(When(Q(**{f"data__{path}": sex}), then=Value(sex)) for sex in SEXES),
                default=Value("other"),
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0008_answers_lz4"),
        ("validation", "0009_quota_check_schedule"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="is_eligible",
            field=models.BooleanField(default=False, help_text="Eligibility verdict is eligible"),
        ),
        migrations.AddField(
            model_name="submission",
            name="respondent_sex",
            field=models.CharField(
                blank=True,
                default="",
                help_text="Answer to the round's sex question: female, male or other; empty: "
                "not derived",
                max_length=6,
            ),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True), ("needs_validation", False)),
                fields=["form", "location", "respondent_sex", "review_status", "is_eligible"],
                include=("id",),
                name="submission_progress_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(
                condition=models.Q(("respondent_sex", "")),
                fields=["form"],
                name="submission_underived_idx",
            ),
        ),
        # Last: an index built after the UPDATE would meet its pending FK trigger events.
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
