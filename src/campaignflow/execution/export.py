"""Table 2 (活动任务分工与进度跟踪表) as an XLSX workbook that opens in Excel and LibreOffice.

The columns are the seed's, in the request's language: Chinese headers and status words for
zh-Hans and zh-Hant (as on the paper form), English otherwise. Dates are real date cells. Text
that a spreadsheet would run as a formula (starting with = + - @, or a tab or carriage return)
is neutralised with a leading quote.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from campaignflow.campaigns import scenarios
from campaignflow.campaigns.models import Campaign

from .choices import DisplayStatus
from .models import Task

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "yyyy-mm-dd"

TITLE = {
    "en": "Campaign task assignment and progress",
    "zh-hans": "活动任务分工与进度跟踪表",
    "zh-hant": "活動任務分工與進度跟蹤表",
}
# The seed's columns, in its order, then the planned start that the schedule needs.
COLUMNS = (
    {"en": "Task", "zh-hans": "任务名称", "zh-hant": "任務名稱"},
    {"en": "Owner", "zh-hans": "责任人", "zh-hant": "責任人"},
    {"en": "Collaborating department", "zh-hans": "协作部门", "zh-hant": "協作部門"},
    {"en": "Planned finish", "zh-hans": "计划完成时间", "zh-hant": "計劃完成時間"},
    {"en": "Actual finish", "zh-hans": "实际完成时间", "zh-hant": "實際完成時間"},
    {
        "en": "Status (in progress / done / delayed)",
        "zh-hans": "状态(进行中/已完成/延期)",
        "zh-hant": "狀態(進行中/已完成/延期)",
    },
    {"en": "Issue (if delayed)", "zh-hans": "问题描述(若延期)", "zh-hant": "問題描述(若延期)"},
    {"en": "Planned start", "zh-hans": "计划开始时间", "zh-hant": "計劃開始時間"},
)
WIDTHS = (34, 14, 16, 14, 14, 16, 36, 14)
STATUS_WORDS = {
    DisplayStatus.TODO: {"en": "To do", "zh-hans": "未开始", "zh-hant": "未開始"},
    DisplayStatus.IN_PROGRESS: {"en": "In progress", "zh-hans": "进行中", "zh-hant": "進行中"},
    DisplayStatus.DONE: {"en": "Done", "zh-hans": "已完成", "zh-hant": "已完成"},
    DisplayStatus.DELAYED: {"en": "Delayed", "zh-hans": "延期", "zh-hant": "延期"},
    DisplayStatus.BLOCKED: {"en": "Blocked", "zh-hans": "受阻", "zh-hant": "受阻"},
}
NONE = "-"  # the seed writes "-" in empty cells


def safe_text(value) -> str:
    """Text a spreadsheet shows as text, never evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def filename(campaign: Campaign) -> str:
    stem = campaign.number or f"campaign-{campaign.pk}"
    return f"{stem}-tasks.xlsx"


def _row(task: Task, language: str, today: dt.date) -> list:
    status = task.display_status(today)
    reason = task.delay_reason if status == DisplayStatus.DELAYED or task.delay_reason else ""
    return [
        safe_text(task.name),
        safe_text(task.owner),
        safe_text(task.collaborating_department.name) if task.collaborating_department_id else NONE,
        task.planned_finish,
        task.actual_finish,
        scenarios.localized(STATUS_WORDS[DisplayStatus(status)], language),
        safe_text(reason) if reason else NONE,
        task.planned_start,
    ]


def tasks_xlsx(
    *, campaign: Campaign, tasks: list[Task], language: str | None, today: dt.date | None = None
) -> bytes:
    """The workbook's bytes: a title row, the header row and one row per task."""
    # Imported here: openpyxl costs a fifth of a second at start-up for every process.
    from django.utils import timezone
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    today = today or timezone.localdate()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = scenarios.localized({"en": "Tasks", "zh-hans": "任务分工", "zh-hant": "任務分工"}, language)
    title = f"{scenarios.localized(TITLE, language)} · {safe_text(campaign.number or '')} {safe_text(campaign.name)}"
    sheet.append([title.replace(" ·  ", " · ")])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet.append([scenarios.localized(column, language) for column in COLUMNS])
    header_fill = PatternFill("solid", fgColor="E7EBF1")
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for task in tasks:
        sheet.append(_row(task, language, today))
        for column in (4, 5, 8):
            cell = sheet.cell(row=sheet.max_row, column=column)
            if cell.value is None:
                cell.value = NONE
            else:
                cell.number_format = DATE_FORMAT
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
