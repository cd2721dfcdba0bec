"""Row writers that never hold a whole export: CSV streamed line by line, XLSX streamed.

Every cell, header included, goes through ``mtm.spreadsheets.escape_row``: answers are typed by
respondents and enumerators, so ``=HYPERLINK(...)`` must reach Excel as text (CSV injection).
The file writers apply it only to rows that may need it: a row is first written as it is, and
only if a cell of it starts with a formula trigger (one regular expression over the written
line or the row's text) is it written again through ``escape_row``; the result is the same.
"""

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtm.spreadsheets import FORMULA_TRIGGERS, escape_row
from validation.exports.xlsx import SheetWriter

Row = Sequence[Any]


@dataclass(frozen=True)
class Lines:
    """Finished CSV lines (UTF-8), ``rows`` of them, copied into the file as they are.

    Written by PostgreSQL (``copy_lines``).
    """

    data: bytes
    rows: int


class _Line:
    """A file-like sink that hands back what csv.writer wrote, so each row streams alone."""

    def write(self, value: str) -> str:
        return value


def csv_line_writer() -> Callable[[Row], str]:
    """csv.writer's writerow returning the line it writes (CR LF ended), for one row at a time."""
    return csv.writer(_Line()).writerow


def csv_lines(header: Row, rows: Iterable[Row]) -> Iterator[str]:
    """The CSV text of an export, one line at a time (UTF-8 BOM first, so Excel reads Cyrillic)."""
    writerow = csv_line_writer()
    yield "\ufeff" + writerow(escape_row(header))
    for row in rows:
        yield writerow(escape_row(row))


class EscapingCSVWriter:
    """``csv.writer`` with every row through the escaping rule, for code writing row by row."""

    def __init__(self, out: Any) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Row) -> Any:
        return self._writer.writerow(escape_row(row))

    def writerows(self, rows: Iterable[Row]) -> None:
        for row in rows:
            self.writerow(row)


# A CSV cell starting with a formula trigger is written as trigger... or "trigger... at the start
# of the line or after a comma: a line without either has no cell to escape.
_CSV_TRIGGER = re.compile('(?:^|,)"?[' + re.escape("".join(FORMULA_TRIGGERS)) + "]")
# The fast line's own test, with a literal first character (the regex engine skips ahead to it).
_COMMA_TRIGGER = re.compile(",[" + re.escape("".join(FORMULA_TRIGGERS)) + "]")
_SEP_TRIGGER = re.compile("\x00[" + re.escape("".join(FORMULA_TRIGGERS)) + "]")
_PROGRESS_EVERY = 1000
_WRITE_EVERY = 500


def _csv_line(row: Row, writerow: Callable[[Row], str]) -> str:
    """The row's CSV line, as csv.writer writes it after escape_row.

    Most rows need neither quoting nor escaping: then the line is the values joined by commas,
    checked by substring tests (no comma, quote, line break or "None" inside a value, no value
    starting with a trigger); csv.writer writes the others.
    """
    text = ",".join(map(str, row))
    if (
        len(row) > 1
        and text.count(",") == len(row) - 1
        and '"' not in text
        and "\n" not in text
        and "\r" not in text
        and "None" not in text  # csv.writer writes None as an empty cell
        and not text.startswith(FORMULA_TRIGGERS)
        and _COMMA_TRIGGER.search(text) is None
    ):
        return text + "\r\n"
    line = writerow(row)
    if _CSV_TRIGGER.search(line) is not None:
        line = writerow(escape_row(row))
    return line


def _needs_escape(joined: str) -> bool:
    r"""Whether a value of a row joined by \x00 may start with a formula trigger."""
    return joined.startswith(FORMULA_TRIGGERS) or _SEP_TRIGGER.search(joined) is not None


def write_csv(
    path: Path,
    header: Row,
    rows: Iterable[Row | Lines],
    progress: Callable[[int], None] | None = None,
) -> int:
    """UTF-8 with a BOM (Excel reads Cyrillic); lines written in blocks of a few hundred.

    ``rows`` may hold runs of lines PostgreSQL finished (``copy_lines.Lines``): copied as they are.
    """
    count = 0
    with path.open("wb") as out:
        writerow = csv_line_writer()
        out.write(("\ufeff" + writerow(escape_row(header))).encode())
        block: list[str] = []
        for row in rows:
            if isinstance(row, Lines):
                out.write("".join(block).encode())
                block = []
                out.write(row.data)
                count = _counted(count, row.rows, progress)
                continue
            block.append(_csv_line(row, writerow))
            count += 1
            if count % _WRITE_EVERY == 0:
                out.write("".join(block).encode())
                block = []
                if progress is not None and count % _PROGRESS_EVERY == 0:
                    progress(count)
        out.write("".join(block).encode())
    return count


def _counted(count: int, more: int, progress: Callable[[int], None] | None) -> int:
    """The new count, reported if it passes a multiple of _PROGRESS_EVERY."""
    total = count + more
    if progress is not None and total // _PROGRESS_EVERY > count // _PROGRESS_EVERY:
        progress(total)
    return total


def write_xlsx(
    path: Path,
    header: Row,
    rows: Iterable[Row],
    *,
    sheet: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Streamed: rows go to the file as they come (validation/exports/xlsx.py), typed cells."""
    count = 0
    with SheetWriter(path, sheet=sheet, guard=(_needs_escape, escape_row)) as book:
        book.append(header)
        for row in rows:
            book.append(row)
            count += 1
            if progress is not None and count % _PROGRESS_EVERY == 0:
                progress(count)
    return count
