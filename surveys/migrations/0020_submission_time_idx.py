"""The API's submission list in its order, newest first, read from an index (issue #19)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0019_submission_fewer_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(fields=["-submission_time", "id"], name="submission_time_idx"),
        ),
    ]
