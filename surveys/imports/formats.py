"""django-import-export formats for uploads: bytes in, our reader out (encodings, clear errors).

The stock CSV format decodes with one fixed encoding (a Windows-1251 file fails with
"'UnicodeDecodeError' encountered"); these hand the raw bytes to ``files.read_dataset``.
Exports keep the stock formats: the resources escape each cell themselves.
"""

from typing import Any

import tablib
from import_export.formats import base_formats

from surveys.imports.files import read_dataset


class CSVUpload(base_formats.CSV):
    def is_binary(self) -> bool:
        return True  # the admin then passes bytes, and no encoding, to create_dataset

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> tablib.Dataset:
        data = in_stream.encode("utf-8") if isinstance(in_stream, str) else bytes(in_stream)
        return read_dataset(data, "csv")


class XLSXUpload(base_formats.XLSX):
    def create_dataset(self, in_stream: Any) -> tablib.Dataset:
        return read_dataset(bytes(in_stream), "xlsx")


def format_key(upload_format: Any) -> str:
    return "xlsx" if isinstance(upload_format, base_formats.XLSX) else "csv"
