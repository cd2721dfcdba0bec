"""Drop the single-column indexes on Submission.form and Submission.enumerator.

Each duplicates the leading column of a wider index that stays (submission_unique_root on
(form, root_uuid), submission_enum_idx on (enumerator, submission_time)), which serves the
same look-ups, the foreign keys' ON DELETE checks included. Every synced row wrote both.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0018_risk_score_on_submission"),
    ]

    operations = [
        migrations.AlterField(
            model_name="submission",
            name="form",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="submissions",
                to="surveys.koboform",
                verbose_name="form",
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="enumerator",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="submissions",
                to="surveys.enumerator",
                verbose_name="enumerator",
            ),
        ),
    ]
