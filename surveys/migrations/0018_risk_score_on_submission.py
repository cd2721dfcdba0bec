"""Store each interview's risk score and spot-check draw on it, for the review queue's index.

The queue read every waiting interview of the user's scope, joined each to its ReviewPriority
and sorted them all for a page of 50 (linear in the queue's size). With the two values on the
interview, a partial index in the queue's order gives the first page as an index walk that
stops after 50 entries (it replaces submission_waiting_idx, which held every waiting or clean
interview in no useful order). validation.flags.priority writes them with ReviewPriority;
the backfill copies the priorities already computed (before the index is built: one pass).

Also an index on the KoBo ID alone: the review screen finds its interview by it, which read
the whole table (the unique constraint leads with the form and leaves tombstones out).
"""

from typing import Any

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill(apps: Any, schema_editor: Any) -> None:
    submission = apps.get_model("surveys", "Submission")
    priority = apps.get_model("validation", "ReviewPriority")
    own = priority.objects.filter(submission_id=OuterRef("pk"))
    submission.objects.filter(pk__in=priority.objects.values("submission_id")).update(
        risk_score=Subquery(own.values("score")[:1]),
        spot_check=Subquery(own.values("spot_check")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0017_respondent_citizenship"),
        ("validation", "0004_review_priority"),
    ]

    operations = [
        # The queue's previous index (every waiting or clean interview, unordered).
        migrations.RemoveIndex(model_name="submission", name="submission_waiting_idx"),
        migrations.AddField(
            model_name="submission",
            name="risk_score",
            field=models.IntegerField(
                default=0,
                help_text="The review queue's risk score (validation.flags.priority)",
                verbose_name="risk score",
            ),
        ),
        migrations.AddField(
            model_name="submission",
            name="spot_check",
            field=models.BooleanField(
                default=False,
                help_text="A clean interview drawn for a random spot check",
                verbose_name="spot check",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(
                condition=models.Q(
                    ("deleted_at__isnull", True),
                    models.Q(
                        ("review_status__in", ("flagged", "on_hold")),
                        ("changed_since_review", True),
                        models.Q(("review_status", "clean"), ("spot_check", True)),
                        _connector="OR",
                    ),
                ),
                fields=["-risk_score", "submission_time", "id"],
                include=("enumerator", "location"),
                name="submission_queue_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(fields=["kobo_id"], name="submission_kobo_id_idx"),
        ),
    ]
