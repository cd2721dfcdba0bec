"""copy_lines._checked lets a row skip the XLSX writer's tests only if it would pass them."""

import sys

import pytest

from validation.exports import copy_lines, writers, xlsx

# COPY's text format escapes these (PostgreSQL's CopyAttributeOutText).
_COPY_ESCAPES = {"\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_COPY_ESCAPES["\v"] = "\\v"
VALUES = [
    *("=1", "+7 701", "-5", "@SUM(A1)", "\t=1", "\rcr", "tab\tin", "line\nbreak", " lead"),
    *("trail ", "\u00a0nbsp", "nbsp\u00a0", "mid\u00a0dle", "\u3000", "a & b", "<b>", "x > y"),
    *("Алматы, Медеу", "emoji 😀", "back\\slash", "\\N", "bell\x07", "unit\x1fsep", "\ufffe"),
    *("\uffff", "del\x7f", "a=b", "a-b", "2026-12-04T10:00:00+05:00", "", "plain", "x y"),
]


def _copy_text(value: str) -> str:
    return "".join(_COPY_ESCAPES.get(c, c) for c in value)


def _line(value: str, at: int) -> bytes:
    """A typed row's COPY line: pk, uuid, kobo id, then text with the value in place ``at``."""
    cells = ["17", "u-1", "42", "v1", "a", "b"]
    cells[at] = _copy_text(value)
    return ("\t".join(cells) + "\t\\N").encode()


def _writer_passes(row: list[object]) -> bool:
    joined = "\x00".join(map(str, row))
    return xlsx._plain(joined, len(row)) and not writers._needs_escape(joined)


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("at", [3, 5])  # inside the line, and its last text before \N
def test_a_checked_line_passes_the_writers_own_tests(value: str, at: int) -> None:
    line = _line(value, at)
    row: list[object] = [*line.decode()[: -len(copy_lines._NULL_END)].split("\t")]
    if copy_lines._checked(line, 1):
        assert _writer_passes(row), value
    # A batch of it between plain lines is checked no more leniently than the line alone.
    batch = _line("ok", 3) + b"\n" + line + b"\n" + _line("ok", 4) + b"\n"
    assert copy_lines._checked(batch, 3) == copy_lines._checked(line, 1)


def test_plain_lines_are_checked_alone_and_as_a_batch() -> None:
    lines = [_line(value, 4) for value in ("plain", "a-b", "a=b", "", "Алматы", "2026+05")]
    assert all(copy_lines._checked(line, 1) for line in lines)
    assert copy_lines._checked(b"\n".join(lines) + b"\n", len(lines))
    assert not copy_lines._checked(b"", 0)


@pytest.mark.parametrize("value", ["=1", " lead", "trail ", "a & b", "\t=1", "\u00a0", "\ufffe"])
def test_a_value_the_writer_would_touch_is_not_checked(value: str) -> None:
    assert not copy_lines._checked(_line(value, 4), 1)


def test_typed_rows_of_a_clean_batch_are_checked_rows() -> None:
    text = b"".join(_line(v, 4) + b"\n" for v in ("plain", "a-b"))
    rows = list(copy_lines._text_batch(text, shape=None))  # type: ignore[arg-type]
    assert [type(row) for row in rows] == [xlsx.CheckedRow, xlsx.CheckedRow]
    assert rows[0] == [17, "u-1", 42, "v1", "plain", "b"]
    mixed = text + _line(" lead", 4) + b"\n"
    kinds = [type(row) for row in copy_lines._text_batch(mixed, shape=None)]  # type: ignore[arg-type]
    assert kinds == [xlsx.CheckedRow, xlsx.CheckedRow, list]


def test_no_space_above_the_bmp() -> None:
    """copy_lines looks for non-ASCII spaces in the BMP only."""
    assert not any(chr(c).isspace() for c in range(0x10000, sys.maxunicode + 1))
