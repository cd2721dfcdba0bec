"""Store each checked interview's citizenship answer, as its sex (quotas per citizenship).

Round progress read the answer out of every interview's JSON when a round had quotas per
citizenship; validation now stores it with respondent_sex. The backfill fills the interviews
already derived (respondent_sex set): the rest are read from their answers until validation
reaches them, as before.
"""

from typing import Any

from django.db import migrations, models
from django.db.models import Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Left

DEFAULT_PATH = "screening/citizenship"  # validation.models.check_config.QUESTION_ROLES


def backfill(apps: Any, schema_editor: Any) -> None:
    round_model = apps.get_model("surveys", "Round")
    submission = apps.get_model("surveys", "Submission")
    check_config = apps.get_model("validation", "CheckConfig")
    for round_id in round_model.objects.values_list("pk", flat=True):
        mapping = (
            check_config.objects.filter(round_id=round_id, is_active=True)
            .values_list("question_map", flat=True)
            .first()
        )
        path = DEFAULT_PATH
        if isinstance(mapping, dict) and isinstance(mapping.get("nationality"), str):
            path = mapping["nationality"] or DEFAULT_PATH
        submission.objects.filter(form__round_id=round_id).exclude(respondent_sex="").update(
            respondent_citizenship=Left(Coalesce(KT(f"data__{path}"), Value("")), 40)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0016_verbose_names"),
        ("validation", "0007_check_config"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="submission",
            name="submission_progress_idx",
        ),
        migrations.AddField(
            model_name="submission",
            name="respondent_citizenship",
            field=models.CharField(
                blank=True,
                default="",
                help_text="Answer to the round's citizenship question; empty: none or not derived",
                max_length=40,
                verbose_name="respondent citizenship",
            ),
        ),
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True), ("needs_validation", False)),
                fields=["form", "location", "respondent_sex", "review_status", "is_eligible"],
                include=("id", "respondent_citizenship"),
                name="submission_progress_idx",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
