"""django-import-export resource for baseline figures (CSV and XLSX), as surveys.resources.

Columns: round, location, year, population, sex, count. A location is a code or a known
name; population is migrant_workers, return_migrants or emigrants (or their English labels);
sex is male, female or blank for the total. Imported rows become source=import, which the
key-informant derivation never overwrites.
"""

from typing import Any

from import_export import fields, widgets

from surveys.models import BaselineFigure, TargetPopulation
from surveys.resources import (
    CountWidget,
    LocationWidget,
    RoundWidget,
    SexWidget,
    _StrictResource,
)

_POPULATION_WORDS: dict[str, str] = {}
for _value, _label in TargetPopulation.choices:
    for _word in (_value, _label, _value.replace("_", " ")):
        _POPULATION_WORDS[str(_word).casefold()] = _value
_POPULATION_WORDS.update(
    {
        "migrant workers": TargetPopulation.MIGRANT_WORKERS,
        "international migrant workers": TargetPopulation.MIGRANT_WORKERS,
        "трудовые мигранты": TargetPopulation.MIGRANT_WORKERS,
        "вернувшиеся мигранты": TargetPopulation.RETURN_MIGRANTS,
        "эмигранты": TargetPopulation.EMIGRANTS,
    }
)
_TOTAL_WORDS = {"", "total", "all", "both", "всего", "итого"}


class PopulationWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        word = " ".join(str(value or "").strip().casefold().split())
        if word in _POPULATION_WORDS:
            return _POPULATION_WORDS[word]
        raise ValueError(
            f"Unknown population {value!r}: use migrant_workers, return_migrants or emigrants."
        )


class SexOrTotalWidget(SexWidget):
    """male, female, or blank (or 'total') for both sexes together."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        if str(value or "").strip().casefold() in _TOTAL_WORDS:
            return ""
        return super().clean(value, row, **kwargs)


class YearWidget(CountWidget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | None:
        year = super().clean(value, row, **kwargs)
        if year is not None and not 1990 <= year <= 2100:
            raise ValueError(f"Year {value!r} is not between 1990 and 2100.")
        return year


class BaselineFigureResource(_StrictResource):
    round = fields.Field(attribute="round", column_name="round", widget=RoundWidget())
    location = fields.Field(attribute="location", column_name="location", widget=LocationWidget())
    year = fields.Field(attribute="year", column_name="year", widget=YearWidget())
    population = fields.Field(
        attribute="population", column_name="population", widget=PopulationWidget()
    )
    sex = fields.Field(attribute="sex", column_name="sex", widget=SexOrTotalWidget(), default="")
    count = fields.Field(attribute="count", column_name="count", widget=CountWidget())
    source = fields.Field(attribute="source", column_name="source", readonly=True)

    class Meta:
        model = BaselineFigure
        import_id_fields = ("round", "location", "year", "population", "sex")
        fields = ("round", "location", "year", "population", "sex", "count", "source")
        clean_model_instances = True
        skip_unchanged = True

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        if "sex" not in (dataset.headers or []):  # a file of totals only
            dataset.append_col([""] * len(dataset), header="sex")
        super().before_import(dataset, **kwargs)

    def before_save_instance(self, instance: BaselineFigure, row: Any, **kwargs: Any) -> None:
        # A figure a data manager imports is theirs: the derivation leaves it alone.
        instance.source = BaselineFigure.Source.IMPORT
        instance.informants = 0
        super().before_save_instance(instance, row, **kwargs)

    def dehydrate_round(self, figure: BaselineFigure) -> int:
        return figure.round.number
