"""The export writers: the fast paths write what csv.writer / a cell-by-cell XLSX would."""

import csv
import io
import random
import zipfile
from pathlib import Path
from typing import Any

import pytest
from isal import isal_zlib
from openpyxl import load_workbook

from mtm.spreadsheets import escape_row
from validation.exports import writers, xlsx

TRICKY = [
    "plain",
    "",
    "Алматы, Медеу",
    'say "hi"',
    "line\nbreak",
    "cr\rhere",
    "=1+1",
    "+7 701 123 4567",
    "-5",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    " lead",
    "trail ",
    "a & b < c > d",
    "None",
    "bell\x07",
    "x\x00y",
    "\ufffe",
    ",=1",
    "a\x1fb",
]
SCALARS: list[Any] = [0, -5, 7, 2**40, 3.5, -2.25, 1e20, True, False, None]


def _rows(n: int, width: int, seed: int) -> list[list[Any]]:
    rng = random.Random(seed)
    pool = TRICKY + SCALARS + ["yes", "no", "Kazakhstan", "25"] * 10
    return [[rng.choice(pool) for _ in range(width)] for _ in range(n)]


def _reference_csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(escape_row(header))
    for row in rows:
        writer.writerow(escape_row(row))
    return "\ufeff" + out.getvalue()


@pytest.mark.parametrize(("_case", "width", "seed"), [("wide", 40, 1), ("narrow", 2, 2)])
def test_csv_is_what_csv_writer_writes_after_escaping(
    tmp_path: Path, _case: str, width: int, seed: int
) -> None:
    header = [f"c{i}" for i in range(width - 1)] + ["=h"]
    rows = _rows(1500, width, seed) + [["plain"] * width] * 700  # past a block and a flush
    path = tmp_path / "x.csv"
    assert writers.write_csv(path, header, rows) == len(rows)
    assert path.read_bytes().decode() == _reference_csv(header, rows)


def test_csv_reports_progress_every_thousand_rows(tmp_path: Path) -> None:
    seen: list[int] = []
    writers.write_csv(tmp_path / "x.csv", ["a"], [["x"]] * 2500, progress=seen.append)
    assert seen == [1000, 2000]


def _expected_cell(value: Any) -> Any:
    """What openpyxl reads back from a cell written for this (escaped) value."""
    if value is None:
        return None
    if isinstance(value, str):
        cleaned = "".join(
            "\ufffd" if (ord(c) < 32 and c not in "\t\n\r") or c in "\ufffe\uffff" else c
            for c in value
        )
        return cleaned.replace("\r", "\n")  # XML reads a carriage return as a line feed
    return value


def test_xlsx_reads_back_as_the_escaped_values_with_types(tmp_path: Path) -> None:
    width = 30
    header = [f"c{i}" for i in range(width - 1)] + ["=h"]
    rows = _rows(1200, width, 3) + [[1, "plain", None, 2.5] + ["x"] * (width - 4)] * 300
    path = tmp_path / "x.xlsx"
    assert writers.write_xlsx(path, header, rows, sheet="clean/dataset:[1]") == len(rows)
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["clean_dataset__1_"]
    sheet = book.active
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    expected = [[_expected_cell(v) for v in escape_row(r)] for r in [header, *rows]]
    # openpyxl pads short rows with None to the sheet's width
    assert [r + [None] * (width - len(r)) for r in table] == expected
    types = {type(v) for row in table for v in row}
    assert types == {str, int, float, bool, type(None)}
    with zipfile.ZipFile(path) as z:  # no formula anywhere
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")


def test_xlsx_keeps_spaces_and_escapes_xml(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    writers.write_xlsx(path, ["a", "b", "c"], [[" lead", "trail ", "<b>&amp;</b>"]], sheet="s")
    sheet = load_workbook(path).active
    assert sheet is not None
    assert [c.value for c in sheet[2]] == [" lead", "trail ", "<b>&amp;</b>"]
    assert all(c.data_type == "s" for c in sheet[2])


def test_xlsx_writes_numbers_as_number_cells(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    writers.write_xlsx(path, ["n", "f", "t"], [[-5, 2.5, "-5"]], sheet="s")
    sheet = load_workbook(path).active
    assert sheet is not None
    assert [(c.value, c.data_type) for c in sheet[2]] == [(-5, "n"), (2.5, "n"), ("-5", "s")]


def test_xlsx_failure_in_rows_leaves_no_thread_behind(tmp_path: Path) -> None:
    def rows() -> Any:
        yield ["a"]
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError, match="database gone"):
        writers.write_xlsx(tmp_path / "x.xlsx", ["h"], rows(), sheet="s")


def test_sheet_deflated_by_isal_through_zipfiles_compressor(tmp_path: Path) -> None:
    """Fails if zipfile stops keeping its compressor where xlsx.isal_deflate swaps it."""
    data = b"".join(
        b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i) for i in range(50_000)
    )
    path = tmp_path / "z.zip"
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book,
        book.open("sheet.xml", "w", force_zip64=True) as stream,
    ):
        assert xlsx.isal_deflate(stream)
        compressor = stream._compressor  # type: ignore[attr-defined]
        assert isinstance(compressor, type(isal_zlib.compressobj()))
        for start in range(0, len(data), 100_000):
            stream.write(data[start : start + 100_000])
    with zipfile.ZipFile(path) as book:
        assert book.testzip() is None  # CRC and sizes as zipfile recorded them
        assert book.read("sheet.xml") == data
        assert book.getinfo("sheet.xml").compress_size < len(data) / 4


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ")])
def test_column_letters(index: int, letters: str) -> None:
    assert xlsx.column_letters(index) == letters
