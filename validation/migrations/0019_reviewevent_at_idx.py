"""The API's review log in its order, newest first, read from an index (issue #19)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("validation", "0018_progress_counts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="reviewevent",
            index=models.Index(fields=["-at", "-id"], name="reviewevent_at_idx"),
        ),
    ]
