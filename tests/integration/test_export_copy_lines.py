"""The lines PostgreSQL writes for the clean dataset are the bytes the Python writers write.

Every hostile value (formula triggers, quotes, separators, line breaks, XML specials, control
characters, edge spaces, backslashes, Unicode, JSON numbers and booleans, odd repeat groups) is
exported twice, through ``copy_lines`` (PostgreSQL for the rows it takes, Python for the rest)
and through the ORM rows and the Python writers alone, the formula rule of
``mtm.spreadsheets`` included: the files must be identical, byte for byte.
"""

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pytest

from mtm.spreadsheets import escape_cell
from surveys.models import Submission
from tests.integration import round_data
from validation.exports import clean_dataset, copy_lines, writers, xlsx

pytestmark = pytest.mark.django_db

TEXT = "profile/education"  # a text column of the demo form
REPEAT = "profile/children"  # its repeat group
HOSTILE: list[Any] = [
    "=1+1",
    "+7 701 123 4567",
    "-5",
    "+7.25",
    "-1e3",
    "-2+3",
    "-nan",
    "-٣",  # a non-ASCII digit: Python's rule decides, PostgreSQL only passes the row on
    "@SUM(A1)",
    "\t=1",
    "\rcr",
    "tab\tinside",
    'say "hi"',
    "a,b",
    ",=1",
    "line\nbreak",
    "cr\rhere",
    " lead",
    "trail ",
    "\u00a0nbsp\u00a0",
    "a & b",
    "<b>",
    "x > y",
    "a<b",
    "Алматы, Медеу",
    "emoji 😀",
    "back\\slash",
    "\\N",
    "bell\x07",
    "unit\x1fsep",
    "\ufffe",
    "None",
    "true",
    "",
    "'=already quoted",
    34,
    -5,
    1.5,
    1e20,
    2**70,
    True,
    False,
    None,
    ["a", 1],
    {"k": "v"},
]
REPEATS: list[Any] = [
    [{f"{REPEAT}/child_age": "7", "deviceid": "Aida's phone"}, "odd entry"],
    [{f"{REPEAT}/child_age": 7}],
    [{f"{REPEAT}/child_age": "=7", f"{REPEAT}/child_sex": 'a "b", c\nd\\e'}],
    [{f"{REPEAT}/child_age": True, f"{REPEAT}/child_sex": None}],
    [],
    "=not a list",
    None,
]


@pytest.fixture
def rd() -> round_data.RoundData:
    return round_data.build()


def _round(rd: round_data.RoundData) -> None:
    base = round_data.answers(11, "KZ-ALA-BOS")
    round_data.add(rd, base)
    for value in HOSTILE:
        round_data.add(rd, {**base, TEXT: value, "screening/age": value})
    for value in REPEATS:
        round_data.add(rd, {**base, REPEAT: value})
    # A formula beside a line break (the row read back whole); a quoted [ before the JSON.
    round_data.add(rd, {**base, TEXT: "=x", "screening/age": 'a\nb,"c"'})
    round_data.add(rd, {**base, TEXT: '[a,"b"]', "screening/age": 5})
    round_data.add(rd, {"only": "this"}, team="b")
    odd = round_data.add(rd, base)
    Submission.objects.filter(pk=odd.pk).update(data=["not", "an", "object"])
    orphan = round_data.add(rd, base)
    Submission.objects.filter(pk=orphan.pk).update(
        enumerator=None, location=None, submitted_by="=evil", ended_at=None, version_uid=" v"
    )
    # Before standard time: a UTC offset with seconds (local mean time).
    old = dt.datetime(1880, 7, 1, 12, 0, 59, 999999, tzinfo=dt.UTC)
    Submission.objects.filter(pk=rd.subs[0].pk).update(started_at=old)


def _same(ours: bytes, reference: bytes) -> None:
    """Equal; if not, the first difference and what comes before it are shown."""
    at = next((i for i, (a, b) in enumerate(zip(ours, reference, strict=False)) if a != b), 0)
    assert ours[max(at - 300, 0) : at + 80] == reference[max(at - 300, 0) : at + 80]
    assert ours == reference


def _sheet(path: Path) -> bytes:
    with zipfile.ZipFile(path) as book:
        return book.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("zone", ["Asia/Almaty", "America/St_Johns"])
def test_postgresql_lines_are_the_python_writers_bytes(
    rd: round_data.RoundData,
    settings: Any,
    tmp_path: Path,
    zone: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.TIME_ZONE = zone
    _round(rd)
    shape = clean_dataset.layout(rd.round.pk)
    assert REPEAT in shape.repeats
    subs = clean_dataset.clean_submissions(Submission.objects.all(), rd.round.pk)
    total = subs.count()
    assert total == 1 + len(HOSTILE) + len(REPEATS) + 5

    items = list(copy_lines.csv_items(subs, shape))
    by_sql = sum(i.rows for i in items if isinstance(i, writers.Lines))
    by_python = sum(1 for i in items if not isinstance(i, writers.Lines))
    assert by_sql + by_python == total
    # Both ways are taken: PostgreSQL's lines, and Python's rows (at least the answers that
    # are JSON numbers, booleans, lists or objects).
    assert by_sql >= len(HOSTILE) // 2
    assert by_python >= 9

    ours, reference = tmp_path / "ours.csv", tmp_path / "reference.csv"
    writers.write_csv(ours, shape.header, copy_lines.csv_items(subs, shape))
    writers.write_csv(reference, shape.header, clean_dataset.clean_rows(subs, shape))
    _same(ours.read_bytes(), reference.read_bytes())

    ours, reference = tmp_path / "ours.xlsx", tmp_path / "reference.xlsx"
    writers.write_xlsx(ours, shape.header, copy_lines.xlsx_rows(subs, shape), sheet="s")
    writers.write_xlsx(reference, shape.header, clean_dataset.clean_rows(subs, shape), sheet="s")
    _same(_sheet(ours), _sheet(reference))
    # A batch of one line each: the clean ones checked as a whole batch, the hostile ones not.
    monkeypatch.setattr(clean_dataset, "BATCH_BYTES", 1)
    kinds = [type(row) for row in copy_lines.xlsx_rows(subs, shape)]
    assert xlsx.CheckedRow in kinds
    assert kinds.count(list) >= len(HOSTILE) // 2
    writers.write_xlsx(ours, shape.header, copy_lines.xlsx_rows(subs, shape), sheet="s")
    _same(_sheet(ours), _sheet(reference))


def test_a_formula_is_escaped_whichever_way_the_row_goes(
    rd: round_data.RoundData, tmp_path: Path
) -> None:
    base = round_data.answers(11, "KZ-ALA-BOS")
    round_data.add(rd, base)
    round_data.add(rd, {**base, TEXT: "=HYPERLINK(1)"})
    shape = clean_dataset.layout(rd.round.pk)
    subs = clean_dataset.clean_submissions(Submission.objects.all(), rd.round.pk)
    path = tmp_path / "x.csv"
    writers.write_csv(path, shape.header, copy_lines.csv_items(subs, shape))
    body = path.read_text(encoding="utf-8-sig")
    assert ",'=HYPERLINK(1)," in body
    assert escape_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert ",=HYPERLINK" not in body
