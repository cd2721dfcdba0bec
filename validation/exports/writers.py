"""Row writers that never hold a whole export: CSV streamed line by line, XLSX write-only.

Every cell, header included, goes through ``mtm.spreadsheets.escape_row``: answers are typed by
respondents and enumerators, so ``=HYPERLINK(...)`` must reach Excel as text (CSV injection).
"""

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from mtm.spreadsheets import escape_row

Row = Sequence[Any]


class _Line:
    """A file-like sink that hands back what csv.writer wrote, so each row streams alone."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Row, rows: Iterable[Row]) -> Iterator[str]:
    """The CSV text of an export, one line at a time (UTF-8 BOM first, so Excel reads Cyrillic)."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(escape_row(header))
    for row in rows:
        yield writer.writerow(escape_row(row))


class EscapingCSVWriter:
    """``csv.writer`` with every row through the escaping rule, for code writing row by row."""

    def __init__(self, out: Any) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Row) -> Any:
        return self._writer.writerow(escape_row(row))

    def writerows(self, rows: Iterable[Row]) -> None:
        for row in rows:
            self.writerow(row)


def write_csv(
    path: Path, header: Row, rows: Iterable[Row], progress: Callable[[int], None] | None = None
) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(escape_row(header))
        for row in rows:
            writer.writerow(escape_row(row))
            count += 1
            if progress is not None and count % 1000 == 0:
                progress(count)
    return count


def write_xlsx(
    path: Path,
    header: Row,
    rows: Iterable[Row],
    *,
    sheet: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write-only mode: openpyxl streams rows to the file instead of building cells in memory."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])
    ws.append(escape_row(header))
    count = 0
    for row in rows:
        ws.append(escape_row(row))
        count += 1
        if progress is not None and count % 1000 == 0:
            progress(count)
    book.save(path)
    return count
