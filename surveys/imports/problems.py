"""Every error of an import, one row each, numbered as the file's lines (the header is line 1).

django-import-export numbers data rows from 1 and splits errors in two kinds (exceptions per row,
validation errors per field); a data manager fixing the file in Excel wants the line Excel shows
and every error in one list, whatever its kind.
"""

from typing import Any, TypedDict

from django.core.exceptions import NON_FIELD_ERRORS

HEADER_LINES = 1  # CSV and XLSX files alike start with one header row


class Problem(TypedDict):
    """One error: the file's line (0 for the whole file), the column if known, and why."""

    line: int
    column: str
    message: str


def file_line(row_number: int) -> int:
    """The file's line of django-import-export's data row number (the first data row is 1)."""
    return row_number + HEADER_LINES if row_number > 0 else 0


def problems(result: Any) -> list[Problem]:
    """Every error of an import result, in file order; errors about the whole file first."""
    found: list[Problem] = [
        {"line": 0, "column": "", "message": str(err.error)}
        for err in getattr(result, "base_errors", [])
    ]
    for number, errs in result.row_errors():
        found += [{"line": file_line(number), "column": "", "message": str(e.error)} for e in errs]
    for row in result.invalid_rows:
        for field, messages in row.error_dict.items():
            column = "" if field == NON_FIELD_ERRORS else str(field)
            found += [
                {"line": file_line(row.number), "column": column, "message": str(m)}
                for m in messages
            ]
    return sorted(found, key=lambda p: (p["line"], p["column"], p["message"]))
