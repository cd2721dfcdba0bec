"""Model and field names in the admin become translatable (#16 item 8): no schema change."""

import django.db.models.deletion
from django.db import migrations, models

import surveys.models.submissions


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0015_baseline"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="baselinefigure",
            options={
                "ordering": ("round", "location__code", "year", "population", "sex"),
                "verbose_name": "baseline figure",
                "verbose_name_plural": "baseline figures",
            },
        ),
        migrations.AlterModelOptions(
            name="enumerator",
            options={
                "ordering": ("kobo_username",),
                "verbose_name": "enumerator",
                "verbose_name_plural": "enumerators",
            },
        ),
        migrations.AlterModelOptions(
            name="formversion",
            options={
                "ordering": ("form", "-date_deployed"),
                "verbose_name": "form version",
                "verbose_name_plural": "form versions",
            },
        ),
        migrations.AlterModelOptions(
            name="importjob",
            options={
                "ordering": ("-created_at",),
                "verbose_name": "import job",
                "verbose_name_plural": "import jobs",
            },
        ),
        migrations.AlterModelOptions(
            name="koboform",
            options={
                "ordering": ("name",),
                "verbose_name": "KoBo form",
                "verbose_name_plural": "KoBo forms",
            },
        ),
        migrations.AlterModelOptions(
            name="koboserver",
            options={
                "ordering": ("name",),
                "verbose_name": "KoBo server",
                "verbose_name_plural": "KoBo servers",
            },
        ),
        migrations.AlterModelOptions(
            name="location",
            options={
                "ordering": ("code",),
                "verbose_name": "location",
                "verbose_name_plural": "locations",
            },
        ),
        migrations.AlterModelOptions(
            name="purgerun",
            options={
                "ordering": ("-at", "-pk"),
                "verbose_name": "purge run",
                "verbose_name_plural": "purge runs",
            },
        ),
        migrations.AlterModelOptions(
            name="quota",
            options={
                "ordering": ("round", "location__code", "sex", "citizenship"),
                "verbose_name": "quota",
                "verbose_name_plural": "quotas",
            },
        ),
        migrations.AlterModelOptions(
            name="round",
            options={
                "ordering": ("country", "-number"),
                "verbose_name": "round",
                "verbose_name_plural": "rounds",
            },
        ),
        migrations.AlterModelOptions(
            name="submission",
            options={
                "ordering": ("-submission_time",),
                "verbose_name": "submission",
                "verbose_name_plural": "submissions",
            },
        ),
        migrations.AlterModelOptions(
            name="synccursor",
            options={"verbose_name": "sync cursor", "verbose_name_plural": "sync cursors"},
        ),
        migrations.AlterModelOptions(
            name="syncissue",
            options={
                "ordering": ("-created_at",),
                "verbose_name": "sync issue",
                "verbose_name_plural": "sync issues",
            },
        ),
        migrations.AlterModelOptions(
            name="syncrun",
            options={
                "ordering": ("-started_at",),
                "verbose_name": "sync run",
                "verbose_name_plural": "sync runs",
            },
        ),
        migrations.AlterModelOptions(
            name="team",
            options={"ordering": ("name",), "verbose_name": "team", "verbose_name_plural": "teams"},
        ),
        migrations.AlterField(
            model_name="submission",
            name="changed_since_review",
            field=models.BooleanField(
                default=False,
                help_text="Data changed in KoBo after a supervisor's decision",
                verbose_name="changed since review",
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="content_hash",
            field=models.CharField(max_length=64, verbose_name="content hash"),
        ),
        migrations.AlterField(
            model_name="submission",
            name="data",
            field=surveys.models.submissions.AnswersField(verbose_name="data"),
        ),
        migrations.AlterField(
            model_name="submission",
            name="deleted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="deleted at"),
        ),
        migrations.AlterField(
            model_name="submission",
            name="ended_at",
            field=models.DateTimeField(
                blank=True,
                help_text="First-seen end (Enketo re-stamps end on edit)",
                null=True,
                verbose_name="ended at",
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="enumerator",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="submissions",
                to="surveys.enumerator",
                verbose_name="enumerator",
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="first_synced_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="first synced at"),
        ),
        migrations.AlterField(
            model_name="submission",
            name="form",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="submissions",
                to="surveys.koboform",
                verbose_name="form",
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="instance_id",
            field=models.CharField(
                help_text="Current meta/instanceID", max_length=80, verbose_name="instanceID"
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="is_eligible",
            field=models.BooleanField(
                default=False,
                help_text="Eligibility verdict is eligible",
                verbose_name="is eligible",
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="kobo_id",
            field=models.BigIntegerField(
                help_text="KoBo _id: a lookup key, not the identity", verbose_name="KoBo ID"
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="kobo_status",
            field=models.CharField(
                blank=True,
                help_text="KoBo validation status uid as last seen",
                max_length=40,
                verbose_name="KoBo status",
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="kobo_status_pushed",
            field=models.CharField(
                blank=True,
                help_text="The status we last set in KoBo; KoBo showing another means someone changed it",  # noqa: E501
                max_length=40,
                verbose_name="KoBo status we set",
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="location",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="submissions",
                to="surveys.location",
                verbose_name="location",
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="needs_validation",
            field=models.BooleanField(default=True, verbose_name="needs validation"),
        ),
        migrations.AlterField(
            model_name="submission",
            name="respondent_sex",
            field=models.CharField(
                blank=True,
                help_text="Answer to the round's sex question: female, male or other; empty: not derived",  # noqa: E501
                max_length=6,
                verbose_name="respondent sex",
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="review_status",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("clean", "Checked – clean"),
                    ("flagged", "Checked – flagged"),
                    ("approved", "Approved"),
                    ("returned", "Returned to enumerator"),
                    ("corrected", "Corrected"),
                    ("excluded", "Excluded"),
                    ("on_hold", "On hold"),
                ],
                default="received",
                max_length=12,
                verbose_name="review status",
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="root_uuid",
            field=models.CharField(
                help_text="meta/rootUuid without 'uuid:'", max_length=64, verbose_name="rootUuid"
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="started_at",
            field=models.DateTimeField(
                blank=True, help_text="First-seen start", null=True, verbose_name="started at"
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="submission_time",
            field=models.DateTimeField(verbose_name="submission time"),
        ),
        migrations.AlterField(
            model_name="submission",
            name="submitted_by",
            field=models.CharField(blank=True, max_length=150, verbose_name="submitted by"),
        ),
        migrations.AlterField(
            model_name="submission",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        migrations.AlterField(
            model_name="submission",
            name="version",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="surveys.formversion",
                verbose_name="version",
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="version_uid",
            field=models.CharField(
                blank=True, help_text="__version__", max_length=64, verbose_name="version UID"
            ),
        ),
    ]
