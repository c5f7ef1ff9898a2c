"""GET /api/v1/campaigns/{id}/reports/{kind}?format=json|md|xlsx|pdf and the stored daily reports."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from campaignflow.audit.models import AuditEvent
from campaignflow.execution.models import Task
from campaignflow.reports.models import DailyReport
from tests.factories import ready_plan

pytestmark = pytest.mark.django_db
URL = "/api/v1/campaigns/{}/reports/{}"


def test_json_is_the_document_with_typed_columns_and_fraction_rates(client, table_3, analyst):
    client.force_login(analyst)

    response = client.get(URL.format(table_3.pk, "daily"), {"format": "json", "date": "2024-06-10"})

    assert response.status_code == 200
    data = response.json()
    assert data["kind"] == "daily"
    assert data["title"] == "Daily data report · 618 tea festival · 2024-06-10"
    day = data["sections"][0]["tables"][0]
    assert {"key": "ctr", "label": "CTR", "kind": "percent"} in day["columns"]
    moments = day["rows"][0]
    assert moments["channel"] == "朋友圈"
    assert (moments["impressions"], moments["ctr"], moments["cpa"], moments["roas"]) == (
        50000,
        "0.021",
        "40.00",
        "5",
    )
    assert data["notes"][-1] == "线下门店: 客流低于预期20%"


def test_markdown_has_the_table_and_the_anomalies(client, table_3, pm):
    client.force_login(pm)

    response = client.get(URL.format(table_3.pk, "daily"), {"format": "md", "date": "2024-06-10"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="MC-2024-0007-daily-2024-06-10.md"'
    text = response.content.decode()
    assert text.startswith("# Daily data report · 618 tea festival · 2024-06-10\n")
    assert (
        "| 朋友圈 | 50,000 | 1,050 | 2.10% | 0 | 35 | 3.33% | 56 | 1,400.00 | 40.00 | 7,000.00 | 5.00 | — |"
        in text
    )
    assert (
        "| 线下门店 | 0 | 0 | — | 2,000 | 160 | — | 160 | 800.00 | 5.00 | 32,000.00 | 40.00 | 客流低于预期20% |"
        in text
    )
    assert "## Anomalies\n\n- Sales: 28.33% of the target reached" in text


def test_xlsx_opens_with_headers_values_and_number_formats(client, table_3, pm):
    client.force_login(pm)

    response = client.get(URL.format(table_3.pk, "daily"), {"format": "xlsx", "date": "2024-06-10"})

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    header_row = next(row for row in sheet.iter_rows() if row[0].value == "Channel")
    headers = [cell.value for cell in header_row if cell.value]
    assert headers[:6] == [
        "Channel",
        "Impressions",
        "Clicks",
        "CTR",
        "Visits (foot traffic)",
        "Conversions (paying users)",
    ]
    assert sheet.freeze_panes == f"A{header_row[0].row + 1}"
    moments = list(sheet[header_row[0].row + 1])
    assert moments[0].value == "朋友圈"
    assert moments[1].value == 50000 and moments[1].number_format == "#,##0"
    assert moments[3].value == pytest.approx(0.021) and moments[3].number_format == "0.00%"
    assert moments[8].value == pytest.approx(1400) and moments[8].number_format == "#,##0.00"
    assert workbook.sheetnames[-1] == "Anomalies"
    assert workbook["Anomalies"]["B2"].value is None
    assert workbook["Anomalies"]["A6"].value == "线下门店: 客流低于预期20%"


def test_text_that_looks_like_a_formula_stays_text_in_xlsx(client, live, moments, pm):
    from tests.reports.conftest import DAY, metric

    metric(live, moments, DAY, impressions=100, clicks=1, note='=HYPERLINK("http://x")')
    Task.objects.create(
        campaign=live, owner=pm, name="+cmd|' /C calc'!A0", planned_start=DAY, planned_finish=DAY
    )
    client.force_login(pm)

    daily = client.get(URL.format(live.pk, "daily"), {"format": "xlsx", "date": "2024-06-10"})
    tasks = client.get(URL.format(live.pk, "tasks"), {"format": "xlsx"})

    for response, text in ((daily, '=HYPERLINK("http://x")'), (tasks, "+cmd|' /C calc'!A0")):
        assert response.status_code == 200
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            sheets = [archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert not any(b"<f>" in sheet for sheet in sheets)  # no formula anywhere
        workbook = load_workbook(io.BytesIO(response.content))
        # Text cells either way: Excel's quote prefix (generic renderer) or a leading apostrophe
        # written into the text (Table 2's own layout, as the seed form does it).
        cells = [
            cell
            for sheet in workbook
            for row in sheet.iter_rows()
            for cell in row
            if (cell.value == text and cell.quotePrefix) or cell.value == "'" + text
        ]
        assert cells and all(cell.data_type == "s" for cell in cells)


def test_pdf_downloads_a_pdf_of_the_report(client, table_3, pm):
    client.force_login(pm)

    response = client.get(URL.format(table_3.pk, "daily"), {"format": "pdf", "date": "2024-06-10"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert b"/BaseFont /STSong-Light" in response.content


def test_an_unknown_format_is_422_and_an_unknown_kind_404(client, table_3, pm):
    client.force_login(pm)

    assert (
        client.get(URL.format(table_3.pk, "daily"), {"format": "docx"}).json()["errors"][0]["field"]
        == "format"
    )
    assert client.get(URL.format(table_3.pk, "forecast")).status_code == 404
    assert client.get(URL.format(table_3.pk, "daily"), {"date": "2024-13-01"}).status_code == 422


def test_plan_and_tasks_reports_follow_tables_1_and_2(client, table_3, pm):
    ready_plan(table_3)
    Task.objects.create(
        campaign=table_3,
        owner=pm,
        name="物料设计定稿",
        planned_start="2024-06-01",
        planned_finish="2024-06-05",
    )
    client.force_login(pm)

    plan = client.get(URL.format(table_3.pk, "plan"), {"format": "json"}).json()
    tasks = client.get(f"/reports/campaigns/{table_3.pk}/tasks/download/", {"format": "json"}).json()

    assert [s["title"] for s in plan["sections"]][:2] == ["Background and objectives", "Target audience"]
    budget = next(s for s in plan["sections"] if s["title"].startswith("Budget"))
    assert budget["tables"][0]["rows"][-1] == {
        "category": "Total",
        "amount": "100000.00",
        "note": "",
        "share": "1",
    }
    columns = [c["label"] for c in tasks["sections"][0]["tables"][0]["columns"]]
    assert columns[:4] == ["Task", "Owner", "Collaborating department", "Planned finish"]
    assert tasks["sections"][0]["tables"][0]["rows"][0]["name"] == "物料设计定稿"


@pytest.mark.parametrize("persona", ["viewer", "finance", "dept_head"])
def test_anyone_who_sees_the_campaign_reads_its_reports(client, table_3, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(URL.format(table_3.pk, "daily"), {"format": "md"}).status_code == 200


def test_an_outsider_gets_404_and_anonymous_401(client, table_3, outsider):
    assert client.get(URL.format(table_3.pk, "daily")).status_code == 401
    client.force_login(outsider)
    assert client.get(URL.format(table_3.pk, "daily")).status_code == 404


@pytest.mark.parametrize("persona", ["planner", "pm", "analyst"])
def test_writers_generate_a_daily_report(client, table_3, persona, request):
    actor = request.getfixturevalue(persona)
    client.force_login(actor)

    response = client.post(
        f"/api/v1/campaigns/{table_3.pk}/daily-reports",
        {"date": "2024-06-10"},
        content_type="application/json",
    )

    assert response.status_code == 201
    report = DailyReport.objects.get()
    assert (report.day.isoformat(), report.generated_by) == ("2024-06-10", actor)
    assert len(response.json()["anomalies"]) == 5
    assert AuditEvent.objects.filter(verb="dailyreport.generated", actor=actor).count() == 1


@pytest.mark.parametrize("persona", ["viewer", "finance", "dept_head"])
def test_readers_may_not_generate_and_nothing_is_written(client, table_3, persona, request):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(
        f"/api/v1/campaigns/{table_3.pk}/daily-reports", {}, content_type="application/json"
    )

    assert response.status_code == 403
    assert not DailyReport.objects.exists()
    assert not AuditEvent.objects.filter(verb="dailyreport.generated").exists()
