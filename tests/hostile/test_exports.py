"""Formula injection: text a spreadsheet would run comes back as text from every exporter.

Every free-text field of the demo organization (tests/hostile/free_text.py) is filled with a value
starting with one of = + - @ tab and carriage return, then every report kind is downloaded as XLSX
(the generic renderer and Table 2's own layout) together with the task list export of the web UI.
No sheet may hold a formula, and every cell whose text starts with one of those characters must be
marked as text: Excel's quote prefix, or a leading apostrophe written into the text.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from campaignflow.accounts.models import User
from campaignflow.campaigns.models import Campaign
from campaignflow.reports import registry
from tests.hostile.free_text import fill_free_text, sample_campaigns

pytestmark = pytest.mark.django_db

STARTS = ("=", "+", "-", "@", "\t", "\r")
PAYLOADS = {
    "=": '=HYPERLINK("http://evil.example/?{n}","open")',
    "+": "+cmd|' /C calc'!A{n}",
    "-": "-2+3+cmd|' /C notepad'!'{n}'",
    "@": "@SUM(1+1)*cmd|' /C calc'!A{n}",
    "\t": "\t=1+{n}",
    "\r": "\r=1+{n}",
}


def formula_text(number: int) -> str:
    start = STARTS[number % len(STARTS)]
    return PAYLOADS[start].format(n=number)


def unsafe_cells(content: bytes) -> list[str]:
    """Cells a spreadsheet would evaluate: formulas, or text starting with a formula character."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    found = [f"formula in {i}" for i, sheet in enumerate(sheets) if b"<f>" in sheet or b"<f " in sheet]
    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    found.append(f"{sheet.title}!{cell.coordinate} is a formula")
                elif (
                    isinstance(cell.value, str)
                    and cell.value.startswith(STARTS)
                    and cell.value != "-"  # the exporters' mark of an empty cell: text, not a formula
                    and not cell.quotePrefix
                ):
                    found.append(f"{sheet.title}!{cell.coordinate} {cell.value[:30]!r}")
    return found


def test_every_xlsx_export_keeps_formula_text_as_text(demo_world, client):
    filled = fill_free_text(formula_text)
    assert {text[0] for text in filled.values() if text} >= set(STARTS)
    client.force_login(User.objects.get(username="admin"))
    exported = {}

    for campaign in Campaign.objects.filter(pk__in=sample_campaigns()):
        for kind in registry.KINDS.values():
            if "xlsx" not in kind.formats:
                continue
            response = client.get(
                f"/api/v1/campaigns/{campaign.pk}/reports/{kind.key}",
                {"format": "xlsx", "date": str(campaign.start_date)},
            )
            assert response.status_code < 500, (kind.key, campaign.status)
            if response.status_code == 200:
                exported[f"{kind.key} of {campaign.status}"] = response.content
        tasks = client.get(reverse("execution:export", args=[campaign.pk]))
        if tasks.status_code == 200:
            exported[f"task export of {campaign.status}"] = tasks.content

    assert {name.split(" of ")[0] for name in exported} >= {*registry.KINDS, "task export"}
    assert {name: cells for name, content in exported.items() if (cells := unsafe_cells(content))} == {}


def test_the_json_report_carries_formula_text_unchanged(demo_world, client):
    filled = fill_free_text(formula_text)
    client.force_login(User.objects.get(username="admin"))
    live = Campaign.objects.filter(status="live").first()

    response = client.get(f"/api/v1/campaigns/{live.pk}/reports/plan", {"format": "json"})

    assert response.status_code == 200
    assert response.json()["title"].endswith(filled["campaigns.Campaign.name"])
