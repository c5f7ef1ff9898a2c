"""Oversized requests and hostile file names through the API and the web forms.

A body over DATA_UPLOAD_MAX_MEMORY_SIZE or with too many fields is a 413 that says which limit,
in JSON on the API and as the error page on the web, and nothing is created. A voucher over its
limit is a 422 naming the field with nothing stored. A voucher's name never becomes part of a path:
traversal, absolute and Windows paths, NUL and control characters, and Unicode look-alikes of `/`
and `.` all end with the file in MEDIA_ROOT/expenses/<campaign id>/ under a generated name.
(Service-level name cleaning and the import size limit: tests/expenses, tests/metrics.)
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaignflow.campaigns.models import BudgetLine, Campaign
from campaignflow.expenses.models import Expense

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
STORED = re.compile(r"expenses/\d+/[0-9a-f]{32}\.pdf")


@pytest.fixture
def expense(live, planner):
    line = BudgetLine.objects.create(campaign=live, category="materials", amount=Decimal("20000.00"))
    return Expense.objects.create(
        campaign=live,
        budget_line=line,
        category="materials",
        amount=Decimal("1200.00"),
        date=dt.date(2024, 6, 10),
        vendor="上海印象印务有限公司",
        created_by=planner,
    )


def stored_files(media) -> list[Path]:
    return [p for p in Path(media).rglob("*") if p.is_file()] if Path(media).exists() else []


# --- request bodies over Django's limits -----------------------------------------------------------


def test_an_api_body_over_the_upload_limit_is_413_naming_the_limit(client, planner, marketing, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(planner)
    body = {
        "name": "x" * 2000,
        "department": marketing.pk,
        "start_date": "2026-12-01",
        "end_date": "2026-12-31",
    }

    response = client.post("/api/v1/campaigns", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request is too large: at most 1000 bytes of data may be sent at once.",
        "code": "request_too_large",
        "errors": [],
    }
    assert not Campaign.objects.exists()


def test_a_web_form_over_the_upload_limit_is_a_413_page_saying_so(client, planner, marketing, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
    client.force_login(planner)

    response = client.post("/campaigns/new/", {"name": "x" * (3 * 1024 * 1024), "department": marketing.pk})

    assert response.status_code == 413
    assert "at most 2.0 MB of data may be sent at once" in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_web_form_with_too_many_fields_is_a_413(client, planner, marketing, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    client.force_login(planner)
    fields = {f"field{i}": "x" for i in range(50)} | {"name": "Too many", "department": marketing.pk}

    response = client.post("/campaigns/new/", fields)

    assert response.status_code == 413
    assert "too many fields or files" in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_too_large_htmx_request_gets_the_message_partial(client, planner, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(planner)

    response = client.post("/campaigns/new/", {"name": "x" * 2000}, headers={"HX-Request": "true"})

    assert response.status_code == 413
    assert "<html" not in response.content.decode()
    assert "at most 1000 bytes" in response.content.decode()


# --- vouchers ----------------------------------------------------------------------------------------


def test_a_voucher_over_its_limit_is_refused_naming_the_field_and_nothing_is_stored(
    client, planner, expense, media, settings
):
    settings.CAMPAIGNFLOW_MAX_ATTACHMENT_BYTES = 1000
    client.force_login(planner)
    big = PDF + b"0" * 5000

    response = client.post(
        f"/api/v1/expenses/{expense.pk}/attachment", {"attachment": SimpleUploadedFile("scan.pdf", big)}
    )

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["attachment"]
    expense.refresh_from_db()
    assert not expense.attachment
    assert stored_files(media) == []


def multipart(filename: bytes, content: bytes = PDF) -> tuple[bytes, str]:
    """A multipart body with the file name exactly as given (the test client would clean it)."""
    body = (
        b"--BOUNDARY\r\n"
        b'Content-Disposition: form-data; name="attachment"; filename="' + filename + b'"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" + content + b"\r\n--BOUNDARY--\r\n"
    )
    return body, "multipart/form-data; boundary=BOUNDARY"


HOSTILE_NAMES = [
    "../../../../etc/passwd.pdf",
    "/etc/passwd.pdf",
    "C:\\Windows\\System32\\evil.pdf",
    "..\\..\\..\\evil.pdf",
    "scan\x00.pdf",
    "%2e%2e%2f%2e%2e%2fevil.pdf",
    "..%c0%af..%c0%afevil.pdf",
    "．．／．．／evil.pdf",  # fullwidth full stops and solidus
    "..∕..∕evil.pdf",  # U+2215 division slash
    "..⁄..⁄evil.pdf",  # U+2044 fraction slash
    "evil\u202efdp.exe.pdf",  # right-to-left override
    "e\u0301vil.pdf",  # decomposed accent: normalised to NFC
    "CON.pdf",
    ".htaccess.pdf",
    "a" * 400 + ".pdf",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_a_voucher_name_never_becomes_part_of_the_stored_path(client, planner, expense, media, name):
    client.force_login(planner)
    body, content_type = multipart(name.encode())

    response = client.generic(
        "POST", f"/api/v1/expenses/{expense.pk}/attachment", body, content_type=content_type
    )

    assert response.status_code == 200, response.content
    expense.refresh_from_db()
    assert STORED.fullmatch(expense.attachment.name)
    stored = Path(expense.attachment.path).resolve()
    assert stored.is_relative_to(Path(media).resolve() / "expenses" / str(expense.campaign_id))
    assert stored_files(media) == [stored]
    shown = expense.attachment_name
    assert shown.endswith(".pdf") and len(shown) <= 200
    assert not any(char in shown for char in "/\\\x00\r\n\u202e")
    download = client.get(f"/api/v1/expenses/{expense.pk}/attachment")
    assert download.status_code == 200
    assert "\n" not in download["Content-Disposition"] and "\r" not in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF


def test_a_voucher_name_that_injects_a_header_loses_its_extension_and_is_refused(
    client, planner, expense, media
):
    client.force_login(planner)
    body, content_type = multipart(b"scan\r\nContent-Type: text/html.pdf")

    response = client.generic(
        "POST", f"/api/v1/expenses/{expense.pk}/attachment", body, content_type=content_type
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "attachment"
    expense.refresh_from_db()
    assert not expense.attachment and stored_files(media) == []


def test_a_voucher_name_that_is_not_utf_8_is_stored_under_a_generated_name(client, planner, expense, media):
    client.force_login(planner)
    body, content_type = multipart(b"\xff\xfe\xc0\xaf.pdf")

    response = client.generic(
        "POST", f"/api/v1/expenses/{expense.pk}/attachment", body, content_type=content_type
    )

    assert response.status_code in (200, 400, 422)
    expense.refresh_from_db()
    if response.status_code == 200:
        assert STORED.fullmatch(expense.attachment.name)
    else:
        assert not expense.attachment and stored_files(media) == []
