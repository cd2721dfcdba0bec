"""Inclusion criteria keep the report's wording, their source, kind and preset."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("validation", "0015_export_job_lease"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="inclusioncriterion",
            options={
                "ordering": ("round", "order", "code"),
                "verbose_name_plural": "inclusion criteria",
            },
        ),
        migrations.AddField(
            model_name="inclusioncriterion",
            name="kind",
            field=models.CharField(
                choices=[
                    ("inclusion", "Inclusion criterion"),
                    ("exclusion", "Excluded by definition"),
                ],
                default="inclusion",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="inclusioncriterion",
            name="variable",
            field=models.CharField(
                blank=True,
                help_text="The report's variable, e.g. Age, Length of stay",
                max_length=80,
            ),
        ),
        migrations.AddField(
            model_name="inclusioncriterion",
            name="source",
            field=models.CharField(
                blank=True,
                help_text="The published report (and table) it comes from",
                max_length=300,
            ),
        ),
        migrations.AddField(
            model_name="inclusioncriterion",
            name="preset",
            field=models.CharField(
                blank=True,
                help_text="The published set it was applied from, if any",
                max_length=60,
            ),
        ),
        migrations.AlterField(
            model_name="inclusioncriterion",
            name="label",
            field=models.CharField(
                help_text="The criterion as the report words it", max_length=200
            ),
        ),
        migrations.AlterField(
            model_name="inclusioncriterion",
            name="message",
            field=models.CharField(
                help_text="Shown when the criterion fails, in plain words", max_length=300
            ),
        ),
    ]
