"""Model and field names in the admin become translatable (#16 item 8): no schema change."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0016_verbose_names"),
        ("validation", "0016_criterion_source_and_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="checkconfig",
            options={
                "ordering": ("round", "form"),
                "verbose_name": "check configuration",
                "verbose_name_plural": "check configurations",
            },
        ),
        migrations.AlterModelOptions(
            name="correctionevent",
            options={
                "ordering": ("task", "at", "pk"),
                "verbose_name": "correction event",
                "verbose_name_plural": "correction events",
            },
        ),
        migrations.AlterModelOptions(
            name="correctionpolicy",
            options={
                "verbose_name": "correction policy",
                "verbose_name_plural": "correction policies",
            },
        ),
        migrations.AlterModelOptions(
            name="correctiontask",
            options={
                "ordering": ("due_at", "pk"),
                "verbose_name": "correction task",
                "verbose_name_plural": "correction tasks",
            },
        ),
        migrations.AlterModelOptions(
            name="eligibility",
            options={"verbose_name": "eligibility verdict", "verbose_name_plural": "eligibility"},
        ),
        migrations.AlterModelOptions(
            name="flag",
            options={
                "ordering": ("submission", "check_code", "path"),
                "verbose_name": "flag",
                "verbose_name_plural": "flags",
            },
        ),
        migrations.AlterModelOptions(
            name="inclusioncriterion",
            options={
                "ordering": ("round", "order", "code"),
                "verbose_name": "inclusion criterion",
                "verbose_name_plural": "inclusion criteria",
            },
        ),
        migrations.AlterModelOptions(
            name="notification",
            options={
                "ordering": ("created_at", "pk"),
                "verbose_name": "notification",
                "verbose_name_plural": "notifications",
            },
        ),
        migrations.AlterField(
            model_name="correctiontask",
            name="attempts",
            field=models.PositiveIntegerField(
                default=0, help_text="Corrections judged so far", verbose_name="attempts"
            ),
        ),
        migrations.AlterField(
            model_name="correctiontask",
            name="changed_at",
            field=models.DateTimeField(auto_now=True, verbose_name="changed at"),
        ),
        migrations.AlterField(
            model_name="correctiontask",
            name="closed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="closed at"),
        ),
        migrations.AlterField(
            model_name="correctiontask",
            name="comment",
            field=models.TextField(
                blank=True,
                help_text="The supervisor's words to the enumerator",
                verbose_name="comment",
            ),
        ),
        migrations.AlterField(
            model_name="correctiontask",
            name="due_at",
            field=models.DateTimeField(verbose_name="due at"),
        ),
        migrations.AlterField(
            model_name="correctiontask",
            name="edit_url",
            field=models.URLField(
                help_text="KoBo's stable redirect-edit URL (never the Enketo link)",
                max_length=500,
                verbose_name="edit URL",
            ),
        ),
        migrations.AlterField(
            model_name="correctiontask",
            name="enumerator",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="correction_tasks",
                to="surveys.enumerator",
                verbose_name="enumerator",
            ),
        ),
        migrations.AlterField(
            model_name="correctiontask",
            name="escalated_for",
            field=models.DateTimeField(
                blank=True,
                help_text="The due time the last escalation was for",
                null=True,
                verbose_name="escalated for",
            ),
        ),
        migrations.AlterField(
            model_name="correctiontask",
            name="instance_id",
            field=models.CharField(
                help_text="meta/instanceID last judged (a new one means a new version)",
                max_length=80,
                verbose_name="instanceID",
            ),
        ),
        migrations.AlterField(
            model_name="correctiontask",
            name="items",
            field=models.JSONField(
                default=list,
                help_text="Questions to re-ask: path, labels, answer, the flags behind each, passing",  # noqa: E501
                verbose_name="items",
            ),
        ),
        migrations.AlterField(
            model_name="correctiontask",
            name="opened_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="opened at"),
        ),
        migrations.AlterField(
            model_name="correctiontask",
            name="opened_by",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty when opened automatically for blocker flags",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="opened by",
            ),
        ),
        migrations.AlterField(
            model_name="correctiontask",
            name="reminded_for",
            field=models.DateTimeField(
                blank=True,
                help_text="The due time the last reminder was for",
                null=True,
                verbose_name="reminded for",
            ),
        ),
        migrations.AlterField(
            model_name="correctiontask",
            name="review_event",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="validation.reviewevent",
                verbose_name="review event",
            ),
        ),
        migrations.AlterField(
            model_name="correctiontask",
            name="state",
            field=models.CharField(
                choices=[
                    ("open", "Open"),
                    ("notified", "Enumerator notified"),
                    ("submitted", "Fixed by the enumerator, awaiting sync"),
                    ("still_failing", "Still failing"),
                    ("expired", "Overdue"),
                    ("resolved", "Resolved"),
                    ("cancelled", "Cancelled"),
                ],
                default="open",
                max_length=16,
                verbose_name="state",
            ),
        ),
        migrations.AlterField(
            model_name="correctiontask",
            name="submission",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="correction_tasks",
                to="surveys.submission",
                verbose_name="submission",
            ),
        ),
        migrations.AlterField(
            model_name="correctiontask",
            name="supervisor",
            field=models.ForeignKey(
                blank=True,
                help_text="Told when it resolves or is overdue (the team's supervisor at opening)",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="supervisor",
            ),
        ),
    ]
