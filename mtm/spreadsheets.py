"""The one formula-injection rule for every CSV and XLSX cell the service writes (and reads back).

OWASP's CSV-injection guidance: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return is run by Excel/LibreOffice as a formula (or after stripping the control
character), so it is written with a leading single quote and stays text.

What is *not* escaped, so figures stay usable in a spreadsheet:

* ``int``/``float``/``Decimal``/dates: written as typed values (an XLSX number cell, a CSV
  literal such as ``-5``) they are never a formula;
* a text cell that is exactly a plain decimal number (``-5``, ``+7.25``, ``-1e3``): Excel reads
  it as that number. ``-nan``, ``+inf``, ``-1+1``, ``+7 701 ...`` are not plain numbers and are
  escaped.

Imports undo exactly this rule (``unescape_cell``), so an export re-imports unchanged.
"""

import re
from collections.abc import Iterable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def needs_escape(text: str) -> bool:
    """Whether a spreadsheet would treat this text as (the start of) a formula."""
    return text.startswith(FORMULA_TRIGGERS) and _PLAIN_NUMBER.fullmatch(text) is None


def escape_cell(value: Any) -> Any:
    """The value to write into a CSV/XLSX cell: risky text gets a leading quote, rest as is."""
    if isinstance(value, str) and needs_escape(value):
        return QUOTE + value
    return value


def escape_row(row: Iterable[Any]) -> list[Any]:
    return [escape_cell(value) for value in row]


def unescape_cell(value: Any) -> Any:
    """The inverse of ``escape_cell`` for a cell read from a file (a quote we would have added)."""
    if isinstance(value, str) and value.startswith(QUOTE) and needs_escape(value[1:]):
        return value[1:]
    return value
