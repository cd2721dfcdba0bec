
"""Baseline Mobility Assessment figures and the inputs they were derived from."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

from surveys.roles import sync_role_groups


def grant(apps: Any, schema_editor: Any) -> None:
    sync_role_groups(apps)



class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0014_retention'),
    ]

    operations = [
        migrations.CreateModel(
            name='BaselineFigure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(help_text='The calendar year the count is for')),
                ('population', models.CharField(choices=[('migrant_workers', 'International migrant workers'), ('return_migrants', 'Return migrants'), ('emigrants', 'Emigrants')], max_length=20)),
                ('sex', models.CharField(blank=True, choices=[('male', 'Male'), ('female', 'Female')], default='', help_text='Blank = total', max_length=6)),
                ('count', models.PositiveIntegerField()),
                ('source', models.CharField(choices=[('ki', 'Key-informant interviews'), ('import', 'Imported')], default='import', max_length=8)),
                ('informants', models.PositiveSmallIntegerField(default=0, help_text='Key informants whose answers gave this figure (0 when imported)')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('location', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='baseline_figures', to='surveys.location')),
                ('round', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='baseline_figures', to='surveys.round')),
            ],
            options={
                'ordering': ('round', 'location__code', 'year', 'population', 'sex'),
                'indexes': [models.Index(fields=['round', 'population', 'year'], name='baseline_round_pop')],
                'constraints': [models.UniqueConstraint(fields=('round', 'location', 'year', 'population', 'sex'), name='baseline_unique_figure'), models.CheckConstraint(condition=models.Q(('sex__in', ['', 'male', 'female'])), name='baseline_sex_valid'), models.CheckConstraint(condition=models.Q(('population__in', ['migrant_workers', 'return_migrants', 'emigrants'])), name='baseline_population_valid'), models.CheckConstraint(condition=models.Q(('year__gte', 1990), ('year__lte', 2100)), name='baseline_year_range')],
            },
        ),
        migrations.CreateModel(
            name='BaselineInputs',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('fingerprint', models.CharField(max_length=64)),
                ('interviews', models.PositiveIntegerField(default=0)),
                ('derived_at', models.DateTimeField(auto_now=True)),
                ('form', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='baseline_inputs', to='surveys.koboform')),
                ('location', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.location')),
            ],
            options={
                'verbose_name': 'baseline inputs',
                'verbose_name_plural': 'baseline inputs',
                'constraints': [models.UniqueConstraint(fields=('form', 'location'), name='baseline_inputs_unique')],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
