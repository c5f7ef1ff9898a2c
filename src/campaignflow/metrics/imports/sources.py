"""Reading a channel export row by row: CSV in any of the encodings Excel writes, or XLSX.

Nothing here holds the whole file: CSV is decoded as a stream, XLSX is read with openpyxl's
read-only mode. Each row comes out as (line number in the file, list of cell values).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _

CHUNK = 1 << 20
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other Office 97 files)
# Tried in order with strict decoding; GB18030 is a superset of GBK and GB2312, what Excel in a
# Chinese locale writes as "CSV".
ENCODINGS = ("utf-8", "gb18030")
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)", "gb18030": "GBK/GB18030", "utf-16": "UTF-16"}
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
DELIMITERS = (",", "\t", ";", "|")


class FormulaValue(str):
    """A spreadsheet cell holding a formula; its text starts with “=”. Never evaluated."""


@dataclass
class Source:
    format: str  # "csv" or "xlsx"
    encoding: str  # a key of ENCODING_NAMES, "" for XLSX
    rows: Iterator[tuple[int, list]]

    @property
    def encoding_name(self) -> str:
        return ENCODING_NAMES.get(self.encoding, self.encoding)


class SourceError(Exception):
    """The file as a whole cannot be read; the message says why (file-level import error)."""

    def __init__(self, message, row: int | None = None):
        super().__init__(str(message))
        self.message = message
        self.row = row


def open_source(stream: BinaryIO, filename: str = "") -> Source:
    """Detect the format (and a CSV's encoding and delimiter) and return its row iterator."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    name = (filename or "").lower()
    if not head or not _has_content(stream):
        raise SourceError(_("The file is empty."))
    if head.startswith(OLE_MAGIC) or name.endswith(".xls"):
        raise SourceError(_("Old Excel .xls files are not supported; save the sheet as .xlsx or CSV."))
    if head.startswith(ZIP_MAGIC) or name.endswith(XLSX_EXTENSIONS):
        return Source("xlsx", "", _xlsx_rows(stream))
    encoding = detect_encoding(stream)
    return Source("csv", encoding, _csv_rows(stream, encoding))


def _has_content(stream: BinaryIO) -> bool:
    """False for a file of only whitespace and byte-order marks."""
    stream.seek(0)
    try:
        while chunk := stream.read(CHUNK):
            stripped = chunk.replace(codecs.BOM_UTF8, b"").replace(codecs.BOM_UTF16_LE, b"")
            if stripped.strip(b" \t\r\n\x00"):
                return True
        return False
    finally:
        stream.seek(0)


def detect_encoding(stream: BinaryIO) -> str:
    """The first encoding that decodes the whole file strictly (a byte-order mark decides alone)."""
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        candidates: tuple[str, ...] = ("utf-8-sig",)
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    else:
        candidates = ENCODINGS
    for encoding in candidates:
        if _decodes(stream, encoding):
            return encoding
    raise SourceError(
        _("The file's text encoding was not recognized; save it as CSV in UTF-8 or GBK.")
        if len(candidates) > 1
        else _("The file is not valid %(encoding)s text.") % {"encoding": ENCODING_NAMES[candidates[0]]}
    )


def _decodes(stream: BinaryIO, encoding: str) -> bool:
    """Whether the stream decodes without error; one pass in 1 MB chunks, nothing kept."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    stream.seek(0)
    try:
        while chunk := stream.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return True
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)


def _text(stream: BinaryIO, encoding: str) -> io.TextIOWrapper:
    stream.seek(0)
    return io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")


def _delimiter(stream: BinaryIO, encoding: str) -> str:
    """The separator of the first non-empty line: comma, tab (Excel's “Unicode text”), ';' or '|'."""
    text = _text(stream, encoding)
    try:
        for line in text:
            if line.strip():
                return max(DELIMITERS, key=line.count) if any(d in line for d in DELIMITERS) else ","
        return ","
    finally:
        text.detach()
        stream.seek(0)


def _csv_rows(stream: BinaryIO, encoding: str) -> Iterator[tuple[int, list]]:
    delimiter = _delimiter(stream, encoding)
    text = _text(stream, encoding)
    reader = csv.reader(text, delimiter=delimiter)
    previous = 0
    try:
        for cells in reader:
            line = previous + 1  # a quoted value may span lines: report where the record starts
            previous = reader.line_num
            if cells:
                yield line, cells
    except csv.Error as exc:
        raise SourceError(
            _("Line %(line)d is not readable as CSV (%(reason)s).") % {"line": previous + 1, "reason": exc},
            row=previous + 1,
        )
    except UnicodeDecodeError:
        raise SourceError(
            _("The file is not valid %(encoding)s text.") % {"encoding": ENCODING_NAMES[encoding]}
        )


def _xlsx_rows(stream: BinaryIO) -> Iterator[tuple[int, list]]:
    """The first sheet's rows; formulas come out as FormulaValue, never evaluated."""
    from openpyxl import load_workbook

    try:
        # read_only streams the sheet; data_only=False keeps formulas as their text so they can
        # be refused (a cached result may be stale, and we never evaluate one).
        workbook = load_workbook(stream, read_only=True, data_only=False, keep_links=False)
        sheet = workbook.worksheets[0]
    except Exception:  # zipfile, XML and openpyxl errors alike: the workbook is unusable
        raise SourceError(_("The file is not a valid XLSX workbook."))
    try:
        for line, cells in enumerate(sheet.iter_rows(), start=1):
            values = [_xlsx_value(cell) for cell in cells]
            if any(value not in (None, "") for value in values):
                yield line, values
    except Exception as exc:
        if isinstance(exc, SourceError):
            raise
        raise SourceError(_("The file is not a valid XLSX workbook."))
    finally:
        workbook.close()


def _xlsx_value(cell):
    value = cell.value
    if getattr(cell, "data_type", None) == "f" or (
        value is not None
        and not isinstance(value, str | int | float | bool | dt.date | dt.time | dt.timedelta)
    ):
        return FormulaValue(value if isinstance(value, str) else getattr(value, "text", "") or "=")
    return value
