"""Reading a channel export row by row: CSV in any of the encodings Excel writes, or XLSX.

Nothing here holds the whole file: CSV is decoded as a stream, XLSX is read with openpyxl's
read-only mode. Each row comes out as (line number in the file, list of cell values).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
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
# Bounds that keep a hostile file from costing unbounded memory or time before the rows are checked.
# A real channel export has a few dozen columns and lines of a few hundred characters; issue 4 sizes
# imports at up to 1,000,000 rows (after up to HEADER_LINES title and header lines).
MAX_COLUMNS = 500
MAX_LINE_CHARS = 100_000
MAX_ROWS = 1_000_000
HEADER_LINES = 10
# An XLSX is a ZIP: its parts may unpack to at most this much, and not at a ratio no spreadsheet
# reaches (deflate gives a real sheet 5-30x; a zip bomb is hundreds to a thousand times).
MAX_UNPACKED_BYTES = 2_000_000_000
MAX_RATIO = 200
RATIO_CHECKED_FROM = 10_000_000  # small parts may compress as well as they like


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


def _lines(text: io.TextIOWrapper) -> Iterator[str]:
    """The text's lines, refusing one longer than MAX_LINE_CHARS before it is held in memory."""
    number = 0
    while line := text.readline(MAX_LINE_CHARS + 1):
        number += 1
        if len(line) > MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
            raise SourceError(
                _("Line %(line)d is longer than %(max)s characters; this is not a channel export.")
                % {"line": number, "max": f"{MAX_LINE_CHARS:,}"},
                row=number,
            )
        yield line


def _too_many_rows(line: int) -> SourceError:
    return SourceError(
        _("The file has more than %(max)s rows; split it into files of at most that many.")
        % {"max": f"{MAX_ROWS:,}"},
        row=line,
    )


def _too_many_columns(line: int, count: int) -> SourceError:
    return SourceError(
        _("Line %(line)d has %(count)s columns; an import may have at most %(max)d.")
        % {"line": line, "count": f"{count:,}", "max": MAX_COLUMNS},
        row=line,
    )


def _delimiter(stream: BinaryIO, encoding: str) -> str:
    """The separator of the first non-empty line: comma, tab (Excel's “Unicode text”), ';' or '|'."""
    text = _text(stream, encoding)
    try:
        for line in _lines(text):
            if line.strip():
                return max(DELIMITERS, key=line.count) if any(d in line for d in DELIMITERS) else ","
        return ","
    finally:
        text.detach()
        stream.seek(0)


def _csv_rows(stream: BinaryIO, encoding: str) -> Iterator[tuple[int, list]]:
    delimiter = _delimiter(stream, encoding)
    text = _text(stream, encoding)
    reader = csv.reader(_lines(text), delimiter=delimiter)
    previous = 0
    try:
        for cells in reader:
            line = previous + 1  # a quoted value may span lines: report where the record starts
            previous = reader.line_num
            if len(cells) > MAX_COLUMNS:
                raise _too_many_columns(line, len(cells))
            if line > MAX_ROWS + HEADER_LINES:
                raise _too_many_rows(line)
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

    _check_unpacked_size(stream)
    try:
        # read_only streams the sheet; data_only=False keeps formulas as their text so they can
        # be refused (a cached result may be stale, and we never evaluate one).
        workbook = load_workbook(stream, read_only=True, data_only=False, keep_links=False)
        sheet = workbook.worksheets[0]
    except Exception:  # zipfile, XML and openpyxl errors alike: the workbook is unusable
        raise SourceError(_("The file is not a valid XLSX workbook."))
    try:
        _check_declared_size(sheet)
        for line, cells in enumerate(sheet.iter_rows(), start=1):
            if line > MAX_ROWS + HEADER_LINES:
                raise _too_many_rows(line)
            if len(cells) > MAX_COLUMNS:
                raise _too_many_columns(line, len(cells))
            values = [_xlsx_value(cell) for cell in cells]
            if any(value not in (None, "") for value in values):
                yield line, values
    except Exception as exc:
        if isinstance(exc, SourceError):
            raise
        raise SourceError(_("The file is not a valid XLSX workbook."))
    finally:
        workbook.close()


def _check_unpacked_size(stream: BinaryIO) -> None:
    """Refuse a zip bomb from the archive's directory, before anything is unpacked.

    zipfile never unpacks a part beyond the size its directory entry states, so the stated sizes
    bound what reading the workbook can cost.
    """
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # load_workbook says the file is not a valid workbook
    finally:
        stream.seek(0)
    unpacked = sum(part.file_size for part in parts)
    bomb = any(
        part.file_size >= RATIO_CHECKED_FROM and part.file_size > MAX_RATIO * max(part.compress_size, 1)
        for part in parts
    )
    if unpacked > MAX_UNPACKED_BYTES or bomb:
        raise SourceError(
            _(
                "The workbook unpacks to %(unpacked)s MB from a %(packed)s MB file; "
                "that is not a spreadsheet export (a zip bomb?). Save the sheet as CSV."
            )
            % {
                "unpacked": f"{unpacked / 1_000_000:,.0f}",
                "packed": f"{sum(part.compress_size for part in parts) / 1_000_000:,.2f}",
            }
        )


def _check_declared_size(sheet) -> None:
    """Refuse a sheet whose dimension already says it is too large, before its rows are read.

    openpyxl pads every row to the declared width and fills declared gaps with empty rows, so a
    dimension of A1:XFD1048576 would otherwise cost 16,384 cells for each of a million rows.
    """
    rows, columns = sheet.max_row or 0, sheet.max_column or 0
    if rows > MAX_ROWS + HEADER_LINES:
        raise SourceError(
            _("The sheet declares %(rows)s rows; an import may have at most %(max)s.")
            % {"rows": f"{rows:,}", "max": f"{MAX_ROWS:,}"}
        )
    if columns > MAX_COLUMNS:
        raise SourceError(
            _("The sheet declares %(columns)s columns; an import may have at most %(max)d.")
            % {"columns": f"{columns:,}", "max": MAX_COLUMNS}
        )


def _xlsx_value(cell):
    value = cell.value
    if getattr(cell, "data_type", None) == "f" or (
        value is not None
        and not isinstance(value, str | int | float | bool | dt.date | dt.time | dt.timedelta)
    ):
        return FormulaValue(value if isinstance(value, str) else getattr(value, "text", "") or "=")
    return value
