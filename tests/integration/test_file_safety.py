"""Formula injection: one escaping rule for every CSV and XLSX the service writes (admin too)."""

import csv
import io
from pathlib import Path
from typing import Any

import pytest
import tablib
from django.test import Client
from openpyxl import load_workbook

from mtm.spreadsheets import escape_cell, unescape_cell
from surveys.models import Location
from surveys.resources import LocationResource
from validation.exports import writers

HOSTILE = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize(
    ("_case", "value", "written"),
    [
        ("equals", "=1+1", "'=1+1"),
        ("plus", "+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("minus formula", "-2+3", "'-2+3"),
        ("at", "@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("tab", "\t=1+1", "'\t=1+1"),
        ("carriage return", "\r=1+1", "'\r=1+1"),
        ("hyperlink", '=HYPERLINK("http://x.example","a")', '\'=HYPERLINK("http://x.example","a")'),
        ("minus nan is not a number", "-nan", "'-nan"),
        ("plus inf is not a number", "+inf", "'+inf"),
        ("phone with spaces", "+7 701 123 4567", "'+7 701 123 4567"),
        ("negative number text", "-5", "-5"),
        ("signed decimal text", "+7.25", "+7.25"),
        ("exponent text", "-1e3", "-1e3"),
        ("plain text", "Almaty", "Almaty"),
        ("quote inside", "it's", "it's"),
        ("empty", "", ""),
        ("int", -5, -5),
        ("float", -2.5, -2.5),
        ("none", None, None),
    ],
)
def test_escape_rule(_case: str, value: Any, written: Any) -> None:
    assert escape_cell(value) == written
    assert unescape_cell(written) == value  # an export re-imports as it was


def test_unescape_leaves_quotes_it_did_not_add() -> None:
    assert unescape_cell("'-5") == "'-5"
    assert unescape_cell("'hello") == "'hello"
    assert unescape_cell("''=1") == "''=1"  # "'=1" is written as is: it starts with a quote


def _hostile_rows() -> list[list[Any]]:
    return [[value, -5, "-5", 3.5] for value in HOSTILE]


def test_csv_file_escapes_every_hostile_cell(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    assert writers.write_csv(path, ["answer", "n", "text_n", "x"], _hostile_rows()) == 6
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == ["answer", "n", "text_n", "x"]
    assert [r[0] for r in rows[1:]] == ["'" + v for v in HOSTILE]
    assert {(r[1], r[2], r[3]) for r in rows[1:]} == {("-5", "-5", "3.5")}


def test_streamed_csv_escapes_every_hostile_cell() -> None:
    text = "".join(writers.csv_lines(["answer", "n", "text_n", "x"], _hostile_rows()))
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert [r[0] for r in rows[1:]] == ["'" + v for v in HOSTILE]


def test_xlsx_file_has_no_formula_and_keeps_numbers(tmp_path: Path) -> None:
    path = tmp_path / "log.xlsx"
    writers.write_xlsx(path, ["answer", "n", "text_n", "x"], _hostile_rows(), sheet="log")
    sheet = load_workbook(path).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    # XML stores a carriage return as a line feed; the cell still starts with the quote.
    expected = ["'" + v.replace("\r", "\n") for v in HOSTILE]
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == expected
    assert {row[1].value for row in sheet.iter_rows(min_row=2)} == {-5}  # a number cell
    assert {row[1].data_type for row in sheet.iter_rows(min_row=2)} == {"n"}


@pytest.fixture
def hostile_locations(db: None) -> None:
    Location.objects.create(code="KZ-X1", kind="region", name_en="=1+1", name_ru="@SUM(A1)")
    Location.objects.create(code="KZ-X2", kind="region", name_en="-2+3", aliases=["+cmd", "-5"])
    Location.objects.create(
        code="-5", kind="region", name_en="\t=1", centroid_lat=-5, centroid_lon=-7.5
    )


def _admin_export(client: Client, fmt: int) -> bytes:
    fields = [
        "code",
        "kind",
        "parent",
        "name_en",
        "name_ru",
        "aliases",
        "centroid_lat",
        "centroid_lon",
    ]
    data: dict[str, Any] = {"format": str(fmt), "resource": "0"}
    data |= {f"locationresource_{name}": "on" for name in fields}
    response = client.post("/admin/surveys/location/export/", data)
    assert response.status_code == 200, response.content[:500]
    return response.getvalue() if response.streaming else response.content


def test_admin_xlsx_export_of_locations_has_no_live_formula(
    manager_client: Client, hostile_locations: None
) -> None:
    sheet = load_workbook(io.BytesIO(_admin_export(manager_client, 1))).active
    assert sheet is not None
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert not [c.coordinate for row in rows.values() for c in row if c.data_type == "f"]
    assert rows["KZ-X1"][3].value == "'=1+1"
    assert rows["KZ-X1"][4].value == "'@SUM(A1)"
    assert rows["KZ-X2"][3].value == "'-2+3"
    assert rows["-5"][3].value == "'\t=1"
    assert rows["-5"][6].value == -5  # a centroid stays a number


def test_admin_csv_export_escapes_and_re_imports_unchanged(
    manager_client: Client, hostile_locations: None
) -> None:
    body = _admin_export(manager_client, 0)
    assert body.startswith(b"\xef\xbb\xbf")  # Excel reads the Cyrillic right only with a BOM
    text = body.decode("utf-8-sig")
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    assert rows["KZ-X1"]["name_en"] == "'=1+1"
    assert rows["KZ-X2"]["aliases"] == "'+cmd; -5"
    assert rows["-5"]["name_en"] == "'\t=1"

    before = {loc.code: (loc.name_en, loc.name_ru, loc.aliases) for loc in Location.objects.all()}
    Location.objects.all().delete()
    result = LocationResource().import_data(
        tablib.Dataset().load(text, format="csv"), dry_run=False, raise_errors=True
    )
    assert not result.has_errors()
    assert not result.has_validation_errors()
    after = {loc.code: (loc.name_en, loc.name_ru, loc.aliases) for loc in Location.objects.all()}
    assert after == before


def test_summary_csv_escapes_labels_and_keeps_figures() -> None:
    from validation.reporting.downloads import summary_csv
    from validation.reporting.summary import (
        CategoryRow,
        Cell,
        Column,
        IndicatorTable,
        RoundSummary,
    )

    label = CategoryRow(
        code="other", labels={"en": '=HYPERLINK("http://x.example")'}, cells={"all": Cell(3, -0.5)}
    )
    table = IndicatorTable(
        key="sex",
        section="profile",
        titles={"en": "Sex"},
        question="profile/sex",
        kind="numeric",
        base_texts={"en": "@everyone"},
        base={"all": 3},
        rows=[label],
        means={"all": -1.5},
    )
    summary = RoundSummary(
        round_id=1,
        respondents=3,
        columns=[Column("all", "all", "", {"en": "Total"})],
        tables=[table],
        unmapped=[],
        published_source=None,
    )
    rows = list(csv.reader(io.StringIO(summary_csv(summary).lstrip("\ufeff"), newline="")))
    assert rows[2][5] == '\'=HYPERLINK("http://x.example")'
    assert rows[2][3] == "'@everyone"
    assert (rows[2][10], rows[2][11]) == ("3", "-0.5")
    assert rows[1][12] == "-1.5"
