"""A streaming XLSX writer: rows become sheet XML by one cached template per row shape.

openpyxl's write-only mode (and XlsxWriter) spend microseconds per cell in Python; a 100,000
x 122 dataset is 12 million cells. Here a row whose cells are plain text or numbers is one
``str.format`` of a template cached by the row's column types, checked by one regular
expression; only a row with something to escape (XML specials, a formula trigger, edge
spaces, control characters) is written cell by cell. Strings are inline (``inlineStr``), so
memory does not grow with the number of distinct answers; the sheet is deflated by a thread
(ISA-L's deflate, ``isal``, at its level 1: ~3.5x zlib's level 1, a smaller file; it releases
the GIL) while the next rows are formatted.

Cells: ``str`` text, ``int``/``float`` numbers, ``bool`` booleans, ``None`` no cell, anything
else its ``str()``. The caller escapes formulas (``mtm.spreadsheets``); this module only makes
the values valid XML.
"""

import math
import queue
import re
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from xml.sax.saxutils import escape as xml_escape

from isal import isal_zlib

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_OOXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_CONTENT_TYPES = (
    _DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_OOXML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_OOXML}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_OOXML}.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    _DECL + f'<Relationships xmlns="{_PKG_REL_NS}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    _DECL + f'<Relationships xmlns="{_PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL_NS}/styles" Target="styles.xml"/></Relationships>'
)
# The smallest stylesheet Excel accepts without a repair prompt: one font, the two fills it
# requires, one border, one cell format.
_STYLES = (
    _DECL + f'<styleSheet xmlns="{_NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_HEAD = _DECL + f'<worksheet xmlns="{_NS}"><sheetData>'
_SHEET_TAIL = "</sheetData></worksheet>"
# Sheet names may not hold these (Excel refuses the file).
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
# XML 1.0 forbids most control characters; U+FFFE/U+FFFF are not characters.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# What keeps a row off the template: XML specials, control characters (tab and line breaks
# included, rare in answers), U+FFFE/U+FFFF, or a space at a value's edge (kept only under
# xml:space="preserve"). The values are joined by \x00, which a value cannot hold unnoticed
# (the join's count of it is checked). Plain substring tests: far cheaper than a regex.
_CONTROL = re.compile("[\x01-\x1f\ufffe\uffff]")
_SEP = "\x00"
_EDGE_SPACE = re.compile(r"(?:^|\x00)\s|\s(?:\x00|$)")
_ROW = "\x01"  # the row number's place in a template
_ROWS_PER_WRITE = 500
# (test, fix): a row whose values joined by \x00 pass the test is written as fix(row).
Guard = tuple[Callable[[str], bool], Callable[[Sequence[Any]], Sequence[Any]]]
_TEXT = '<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
_ZLIB_COMPRESSOR = type(zlib.compressobj(1, zlib.DEFLATED, -15))


def column_letters(index: int) -> str:
    """Excel's column name of a 0-based index: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _Deflater(threading.Thread):
    """Writes (and so deflates) the sheet's chunks off the main thread, a few chunks behind."""

    def __init__(self, stream: IO[bytes]) -> None:
        super().__init__(name="xlsx-deflate", daemon=True)
        self.stream = stream
        self.chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
        self.error: Exception | None = None

    def run(self) -> None:
        while (chunk := self.chunks.get()) is not None:
            if self.error is None:
                try:
                    self.stream.write(chunk)
                except Exception as exc:  # noqa: BLE001  # raised in the main thread by put()/close()
                    self.error = exc

    def put(self, chunk: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.chunks.put(chunk)

    def close(self) -> None:
        self.chunks.put(None)
        self.join()
        if self.error is not None:
            raise self.error


class CheckedRow(list[Any]):
    """A row checked by its maker, with others at once: written by its template untested.

    None of its values holds an XML special (``&<>``), a control character, U+FFFE/U+FFFF or a
    non-ASCII space; none has a space at an edge or starts with a formula trigger (so the
    guard, which looks for those, would pass it).

    ``copy_lines`` makes them from a few megabytes of COPY text checked as one string.
    """


class SheetWriter:
    """One-sheet workbook written row by row; use as a context manager, then ``rows``."""

    def __init__(
        self,
        path: Path,
        *,
        sheet: str,
        guard: Guard | None = None,
    ) -> None:
        self.path = path
        self.guard = guard
        self.sheet = _SHEET_NAME_BAD.sub("_", sheet)[:31] or "Sheet1"
        self.rows = 0
        self._ncols = 0
        self._refs: list[str] = []
        self._templates: dict[tuple[type, ...], str | None] = {}
        self._pending: list[str] = []
        self._zip: zipfile.ZipFile | None = None
        self._deflater: _Deflater | None = None
        self._stream: IO[bytes] | None = None

    def __enter__(self) -> "SheetWriter":
        self._zip = zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._zip.writestr("[Content_Types].xml", _CONTENT_TYPES)
        self._zip.writestr("_rels/.rels", _ROOT_RELS)
        self._zip.writestr(
            "xl/workbook.xml",
            _DECL + f'<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}"><sheets>'
            f'<sheet name="{xml_escape(self.sheet, {chr(34): "&quot;"})}" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        self._zip.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        self._zip.writestr("xl/styles.xml", _STYLES)
        self._stream = self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        isal_deflate(self._stream)
        self._deflater = _Deflater(self._stream)
        self._deflater.start()
        self._deflater.put(_SHEET_HEAD.encode())
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._zip is None or self._deflater is None or self._stream is None:
            return  # never entered
        try:
            if exc is None:
                self._flush()
                self._deflater.put(_SHEET_TAIL.encode())
            self._deflater.close()
        finally:
            self._stream.close()
            self._zip.close()

    def append(self, row: Sequence[Any]) -> None:
        self.rows += 1
        if len(row) > self._ncols:
            self._grow(len(row))
        self._pending.append(self._row_xml(self.rows, row))
        if len(self._pending) >= _ROWS_PER_WRITE:
            self._flush()

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.append(row)

    def _flush(self) -> None:
        if self._pending and self._deflater is not None:
            self._deflater.put("".join(self._pending).encode())
            self._pending = []

    def _grow(self, ncols: int) -> None:
        self._refs += [column_letters(i) for i in range(self._ncols, ncols)]
        self._ncols = ncols

    def _row_xml(self, number: int, row: Sequence[Any]) -> str:
        if type(row) is CheckedRow:
            template = self._template_of(row)
            if template is not None:
                return (template % tuple(row)).replace(_ROW, str(number))
        joined = _SEP.join(map(str, row))
        if self.guard is not None and self.guard[0](joined):
            row = self.guard[1](row)
            joined = _SEP.join(map(str, row))
        template = self._template_of(row)
        if template is not None and _plain(joined, len(row)):
            return (template % tuple(row)).replace(_ROW, str(number))
        return self._careful_row(number, row)

    def _template_of(self, row: Sequence[Any]) -> str | None:
        shape = tuple(map(type, row))
        template = self._templates.get(shape, "")
        if template == "":
            template = self._templates[shape] = self._template(shape)
        return template

    def _template(self, shape: tuple[type, ...]) -> str | None:
        r"""The row's XML with %s for each cell and \x01 for its number; None: no fast form.

        ``%`` formatting is the cheapest way to put 100+ values in place; the row number is put
        in after (a row on the fast path holds no control character, so no \x01 of its own).
        """
        cells = []
        for i, kind in enumerate(shape):
            ref = f"{self._refs[i]}{_ROW}"
            if kind is str:
                cells.append(_TEXT.format(ref=ref, value="%s"))
            elif kind is int:
                cells.append(f'<c r="{ref}"><v>%d</v></c>')
            elif kind is type(None):
                cells.append("%.0s")  # takes the value, writes nothing: no cell
            else:
                return None  # floats (inf, nan), bools and others go cell by cell
        return f'<row r="{_ROW}">' + "".join(cells) + "</row>"

    def _careful_row(self, number: int, row: Sequence[Any]) -> str:
        cells = [
            _cell(f"{self._refs[i]}{number}", value)
            for i, value in enumerate(row)
            if value is not None
        ]
        return f'<row r="{number}">' + "".join(cells) + "</row>"


def isal_deflate(stream: IO[bytes]) -> bool:
    """Let an entry zipfile is writing deflate with ISA-L instead of zlib; whether it could.

    zipfile has no public hook for its compressor: ``ZipFile.open(name, "w")`` returns a
    ``_ZipWriteFile`` that keeps a zlib raw-deflate compressobj in ``_compressor`` (CPython
    3.11) and calls only its ``compress`` and ``flush``; isal's compressobj has both and
    writes the same format (raw deflate, wbits -15). zipfile still computes the CRC and sizes.
    Should a Python rename that attribute, zlib stays (the same file, slower) and
    tests/unit/exports/test_writers.py fails.
    """
    if not isinstance(getattr(stream, "_compressor", None), _ZLIB_COMPRESSOR):
        return False
    stream._compressor = isal_zlib.compressobj(1, isal_zlib.DEFLATED, -15)  # type: ignore[attr-defined]
    return True


def _plain(joined: str, cells: int) -> bool:
    r"""Whether values joined by \\x00 can go into the template as they are."""
    return (
        joined.count(_SEP) == cells - 1
        and "&" not in joined
        and "<" not in joined
        and ">" not in joined
        and "\x00 " not in joined
        and " \x00" not in joined
        and joined[:1] != " "
        and joined[-1:] != " "
        and _CONTROL.search(joined) is None
        # Other Unicode spaces at an edge: written under xml:space="preserve" too (as _cell).
        and (joined.isascii() or _EDGE_SPACE.search(joined) is None)
    )


def _cell(ref: str, value: Any) -> str:
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = value if isinstance(value, str) else str(value)
    text = xml_escape(_XML_ILLEGAL.sub("\ufffd", text))
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def write_sheet(path: Path, rows: Iterable[Sequence[Any]], *, sheet: str) -> int:
    """Write the rows (the header is the first) as a one-sheet workbook; returns rows written."""
    with SheetWriter(path, sheet=sheet) as writer:
        writer.extend(rows)
    return writer.rows
