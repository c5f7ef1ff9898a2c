"""Vouchers: the type comes from the content, the size is limited, the stored name is ours."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from campaignflow.core.errors import ValidationFailed
from campaignflow.expenses import attachments, services
from campaignflow.expenses.models import Expense
from tests.expenses.conftest import expense_data, jpeg_bytes, pdf_bytes, png_bytes, upload, xlsx_bytes


@pytest.mark.parametrize(
    ("content", "name", "kind"),
    [
        (pdf_bytes(), "发票 INV-0001.pdf", "pdf"),
        (png_bytes(), "receipt.PNG", "png"),
        (jpeg_bytes(), "scan.jpeg", "jpg"),
        (xlsx_bytes(), "明细.xlsx", "xlsx"),
    ],
)
def test_it_accepts_pdf_jpg_png_and_xlsx_by_content(live, finance, media, content, name, kind):
    expense = services.expense_create(
        campaign=live,
        actor=finance,
        data=expense_data(live.lines["materials"]),
        attachment=upload(content, name),
    )

    expense.refresh_from_db()
    assert (expense.attachment_type, expense.attachment_name, expense.attachment_size) == (
        kind,
        name,
        len(content),
    )
    stored = Path(expense.attachment.path)
    assert stored.parent == Path(media) / "expenses" / str(live.pk)
    assert stored.read_bytes() == content
    assert stored.name != name and stored.suffix == "." + ("jpg" if kind == "jpg" else kind)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"MZ\x90\x00 this is a program", "invoice.pdf"),  # an executable renamed
        (b"<html><script>alert(1)</script></html>", "invoice.png"),
        (b"PK\x03\x04 not really a zip", "invoice.xlsx"),
        (b"\x89PNG\r\n\x1a\n but not an image", "invoice.png"),
        (b"plain text", "notes.txt"),
    ],
)
def test_it_refuses_content_that_is_none_of_the_accepted_types(live, finance, media, content, name):
    with pytest.raises(ValidationFailed) as error:
        services.expense_create(
            campaign=live,
            actor=finance,
            data=expense_data(live.lines["materials"]),
            attachment=upload(content, name),
        )

    assert error.value.errors[0].field == "attachment"
    assert not Expense.objects.exists()
    assert not list(Path(media).rglob("*.*"))


def test_a_name_that_disagrees_with_the_content_is_refused(live, finance):
    with pytest.raises(ValidationFailed) as error:
        services.expense_create(
            campaign=live,
            actor=finance,
            data=expense_data(live.lines["materials"]),
            attachment=upload(png_bytes(), "invoice.pdf"),
        )

    assert "PNG image" in error.value.errors[0].message


def test_a_file_over_the_size_limit_is_refused(live, finance, settings):
    settings.CAMPAIGNFLOW_MAX_ATTACHMENT_BYTES = 100
    content = pdf_bytes() + b"0" * 100

    with pytest.raises(ValidationFailed) as error:
        services.expense_create(
            campaign=live,
            actor=finance,
            data=expense_data(live.lines["materials"]),
            attachment=upload(content, "a.pdf"),
        )

    assert error.value.errors[0].field == "attachment"
    assert "100 B" in error.value.errors[0].message


def test_the_limit_defaults_to_ten_megabytes_and_follows_the_environment():
    import subprocess
    import sys

    def limit(**env):
        code = (
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'campaignflow.config.settings'; "
            "django.setup(); from campaignflow.expenses import attachments; print(attachments.max_bytes())"
        )
        environment = {k: v for k, v in os.environ.items() if k != "CAMPAIGNFLOW_MAX_ATTACHMENT_BYTES"} | env
        return subprocess.run(
            [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
        ).stdout.strip()

    assert limit() == str(10 * 1024 * 1024)
    assert limit(CAMPAIGNFLOW_MAX_ATTACHMENT_BYTES="5000000") == "5000000"


def test_an_empty_file_is_refused(live, finance):
    with pytest.raises(ValidationFailed):
        services.expense_create(
            campaign=live,
            actor=finance,
            data=expense_data(live.lines["materials"]),
            attachment=upload(b"", "a.pdf"),
        )


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
        ("/absolute/path/scan.pdf", "scan.pdf"),
        ('in"voice\x00\n.pdf', "invoice.pdf"),
        ("....pdf", "pdf"),
    ],
)
def test_names_cannot_escape_the_campaign_folder(live, finance, media, name, shown):
    content = pdf_bytes()
    file = upload(content, "x.pdf")
    file.name = name  # SimpleUploadedFile cleans names itself; a raw upload might not

    if shown == "pdf":
        with pytest.raises(ValidationFailed):  # no extension left: refused, nothing stored
            services.expense_create(
                campaign=live, actor=finance, data=expense_data(live.lines["materials"]), attachment=file
            )
        return
    expense = services.expense_create(
        campaign=live, actor=finance, data=expense_data(live.lines["materials"]), attachment=file
    )

    stored = Path(expense.attachment.path).resolve()
    assert stored.parent == (Path(media) / "expenses" / str(live.pk)).resolve()
    assert expense.attachment_name == shown
    assert [p for p in Path(media).rglob("*") if p.is_file()] == [stored]


def test_clean_name_keeps_chinese_and_the_extension_of_long_names():
    assert attachments.clean_name("活动费用发票.pdf") == "活动费用发票.pdf"
    long = attachments.clean_name("长" * 300 + ".xlsx")
    assert len(long) == attachments.NAME_MAX and long.endswith(".xlsx")


def test_replacing_and_removing_the_attachment_deletes_the_old_file(
    live, finance, media, django_capture_on_commit_callbacks
):
    expense = services.expense_create(
        campaign=live,
        actor=finance,
        data=expense_data(live.lines["materials"]),
        attachment=upload(pdf_bytes(), "a.pdf"),
    )
    first = Path(expense.attachment.path)

    with django_capture_on_commit_callbacks(execute=True):
        services.expense_attach(expense=expense, actor=finance, upload=upload(png_bytes(), "b.png"))
    second = Path(expense.attachment.path)
    assert not first.exists() and second.exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.expense_detach(expense=expense, actor=finance)
    expense.refresh_from_db()
    assert not second.exists()
    assert (expense.attachment.name, expense.attachment_name, expense.attachment_type) == ("", "", "")


def test_deleting_an_expense_deletes_its_file(live, finance, django_capture_on_commit_callbacks):
    expense = services.expense_create(
        campaign=live,
        actor=finance,
        data=expense_data(live.lines["materials"]),
        attachment=upload(pdf_bytes(), "a.pdf"),
    )
    path = Path(expense.attachment.path)

    with django_capture_on_commit_callbacks(execute=True):
        services.expense_delete(expense=expense, actor=finance)

    assert not path.exists()
