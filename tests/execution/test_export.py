"""Table 2 as XLSX: the seed's columns in the request's language, real dates, neutralised formulas."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from campaignflow.execution.export import safe_text

from .conftest import make_task

pytestmark = pytest.mark.django_db


def sheet(response):
    return load_workbook(BytesIO(response.content)).active


@pytest.fixture
def table(campaign, planner, doer, sales):
    make_task(
        campaign,
        doer,
        name="物料设计定稿",
        start=(2026, 11, 1),
        finish=(2026, 11, 5),
        status="done",
        actual_finish=dt.date(2026, 11, 6),
        delay_reason="打样返工",
        order=1,
    )
    make_task(
        campaign,
        planner,
        name="电商平台资源对接",
        finish=(2026, 11, 20),
        collaborating_department=sales,
        order=2,
        delay_reason="平台排期冲突",
    )
    make_task(
        campaign, doer, name='=HYPERLINK("http://evil")', finish=(2026, 12, 12), order=3, status="in_progress"
    )


def test_it_exports_the_seed_columns_in_simplified_chinese(client, campaign, planner, table):
    client.force_login(planner)

    response = client.get(
        reverse("execution:export", args=[campaign.pk]), headers={"Accept-Language": "zh-hans"}
    )

    ws = sheet(response)
    assert response["Content-Disposition"] == f'attachment; filename="campaign-{campaign.pk}-tasks.xlsx"'
    assert [cell.value for cell in ws[2]] == [
        "任务名称",
        "责任人",
        "协作部门",
        "计划完成时间",
        "实际完成时间",
        "状态(进行中/已完成/延期)",
        "问题描述(若延期)",
        "计划开始时间",
    ]
    assert [cell.value for cell in ws[3]] == [
        "物料设计定稿",
        "doer",
        "-",
        dt.datetime(2026, 11, 5),
        dt.datetime(2026, 11, 6),
        "延期",
        "打样返工",
        dt.datetime(2026, 11, 1),
    ]
    assert [cell.value for cell in ws[4]][:7] == [
        "电商平台资源对接",
        "planner",
        "Sales",
        dt.datetime(2026, 11, 20),
        "-",
        "延期",
        "平台排期冲突",
    ]
    assert ws["D3"].is_date and ws["D3"].number_format == "yyyy-mm-dd"


def test_it_exports_english_headers_and_neutralises_formulas(client, campaign, planner, table):
    client.force_login(planner)

    ws = sheet(client.get(f"/api/v1/campaigns/{campaign.pk}/reports/tasks?format=xlsx"))

    assert ws["A2"].value == "Task" and ws["F2"].value == "Status (in progress / done / delayed)"
    assert ws["A5"].value == '\'=HYPERLINK("http://evil")'
    assert ws["A5"].data_type == "s"
    assert ws["F5"].value == "In progress"


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"])
def test_cells_a_spreadsheet_would_evaluate_start_with_a_quote(text):
    assert safe_text(text) == "'" + text
    assert safe_text("平台排期冲突") == "平台排期冲突"


def test_the_traditional_chinese_export_uses_traditional_headers(client, campaign, planner, table):
    client.force_login(planner)

    ws = sheet(
        client.get(reverse("execution:export", args=[campaign.pk]), headers={"Accept-Language": "zh-hant"})
    )

    assert ws["A2"].value == "任務名稱" and ws["F3"].value == "延期"
