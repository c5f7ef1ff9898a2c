"""`campaignflow report <campaign> <kind> --format md|xlsx|json [--date] [--output FILE]`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("report", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_writes_an_xlsx_file_for_a_campaign_named_by_number(table_3, tmp_path):
    path = tmp_path / "日报.xlsx"

    _out, err = run(
        "MC-2024-0007", "daily", "--format", "xlsx", "--date", "2024-06-10", "--output", str(path)
    )

    assert err.strip() == f"Wrote {path}."
    sheet = load_workbook(path).worksheets[0]
    assert sheet["A1"].value == "Daily data report · 618 tea festival · 2024-06-10"


def test_it_prints_markdown_and_json_for_a_campaign_named_by_id(table_3):
    md, _ = run(str(table_3.pk), "daily", "--date", "2024-06-10")
    data, _ = run(str(table_3.pk), "plan", "--format", "json")

    assert md.startswith("# Daily data report · 618 tea festival · 2024-06-10")
    assert json.loads(data)["kind"] == "plan"


def test_pdf_an_unknown_campaign_and_a_hidden_one_are_errors(table_3, outsider, tmp_path):
    path = tmp_path / "daily.pdf"
    run(str(table_3.pk), "daily", "--format", "pdf", "--date", "2024-06-10", "--output", str(path))
    assert path.read_bytes().startswith(b"%PDF-")
    with pytest.raises(CommandError, match="Campaign not found"):
        run("MC-2024-9999", "daily")
    with pytest.raises(CommandError, match="Campaign not found"):
        run(str(table_3.pk), "daily", "--user", "outsider")
