"""Round summary: the indicators IOM publishes per round, over the round's counted interviews.

The definitions live in validation.reporting (indicators, published figures, computation,
downloads); this module is the entry point the pages and the API import.
"""

from validation.reporting.downloads import HEADER, summary_csv, summary_rows, summary_xlsx
from validation.reporting.summary import (
    CategoryRow,
    Cell,
    Column,
    IndicatorTable,
    RoundSummary,
    round_summary,
)

__all__ = [
    "HEADER",
    "CategoryRow",
    "Cell",
    "Column",
    "IndicatorTable",
    "RoundSummary",
    "round_summary",
    "summary_csv",
    "summary_rows",
    "summary_xlsx",
]
