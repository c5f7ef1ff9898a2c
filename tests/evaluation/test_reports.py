"""The evaluation and settlement reports as PDF (Chinese as text, the right CID font), XLSX and Markdown."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from campaignflow.evaluation import services
from campaignflow.reports import registry
from tests.evaluation.conftest import pdf_text


@pytest.mark.parametrize(
    ("language", "font", "title"),
    [
        ("zh-hans", b"/BaseFont /STSong-Light", "活动效果评估报告"),
        ("zh-hant", b"/BaseFont /MSung-Light", "活動效果評估報告"),
    ],
)
def test_the_evaluation_pdf_carries_chinese_text_in_the_font_of_the_language(
    closing, pm, language, font, title
):
    services.evaluation_update(
        campaign=closing, actor=pm, data={"summary": "线下引流未达预期", "keep": "每日例会"}
    )
    translation.activate(language)

    content = registry.produce("evaluation", "pdf", campaign=closing).content

    assert content.startswith(b"%PDF-") and font in content
    text = pdf_text(content)
    assert "秋季新品推广" in text and "线下引流未达预期" in text and "朋友圈" in text
    assert "120%" in text and "80%" in text  # revenue and the lower-is-better CPA, in the table and chart
    if language == "zh-hant":
        # the traditional collection's own CMap (a viewer that reads UniGB for it shows nothing);
        # the simplified characters typed into the data (线, 达, 预) are set in the simplified font,
        # which has them, instead of showing as empty boxes
        assert b"/Encoding /UniCNS-UCS2-H" in content
        assert b"/BaseFont /STSong-Light" in content and b"/Encoding /UniGB-UCS2-H" in content
    else:
        assert b"/Encoding /UniGB-UCS2-H" in content and b"MSung-Light" not in content


@pytest.mark.parametrize(
    ("font", "text", "expected"),
    [
        ("MSung-Light", "市场部 活動報告", '市<font face="STSong-Light">场</font>部 活動報告'),
        ("MSung-Light", "A&B <b>", "A&amp;B &lt;b&gt;"),
        ("STSong-Light", "市场部 活動報告", "市场部 活動報告"),  # GBK holds traditional forms too
        (
            "MSung-Light",
            "粤语 𠀀",
            '<font face="STSong-Light">粤语</font> 𠀀',
        ),  # neither font has 𠀀: left alone
    ],
)
def test_pdf_text_sets_characters_the_font_lacks_in_the_other_cjk_font(font, text, expected):
    from campaignflow.reports.pdf import _fallback_runs

    assert _fallback_runs(text, font) == expected


def test_the_settlement_pdf_lists_the_categories(closing):
    translation.activate("zh-hans")

    text = pdf_text(registry.produce("settlement", "pdf", campaign=closing).content)

    assert "推广费" in text and "55,000.00" in text


def test_the_evaluation_xlsx_and_md_follow_table_4(closing, pm):
    services.evaluation_update(campaign=closing, actor=pm, data={"summary": "=1+1 不是公式"})

    workbook = load_workbook(io.BytesIO(registry.produce("evaluation", "xlsx", campaign=closing).content))
    values = [
        cell.value
        for sheet in workbook
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    md = registry.produce("evaluation", "md", campaign=closing).content.decode()

    assert "销售额" in values and "=1+1 不是公式" in values
    assert "| 销售额 | 1,000,000.00 | 1,200,000.00 | 120.00% | Yes |" in md
    assert "| 单次转化成本 | 50.00 | 62.50 | 80.00% | No |" in md
    assert "| 50,000.00 | 1,200,000.00 | 2300.00% | 24.00 |" in md


def test_the_settlement_xlsx_and_md(closing):
    md = registry.produce("settlement", "md", campaign=closing).content.decode()
    workbook = load_workbook(io.BytesIO(registry.produce("settlement", "xlsx", campaign=closing).content))
    amounts = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value == 55000]

    assert "| Promotion | 55,000.00 | 0.00 | -55,000.00 | -100.00% | — |" in md
    assert amounts and amounts[0].number_format == "#,##0.00"
