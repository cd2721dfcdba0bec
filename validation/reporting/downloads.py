"""The round summary as one long table (CSV or XLSX): a row per indicator x category x column.

Cells go through the project's escaping writers: choice labels are typed by form authors and
must reach Excel as text, never as a formula.
"""

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from validation.exports.writers import csv_lines, write_xlsx
from validation.reporting.summary import RoundSummary

HEADER = (
    "indicator",
    "indicator_label",
    "question",
    "base",
    "row",
    "category_label",
    "breakdown",
    "column",
    "column_label",
    "base_n",
    "count",
    "percent",
    "mean",
    "published_r3",
)


def summary_rows(summary: RoundSummary, lang: str = "en") -> Iterator[tuple[Any, ...]]:
    """Every figure of the summary, with its base; published only in the Total column."""
    for table in summary.tables:
        head = (table.key, table.title(lang), table.question, table.base_text(lang))
        for column in summary.columns:
            n = table.base[column.key]
            where = (column.dimension, column.code, column.label(lang), n)
            if table.kind == "numeric":
                mean = table.means.get(column.key)
                printed = table.mean_published.get(column.key, "")
                yield (*head, "mean", "Mean", *where, "", "", mean, printed)
            for row in table.rows:
                cell = row.cells[column.key]
                printed = (row.published or "") if column.key == "all" else ""
                yield (
                    *head,
                    row.code,
                    row.label(lang),
                    *where,
                    cell.count,
                    cell.percent,
                    "",
                    printed,
                )


def summary_csv(summary: RoundSummary, lang: str = "en") -> str:
    return "".join(csv_lines(HEADER, summary_rows(summary, lang)))


def summary_xlsx(summary: RoundSummary, lang: str = "en") -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "summary.xlsx"
        write_xlsx(path, HEADER, summary_rows(summary, lang), sheet="summary")
        return path.read_bytes()
