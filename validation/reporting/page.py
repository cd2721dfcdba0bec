"""The summary page's layout: sections of indicator tables, one breakdown at a time.

Like the reports: per indicator a table of categories with the round's share, a bar, the
published R3 figure beside it, then the chosen breakdown's columns; its base under the title.
"""

from dataclasses import dataclass
from typing import Any

from validation.indicators.definitions import SECTIONS
from validation.reporting.summary import DIMENSIONS, TOTAL, RoundSummary, section_title

__all__ = ["DIMENSIONS", "summary_page"]

_BREAKDOWNS = {
    "sex": ("Sex", "Пол"),
    "city": ("City or region", "Город или область"),
    "citizenship": ("Citizenship", "Гражданство"),
}


@dataclass(frozen=True)
class ShownCell:
    count: int
    percent: float | None
    base: int


def summary_page(summary: RoundSummary, *, by: str, lang: str) -> dict[str, Any]:
    columns = summary.columns_of(by)
    keys = [TOTAL, *(c.key for c in columns)]
    sections = []
    for section in SECTIONS:
        tables = []
        for table in (t for t in summary.tables if t.section == section):
            rows = [
                {
                    "label": row.label(lang),
                    "code": row.code,
                    "published": row.published,
                    "cells": [
                        ShownCell(row.cells[k].count, row.cells[k].percent, table.base[k])
                        for k in keys
                    ],
                    "bar": row.cells[TOTAL].percent or 0,
                }
                for row in table.rows
            ]
            means = (
                [
                    {"value": table.means.get(k), "published": table.mean_published.get(k)}
                    for k in keys
                ]
                if table.kind == "numeric"
                else None
            )
            tables.append(
                {
                    "key": table.key,
                    "title": table.title(lang),
                    "base_text": table.base_text(lang),
                    "question": table.question,
                    "multi": table.kind == "multi",
                    "base": [table.base[k] for k in keys],
                    "rows": rows,
                    "means": means,
                }
            )
        if tables:
            sections.append({"title": section_title(section, lang), "tables": tables})
    return {
        "by": by,
        "breakdowns": [(key, ru if lang == "ru" else en) for key, (en, ru) in _BREAKDOWNS.items()],
        "column_labels": [c.label(lang) for c in columns],
        "sections": sections,
    }
