"""PDF rendering of any report document, laid out like the seed's forms (DESIGN §5).

reportlab's built-in CID fonts carry the Chinese glyphs without shipping a font file: STSong-Light
(Adobe-GB1) for simplified Chinese and English, MSung-Light (Adobe-CNS1) for traditional Chinese,
picked by the active language. The text stays text in the file (searchable, copyable).

Layout: the title, the meta lines as a two-column table, then each section with its paragraphs
and tables (header row shaded, grid, the header repeated on every page, column widths by content,
long text wrapped), the notes last, the page number at the foot of every page. A kind may ask for
a bar chart of one percent column of its tables (`register_chart`), drawn with reportlab.graphics:
the evaluation report charts the achievement of each dimension.

Formula injection does not apply: a PDF cell is never evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import registry

SIMPLIFIED_FONT, TRADITIONAL_FONT = "STSong-Light", "MSung-Light"
HEADER_FILL = colors.HexColor("#E7EBF1")
GRID = colors.HexColor("#9AA5B4")
BAR = colors.HexColor("#3B6FB6")
MARGIN = 15 * mm
NUMERIC = {registry.INTEGER, registry.NUMBER, registry.MONEY, registry.PERCENT, registry.RATIO}
MIN_COLUMN, MAX_TEXT_UNITS = 14 * mm, 60


@dataclass(frozen=True)
class ChartSpec:
    """A horizontal bar chart of `value_key` (a percent column) labelled by `label_key`."""

    label_key: str
    value_key: str
    title: object  # lazy text
    reference: Decimal | None = Decimal(1)  # a line at 100 %


CHARTS: dict[str, ChartSpec] = {}


def register_chart(kind: str, *, label_key: str, value_key: str, title, reference=Decimal(1)) -> None:
    """Draw a bar chart under the first table of `kind` that has both columns."""
    CHARTS[kind] = ChartSpec(label_key, value_key, title, reference)


def font_name(language: str | None = None) -> str:
    """The CID font for the language: traditional Chinese gets MSung, everything else STSong."""
    language = (language or translation.get_language() or "").lower()
    font = (
        TRADITIONAL_FONT if language.startswith(("zh-hant", "zh-tw", "zh-hk", "zh-mo")) else SIMPLIFIED_FONT
    )
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(_cid_font(font))
    return font


def _cid_font(face: str) -> UnicodeCIDFont:
    """reportlab's Unicode CID font, declared with the CMap of its own character collection.

    reportlab 4–5 declare MSung-Light (Adobe-CNS1) with UniGB-UCS2-H, the CMap of the simplified
    collection (Adobe-GB1); viewers that honour the declaration (poppler, for one) then cannot show
    traditional text. The text itself is written as UTF-16 either way, which both UCS2 CMaps read.
    """
    font = UnicodeCIDFont(face)
    if face == TRADITIONAL_FONT and font.encodingName.startswith("UniGB"):
        font.encodingName = font.encodingName.replace("UniGB", "UniCNS")
    return font


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=22, spaceAfter=6),
        "section": ParagraphStyle(
            "section", parent=base, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4
        ),
        "table_title": ParagraphStyle("table_title", parent=base, fontSize=10, leading=14, spaceBefore=4),
        "body": ParagraphStyle("body", parent=base, spaceAfter=4),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11),
        "number": ParagraphStyle("number", parent=base, fontSize=8.5, leading=11, alignment=TA_RIGHT),
        "header": ParagraphStyle("header", parent=base, fontSize=8.5, leading=11),
    }


# Which legacy encoding stands for each font's character collection: a CJK character the
# collection lacks (a simplified 场 in a traditional PDF, a rare traditional form in a simplified
# one) would show as an empty box, so runs of such characters are set in the other font.
COVERAGE = {SIMPLIFIED_FONT: "gbk", TRADITIONAL_FONT: "big5hkscs"}
OTHER_FONT = {SIMPLIFIED_FONT: TRADITIONAL_FONT, TRADITIONAL_FONT: SIMPLIFIED_FONT}


def _cjk(char: str) -> bool:
    code = ord(char)
    return 0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3FFFF


def _covered(char: str, font: str) -> bool:
    try:
        char.encode(COVERAGE[font])
    except UnicodeEncodeError:
        return False
    return True


def _fallback_runs(text: str, font: str) -> str:
    """Escaped text with each run of characters missing from `font` wrapped in the other CJK font."""
    other = OTHER_FONT.get(font)
    if other is None:
        return escape(text)
    parts, run, run_other = [], [], False
    for char in text:
        use_other = _cjk(char) and not _covered(char, font) and _covered(char, other)
        if use_other != run_other and run:
            parts.append((run_other, "".join(run)))
            run = []
        run.append(char)
        run_other = use_other
    if run:
        parts.append((run_other, "".join(run)))
    if any(flag for flag, _chunk in parts) and other not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(_cid_font(other))
    return "".join(
        f'<font face="{other}">{escape(chunk)}</font>' if flag else escape(chunk) for flag, chunk in parts
    )


def _text(value, font: str | None = None) -> str:
    """Text for a Paragraph: escaped, line breaks kept, CJK characters the font lacks set in the other one."""
    text = str(value).replace("\r\n", "\n")
    return _fallback_runs(text, font or font_name()).replace("\n", "<br/>")


def _units(text: str) -> int:
    return registry._text_width(text)


def _widths(table: registry.Table, cells: list[list[str]], available: float) -> list[float]:
    """Column widths in proportion to their longest content (capped), never below MIN_COLUMN."""
    wants = []
    for index, column in enumerate(table.columns):
        longest = max([_units(str(column.label))] + [_units(row[index]) for row in cells if index < len(row)])
        wants.append(max(4, min(MAX_TEXT_UNITS, longest)))
    total = sum(wants) or 1
    widths = [max(MIN_COLUMN, available * want / total) for want in wants]
    scale = available / sum(widths)
    return [width * scale for width in widths]


def _table(table: registry.Table, styles: dict, available: float) -> Table:
    shown = [
        [registry.display(value, column.kind) for column, value in zip(table.columns, row, strict=False)]
        for row in table.rows
    ] or [[registry.EMPTY] * len(table.columns)]
    widths = _widths(table, shown, available)
    font = styles["cell"].fontName
    data = [[Paragraph(_text(column.label, font), styles["header"]) for column in table.columns]]
    for row in shown:
        data.append(
            [
                Paragraph(_text(text, font), styles["number" if column.kind in NUMERIC else "cell"])
                for column, text in zip(table.columns, row, strict=False)
            ]
        )
    flowable = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    flowable.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return flowable


def _fraction(value) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None


def _chart(table: registry.Table, spec: ChartSpec, font: str, width: float) -> Drawing | None:
    keys = [column.key for column in table.columns]
    if spec.label_key not in keys or spec.value_key not in keys:
        return None
    label_at, value_at = keys.index(spec.label_key), keys.index(spec.value_key)
    points = [
        (str(row[label_at])[:24], _fraction(row[value_at]))
        for row in table.rows
        if _fraction(row[value_at]) is not None
    ]
    if not points:
        return None
    bar_height = 16
    plot_height = bar_height * len(points)
    height = plot_height + 50
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 110, 20
    chart.width, chart.height = width - 150, plot_height
    # Top to bottom in the table's order: the chart draws its first category at the bottom.
    chart.data = [[value * 100 for _label, value in reversed(points)]]
    chart.categoryAxis.categoryNames = [label for label, _value in reversed(points)]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top = max(value * 100 for _label, value in points)
    reference = float(spec.reference * 100) if spec.reference is not None else None
    chart.valueAxis.valueMax = max(top, reference or 0) * 1.1 or 1
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "%.0f%%"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    if reference is not None:
        x = chart.x + chart.width * reference / chart.valueAxis.valueMax
        drawing.add(
            Line(x, chart.y, x, chart.y + plot_height, strokeColor=colors.red, strokeDashArray=[3, 2])
        )
    drawing.add(String(0, height - 14, str(spec.title), fontName=font, fontSize=10))
    return drawing


def _footer(font: str, title: str):
    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(MARGIN, 8 * mm, title[:80])
        canvas.drawRightString(A4[0] - MARGIN, 8 * mm, _("Page %(page)d") % {"page": doc.page})
        canvas.restoreState()

    return draw


def render_pdf(document: registry.Document) -> bytes:
    """The document as an A4 PDF with the CJK font of the active language."""
    font = font_name()
    styles = _styles(font)
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=str(document.title),
        invariant=1,
    )
    available = A4[0] - 2 * MARGIN
    story: list = [Paragraph(_text(document.title, font), styles["title"])]
    if document.meta:
        meta = Table(
            [
                [
                    Paragraph(_text(label, font), styles["header"]),
                    Paragraph(_text(registry.display(value), font), styles["cell"]),
                ]
                for label, value in document.meta
            ],
            colWidths=[available * 0.25, available * 0.75],
            hAlign="LEFT",
        )
        meta.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (0, -1), HEADER_FILL),
                    ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story += [meta, Spacer(1, 4 * mm)]
    spec = CHARTS.get(document.kind)
    charted = False
    for section in document.sections:
        story.append(Paragraph(_text(section.title, font), styles["section"]))
        for paragraph in section.paragraphs:
            story.append(Paragraph(_text(paragraph, font), styles["body"]))
        for table in section.tables:
            if table.title:
                story.append(Paragraph(_text(table.title, font), styles["table_title"]))
            story += [_table(table, styles, available), Spacer(1, 3 * mm)]
            if spec is not None and not charted:
                drawing = _chart(table, spec, font, available)
                if drawing is not None:
                    story += [KeepTogether([drawing]), Spacer(1, 3 * mm)]
                    charted = True
    if document.notes:
        story.append(Paragraph(_text(document.notes_title or _("Notes"), font), styles["section"]))
        story += [Paragraph("• " + _text(note, font), styles["body"]) for note in document.notes]
    footer = _footer(font, str(document.title))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
