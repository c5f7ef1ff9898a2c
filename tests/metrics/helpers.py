"""Building import files in the shapes channel exports come in."""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

TABLE_3 = [
    ["日期", "渠道", "曝光量", "点击率", "转化率", "新增用户", "销售额(元)", "异常说明"],
    ["2024-06-10", "朋友圈", "50000", "2.1%", "3.5%", "175", "35000", "-"],
    ["2024-06-10", "线下门店", "2000", "-", "8.0%", "160", "32000", "客流低于预期20%"],
]


def csv_bytes(rows, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, number_formats: dict | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for coordinate, number_format in (number_formats or {}).items():
        sheet[coordinate].number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "daily.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")
