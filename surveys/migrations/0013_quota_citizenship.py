"""Quotas on any location, optionally per citizenship: unique per (round, location, sex, citizenship)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0012_import_jobs"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="quota",
            options={"ordering": ("round", "location__code", "sex", "citizenship")},
        ),
        migrations.RemoveConstraint(model_name="quota", name="quota_unique_stratum"),
        migrations.AddField(
            model_name="quota",
            name="citizenship",
            field=models.CharField(
                blank=True,
                default="",
                help_text="The citizenship answer as the form records it (e.g. uz); blank = all",
                max_length=40,
            ),
        ),
        migrations.AlterField(
            model_name="quota",
            name="location",
            field=models.ForeignKey(
                help_text="A region, city or district: interviews in the locations below it count too",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="quotas",
                to="surveys.location",
            ),
        ),
        migrations.AddConstraint(
            model_name="quota",
            constraint=models.UniqueConstraint(
                fields=("round", "location", "sex", "citizenship"), name="quota_unique_stratum"
            ),
        ),
    ]
