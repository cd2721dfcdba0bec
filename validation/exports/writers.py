"""Row writers that never hold a whole export: CSV streamed line by line, XLSX write-only."""

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

Row = Sequence[Any]


class _Line:
    """A file-like sink that hands back what csv.writer wrote, so each row streams alone."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Row, rows: Iterable[Row]) -> Iterator[str]:
    """The CSV text of an export, one line at a time (UTF-8 BOM first, so Excel reads Cyrillic)."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def write_csv(
    path: Path, header: Row, rows: Iterable[Row], progress: Callable[[int], None] | None = None
) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
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
    ws.append(list(header))
    count = 0
    for row in rows:
        ws.append([_cell(value) for value in row])
        count += 1
        if progress is not None and count % 1000 == 0:
            progress(count)
    book.save(path)
    return count


def _cell(value: Any) -> Any:
    # Excel would run a leading = + - @ as a formula (CSV/XLSX injection): keep it text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
