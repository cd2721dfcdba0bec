"""Reading an uploaded CSV or XLSX file into a dataset: size limit, text encoding, clear errors.

Excel on a Russian-locale Windows saves "CSV" as Windows-1251 and "Unicode text" as UTF-16;
Kazakh-locale machines use KZ-1048 (Windows-1251 with the Kazakh letters). Files are read as
whichever of these fits (BOMs first, then strict UTF-8, then charset-normalizer restricted to
the encodings met here); a file none fits is refused with the list of what was tried.
"""

import codecs
import io
import zipfile
from typing import Literal

import charset_normalizer
import tablib
from django.conf import settings
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from mtm.errors import DomainError

Format = Literal["csv", "xlsx"]

# Names as Python spells them; the error message lists them as users know them.
CANDIDATES = ("utf_8", "utf_16", "cp1251", "kz1048", "koi8_r", "cp866", "mac_cyrillic", "cp1252")
_SHOWN = "UTF-8, UTF-16, Windows-1251, KZ-1048, KOI8-R, CP866"
_BOMS = (
    (codecs.BOM_UTF8, "utf_8_sig"),
    (codecs.BOM_UTF32_LE, "utf_32"),
    (codecs.BOM_UTF32_BE, "utf_32"),
    (codecs.BOM_UTF16_LE, "utf_16"),
    (codecs.BOM_UTF16_BE, "utf_16"),
)


class ImportFileError(DomainError):
    code = "import_file_invalid"
    http_status = 400


def max_bytes() -> int:
    return int(settings.MTM_IMPORT_MAX_BYTES)


def check_size(size: int) -> None:
    limit = max_bytes()
    if size > limit:
        raise ImportFileError(
            f"The file is {_mb(size)}; the largest accepted is {_mb(limit)}. "
            "Split it into several files."
        )


def _mb(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB"


def decode_text(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read with."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode(data, encoding), encoding
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _decode(data, utf16), utf16
    try:
        return data.decode("utf_8"), "utf_8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data, cp_isolation=list(CANDIDATES)).best()
    if best is None:
        raise ImportFileError(
            f"Could not read the file as text in any of {_SHOWN}. "
            "In Excel use File > Save As > 'CSV UTF-8', then upload again."
        )
    encoding = best.encoding
    if encoding == "cp1251" and _has_kazakh_bytes(data):
        encoding = "kz1048"  # the bytes Windows-1251 spends on Serbian letters are Kazakh ones
    return _decode(data, encoding), encoding


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"The file looks like {encoding} text but byte {exc.start} is not valid in it. "
            f"Save it as 'CSV UTF-8' (tried {_SHOWN})."
        ) from None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII text then has a zero in every other byte."""
    sample = data[:4000]
    if len(sample) < 4 or len(sample) % 2:
        return None
    odd_zeros = sample[1::2].count(0)
    even_zeros = sample[0::2].count(0)
    half = len(sample) // 2
    if odd_zeros > half * 0.3 and even_zeros == 0:
        return "utf_16_le"
    if even_zeros > half * 0.3 and odd_zeros == 0:
        return "utf_16_be"
    return None


_KAZAKH_BYTES = frozenset(
    b
    for b in range(0x80, 0x100)
    if bytes([b]).decode("cp1251", "replace") != bytes([b]).decode("kz1048", "replace")
)


def _has_kazakh_bytes(data: bytes) -> bool:
    return not _KAZAKH_BYTES.isdisjoint(data)


def read_dataset(data: bytes, fmt: Format) -> tablib.Dataset:
    """A dataset with headers from a CSV or XLSX upload, or ImportFileError saying why not."""
    check_size(len(data))
    if fmt == "xlsx":
        dataset = _read_xlsx(data)
    else:
        text, _ = decode_text(data)
        try:
            dataset = tablib.Dataset().load(text, format="csv")
        except (tablib.InvalidDimensions, ValueError) as exc:
            raise ImportFileError(f"The CSV file is malformed: {exc}.") from None
    if not dataset.headers or not any(str(h or "").strip() for h in dataset.headers):
        raise ImportFileError("The file is empty: the first row must hold the column names.")
    return dataset


def _read_xlsx(data: bytes) -> tablib.Dataset:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError):
        raise ImportFileError(
            "This is not an Excel (XLSX) file. Choose the CSV format for a CSV file."
        ) from None
    try:
        rows = book.active.iter_rows(values_only=True) if book.active is not None else iter(())
        dataset = tablib.Dataset()
        header = next(rows, None)
        if header is None:
            return dataset
        width = len(header)
        while width and header[width - 1] in (None, ""):
            width -= 1  # Excel often reports formatted but empty trailing columns
        dataset.headers = [str(h) if h is not None else "" for h in header[:width]]
        for row in rows:
            values = list(row[:width]) + [None] * (width - len(row))
            if all(v in (None, "") for v in values):
                continue  # blank lines Excel keeps at the end of a sheet
            dataset.append(values)
        return dataset
    finally:
        book.close()
