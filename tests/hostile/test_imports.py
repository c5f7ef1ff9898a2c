"""Hostile channel exports on POST /api/v1/campaigns/{id}/metrics/import and `import-metrics`.

Each file is built to cost unbounded memory or time if read naively: a CSV line with millions of
columns or no end, an XLSX that unpacks to gigabytes, entity expansion, deep nesting, a declared
dimension of a whole Excel sheet. Each is refused for its own reason with a 422 naming the problem,
and nothing is written. (Empty, malformed, wrongly encoded and oversized files: tests/metrics.)
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from campaignflow.audit.models import AuditEvent
from campaignflow.metrics.imports import sources
from campaignflow.metrics.models import DailyMetric

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"
XML_HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def refused(client, campaign, content: bytes, name: str) -> list[tuple]:
    """Post the file; assert a 422 that wrote nothing; return its errors as (row, column, message)."""
    response = client.post(
        f"/api/v1/campaigns/{campaign.pk}/metrics/import",
        {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")},
    )
    assert response.status_code == 422, response.content[:500]
    body = response.json()
    assert (body["code"], body["created"], body["updated"]) == ("import_invalid", 0, 0)
    assert not DailyMetric.objects.exists()
    assert not AuditEvent.objects.filter(verb="metrics.imported").exists()
    return [(e["row"], e["column"], e["message"]) for e in body["errors"]]


def workbook_with_sheet(sheet_xml: bytes, *, compression=zipfile.ZIP_DEFLATED, level=9) -> bytes:
    """A valid one-sheet workbook whose sheet part is replaced by `sheet_xml`."""
    workbook = Workbook()
    workbook.active.append(["date", "channel", "clicks"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    original = zipfile.ZipFile(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression, compresslevel=level) as archive:
        for part in original.infolist():
            data = sheet_xml if part.filename == SHEET else original.read(part.filename)
            archive.writestr(part.filename, data)
    return out.getvalue()


def sheet(rows_xml: bytes, *, dimension: bytes = b"", doctype: bytes = b"") -> bytes:
    return (
        XML_HEAD
        + doctype
        + b"<worksheet "
        + NS
        + b">"
        + dimension
        + b"<sheetData>"
        + rows_xml
        + b"</sheetData></worksheet>"
    )


def cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


HEADER_ROW = b'<row r="1">' + cell("A1", "date") + cell("B1", "channel") + cell("C1", "clicks") + b"</row>"


# --- CSV ------------------------------------------------------------------------------------------


def test_a_csv_line_with_millions_of_columns_is_refused_by_its_length(signed_in, live):
    content = (
        b"date,channel," + b"x," * 3_000_000 + b"\r\n2024-06-10,\xe6\x9c\x8b\xe5\x8f\x8b\xe5\x9c\x88\r\n"
    )

    assert refused(signed_in, live, content, "wide.csv") == [
        (1, None, "Line 1 is longer than 100,000 characters; this is not a channel export.")
    ]


def test_a_csv_with_more_columns_than_any_export_is_refused_naming_the_line(signed_in, live):
    header = ",".join(["date", "channel"] + [f"c{i}" for i in range(600)])

    assert refused(signed_in, live, (header + "\r\n2024-06-10,朋友圈\r\n").encode(), "wide.csv") == [
        (1, None, "Line 1 has 602 columns; an import may have at most 500.")
    ]


def test_a_csv_that_is_one_enormous_line_without_an_end_is_refused(signed_in, live):
    content = b"date,channel,clicks\r\n2024-06-10,x," + b"9" * 5_000_000

    assert refused(signed_in, live, content, "line.csv") == [
        (2, None, "Line 2 is longer than 100,000 characters; this is not a channel export.")
    ]


def test_a_csv_quoted_value_that_never_closes_is_refused_not_read_to_the_end(signed_in, live):
    content = b'date,channel,note\r\n2024-06-10,x,"' + b"short line\r\n" * 100_000

    assert refused(signed_in, live, content, "quote.csv") == [
        (2, None, "Line 2 is not readable as CSV (field larger than field limit (131072)).")
    ]


def test_a_csv_with_more_rows_than_an_import_may_have_is_refused(signed_in, live, monkeypatch):
    monkeypatch.setattr(sources, "MAX_ROWS", 10)  # lines 1-20 may be read: 10 rows after 10 title lines
    rows = "".join(f"2024-06-{day:02d},朋友圈,1\r\n" for day in range(1, 26))

    assert refused(signed_in, live, ("date,channel,clicks\r\n" + rows).encode(), "long.csv") == [
        (21, None, "The file has more than 10 rows; split it into files of at most that many.")
    ]


# --- XLSX -----------------------------------------------------------------------------------------


def test_an_xlsx_zip_bomb_is_refused_from_its_directory_before_unpacking(signed_in, live):
    # 300 MB of sheet XML deflates to about 300 KB: a ratio of ~1000, no spreadsheet has that.
    padding = b"<!--" + b" " * 300_000_000 + b"-->"
    content = workbook_with_sheet(sheet(HEADER_ROW) + padding)
    assert len(content) < 1_000_000

    [(row, column, message)] = refused(signed_in, live, content, "bomb.xlsx")

    assert (row, column) == (None, None)
    assert message.startswith("The workbook unpacks to 300 MB from a 0.")
    assert message.endswith("that is not a spreadsheet export (a zip bomb?). Save the sheet as CSV.")


def test_an_xlsx_that_unpacks_beyond_the_limit_is_refused_whatever_its_ratio(signed_in, live, monkeypatch):
    monkeypatch.setattr(sources, "MAX_UNPACKED_BYTES", 100_000)
    rows = b"".join(
        f'<row r="{n}">'.encode() + cell(f"A{n}", "2024-06-10") + cell(f"B{n}", "朋友圈") + b"</row>"
        for n in range(2, 2000)
    )
    content = workbook_with_sheet(sheet(HEADER_ROW + rows), compression=zipfile.ZIP_STORED)

    [(_, _, message)] = refused(signed_in, live, content, "big.xlsx")

    assert message.startswith("The workbook unpacks to 0 MB from a 0.")


def test_an_xlsx_with_billion_laughs_entities_is_refused_as_invalid(signed_in, live):
    entities = b'<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    doctype = b"<!DOCTYPE worksheet [" + entities + b"]>"
    body = HEADER_ROW + b'<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>'

    assert refused(signed_in, live, workbook_with_sheet(sheet(body, doctype=doctype)), "lol.xlsx") == [
        (None, None, "The file is not a valid XLSX workbook.")
    ]


def test_an_xlsx_with_an_external_entity_never_reads_the_referenced_file(signed_in, live, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("2024-06-10")
    doctype = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode()
    body = (
        HEADER_ROW
        + b'<row r="2"><c r="A2" t="inlineStr"><is><t>&xxe;</t></is></c>'
        + cell("B2", "朋友圈")
        + cell("C2", "1")
        + b"</row>"
    )

    errors = refused(signed_in, live, workbook_with_sheet(sheet(body, doctype=doctype)), "xxe.xlsx")

    assert all("2024-06-10" not in message for _, _, message in errors)


def test_an_xlsx_with_deeply_nested_xml_is_read_as_a_sheet_without_cells(signed_in, live):
    depth = 200_000
    body = b"<x>" * depth + b"</x>" * depth

    assert refused(signed_in, live, workbook_with_sheet(sheet(body)), "deep.xlsx") == [
        (None, None, "The file is empty.")
    ]


def test_an_xlsx_declaring_a_whole_sheet_of_rows_is_refused_before_reading_them(signed_in, live):
    dimension = b'<dimension ref="A1:C1048576"/>'
    body = HEADER_ROW + b'<row r="1048576">' + cell("A1048576", "2024-06-10") + b"</row>"

    assert refused(signed_in, live, workbook_with_sheet(sheet(body, dimension=dimension)), "tall.xlsx") == [
        (None, None, "The sheet declares 1,048,576 rows; an import may have at most 1,000,000.")
    ]


def test_an_xlsx_declaring_every_excel_column_is_refused_before_padding_rows_to_it(signed_in, live):
    dimension = b'<dimension ref="A1:XFD20"/>'

    assert refused(
        signed_in, live, workbook_with_sheet(sheet(HEADER_ROW, dimension=dimension)), "w.xlsx"
    ) == [(None, None, "The sheet declares 16,384 columns; an import may have at most 500.")]


def test_an_xlsx_whose_rows_jump_past_the_limit_is_refused(signed_in, live, monkeypatch):
    monkeypatch.setattr(sources, "MAX_ROWS", 1000)
    body = HEADER_ROW + b'<row r="900000">' + cell("A900000", "2024-06-10") + b"</row>"

    assert refused(signed_in, live, workbook_with_sheet(sheet(body)), "gap.xlsx") == [
        (1011, None, "The file has more than 1,000 rows; split it into files of at most that many.")
    ]


# --- the same limits from the shell ---------------------------------------------------------------


def test_the_import_command_refuses_a_zip_bomb_and_writes_nothing(live, planner, tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(workbook_with_sheet(sheet(HEADER_ROW) + b"<!--" + b" " * 300_000_000 + b"-->"))
    stderr = io.StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import-metrics", str(live.pk), str(path), user="planner", stderr=stderr)

    assert "(a zip bomb?)" in stderr.getvalue()
    assert not DailyMetric.objects.exists()
