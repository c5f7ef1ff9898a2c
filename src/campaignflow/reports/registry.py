"""The report registry: every report of a campaign is a neutral document, rendered generically.

A report kind (plan, tasks, daily, interim; later evaluation and settlement) registers one
builder that returns a `Document`: a title, meta lines, sections holding tables (typed columns,
rows of plain values) and paragraphs, and notes. The renderers know nothing of any kind: JSON,
Markdown and XLSX render any document. So the API, the web download, the CLI and the worker all
produce the same report through `build` and `render`.

Values in rows are Python values: str, int, Decimal, datetime.date or None. A column's `kind`
says how a value reads: an amount ("money", two decimals), a fraction shown as a percentage
("percent", rates stay fractions in JSON as DESIGN §5 says), a multiple such as ROAS ("ratio"),
a count ("integer"), a plain number, a date or text.

XLSX cells whose text starts with = + - @ (or a tab or carriage return) are written as text
cells with Excel's quote prefix: the file carries no formula, and Excel keeps showing them as
text even when the cell is edited (formula injection).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from io import BytesIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaignflow.core.errors import NotFound, field_error

TEXT, INTEGER, NUMBER, MONEY, PERCENT, RATIO, DATE = (
    "text",
    "integer",
    "number",
    "money",
    "percent",
    "ratio",
    "date",
)
COLUMN_KINDS = (TEXT, INTEGER, NUMBER, MONEY, PERCENT, RATIO, DATE)
FORMATS = ("json", "md", "xlsx", "pdf")
CONTENT_TYPES = {
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EMPTY = "—"


# --- the neutral document --------------------------------------------------------------------------


@dataclass
class Column:
    key: str
    label: str
    kind: str = TEXT


@dataclass
class Table:
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    title: str = ""


@dataclass
class Section:
    title: str
    tables: list[Table] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Document:
    """One report, independent of the format it is rendered in."""

    kind: str
    title: str
    filename: str  # without extension
    meta: list[tuple[str, object]] = field(default_factory=list)  # (label, value)
    sections: list[Section] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    notes_title: str = ""


@dataclass(frozen=True)
class Request:
    """What a builder is asked for besides the campaign: a day (daily), a review (interim)."""

    date: dt.date | None = None
    review_id: int | None = None
    user: object = None


@dataclass(frozen=True)
class Kind:
    key: str
    label: object  # lazy text
    build: Callable[..., Document]
    formats: tuple[str, ...] = FORMATS
    # format -> fn(campaign=, request=) -> Rendered, for a kind that renders a format itself (Table 2's
    # XLSX keeps the seed form's layout); every other format goes through the generic renderers.
    own: dict = field(default_factory=dict)


KINDS: dict[str, Kind] = {}
# Kinds the product will have (DESIGN §5); those not registered yet answer 404 until they are.
ALL_KINDS = ("plan", "tasks", "daily", "interim", "evaluation", "settlement")


def register(
    key: str, label, build: Callable[..., Document], formats=FORMATS, own: dict | None = None
) -> None:
    KINDS[key] = Kind(key, label, build, tuple(formats), dict(own or {}))


def kind_get(key: str) -> Kind:
    kind = KINDS.get(key)
    if kind is None:
        raise NotFound(_("There is no report “%(kind)s”.") % {"kind": str(key)[:40]})
    return kind


def check_format(kind: Kind, fmt: str) -> str:
    """The format, or a 422 naming `format`."""
    fmt = (fmt or "json").strip().lower()
    if fmt not in kind.formats:
        raise field_error(
            "format",
            _("Unknown format “%(format)s”; choose from %(formats)s.")
            % {"format": fmt[:20], "formats": ", ".join(kind.formats)},
        )
    return fmt


def build(key: str, *, campaign, request: Request | None = None) -> Document:
    return kind_get(key).build(campaign=campaign, request=request or Request())


@dataclass
class Rendered:
    content: bytes
    content_type: str
    filename: str


def render(document: Document, fmt: str) -> Rendered:
    renderer = RENDERERS[fmt]
    return Rendered(renderer(document), CONTENT_TYPES[fmt], f"{document.filename}.{fmt}")


def produce(key: str, fmt: str, *, campaign, request: Request | None = None) -> Rendered:
    """Check the format first (an unknown format fails before any work), then build and render."""
    kind = kind_get(key)
    fmt = check_format(kind, fmt)
    if fmt in kind.own:
        return kind.own[fmt](campaign=campaign, request=request or Request())
    return render(build(key, campaign=campaign, request=request), fmt)


# --- JSON -------------------------------------------------------------------------------------------


CENT = Decimal("0.01")


def _json_value(value, kind: str = TEXT):
    if value is None:
        return None
    if isinstance(value, Decimal):
        if kind == MONEY and value.is_finite():  # amounts are decimal strings with cents, on every database
            return str(value.quantize(CENT))
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool | int | float):
        return value
    return str(value)


def document_data(document: Document) -> dict:
    """The document as JSON-ready data; rows are objects keyed by column key."""
    return {
        "kind": document.kind,
        "title": str(document.title),
        "filename": document.filename,
        "meta": [{"label": str(label), "value": _json_value(value)} for label, value in document.meta],
        "sections": [
            {
                "title": str(section.title),
                "paragraphs": [str(p) for p in section.paragraphs],
                "tables": [
                    {
                        "title": str(table.title),
                        "columns": [
                            {"key": c.key, "label": str(c.label), "kind": c.kind} for c in table.columns
                        ],
                        "rows": [
                            {c.key: _json_value(v, c.kind) for c, v in zip(table.columns, row, strict=False)}
                            for row in table.rows
                        ],
                    }
                    for table in section.tables
                ],
            }
            for section in document.sections
        ],
        "notes_title": str(document.notes_title),
        "notes": [str(note) for note in document.notes],
    }


def _parse(value, kind: str):
    """A JSON value back into the Python value its column kind holds."""
    if value is None:
        return None
    try:
        if kind == INTEGER:
            return int(value)
        if kind in (NUMBER, MONEY, PERCENT, RATIO):
            return Decimal(str(value))
        if kind == DATE:
            return dt.date.fromisoformat(value)
    except (ValueError, TypeError, InvalidOperation):
        return value
    return value


def _parse_meta(value):
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def document_from_data(data: dict) -> Document:
    """The inverse of `document_data`: a stored snapshot rendered again in any format."""
    sections = []
    for section in data.get("sections", []):
        tables = []
        for table in section.get("tables", []):
            columns = [Column(c["key"], c["label"], c.get("kind", TEXT)) for c in table["columns"]]
            rows = [[_parse(row.get(c.key), c.kind) for c in columns] for row in table["rows"]]
            tables.append(Table(columns=columns, rows=rows, title=table.get("title", "")))
        sections.append(Section(section["title"], tables, list(section.get("paragraphs", []))))
    return Document(
        kind=data.get("kind", ""),
        title=data.get("title", ""),
        filename=data.get("filename", "report"),
        meta=[(m["label"], _parse_meta(m["value"])) for m in data.get("meta", [])],
        sections=sections,
        notes=list(data.get("notes", [])),
        notes_title=data.get("notes_title", ""),
    )


def render_json(document: Document) -> bytes:
    return json.dumps(document_data(document), ensure_ascii=False, indent=2).encode()


# --- text formatting shared by Markdown and the web pages --------------------------------------------


def display(value, kind: str = TEXT) -> str:
    """A value as a person reads it: 1,234.50 · 2.10% · 3.50 · 12,000 · 2024-06-10 · — for none."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, dt.date):
        return value.isoformat()
    if kind in (MONEY, PERCENT, RATIO, INTEGER, NUMBER) and not isinstance(value, bool):
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            return str(value)
        if kind == MONEY:
            return f"{number:,.2f}"
        if kind == PERCENT:
            return f"{number * 100:.2f}%"
        if kind == RATIO:
            return f"{number:.2f}"
        if kind == INTEGER:
            return f"{number:,.0f}"
        text = f"{number:,f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


# --- Markdown ------------------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("\r\n", " ")
        .replace("\n", " ")
        .replace("\r", " ")
    )


def _md_line(text) -> str:
    return str(text).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def _md_table(table: Table) -> list[str]:
    right = {INTEGER, NUMBER, MONEY, PERCENT, RATIO}
    lines = []
    if table.title:
        lines += [f"### {_md_line(table.title)}", ""]
    lines.append("| " + " | ".join(_md_cell(str(c.label)) for c in table.columns) + " |")
    lines.append("|" + "|".join("---:" if c.kind in right else "---" for c in table.columns) + "|")
    for row in table.rows:
        cells = [_md_cell(display(value, c.kind)) for c, value in zip(table.columns, row, strict=False)]
        lines.append("| " + " | ".join(cells) + " |")
    if not table.rows:
        lines.append("| " + " | ".join([EMPTY] * len(table.columns)) + " |")
    return [*lines, ""]


def render_md(document: Document) -> bytes:
    lines = [f"# {_md_line(document.title)}", ""]
    for label, value in document.meta:
        lines.append(f"- **{_md_line(label)}**: {_md_line(display(value))}")
    if document.meta:
        lines.append("")
    for section in document.sections:
        lines += [f"## {_md_line(section.title)}", ""]
        for paragraph in section.paragraphs:
            lines += [str(paragraph), ""]
        for table in section.tables:
            lines += _md_table(table)
    if document.notes:
        lines += [f"## {_md_line(document.notes_title or _('Notes'))}", ""]
        lines += [f"- {_md_line(note)}" for note in document.notes]
        lines.append("")
    return "\n".join(lines).encode()


# --- XLSX ------------------------------------------------------------------------------------------------

NUMBER_FORMATS = {
    INTEGER: "#,##0",
    NUMBER: "#,##0.####",
    MONEY: "#,##0.00",
    PERCENT: "0.00%",
    RATIO: "0.00",
    DATE: "yyyy-mm-dd",
}
MIN_WIDTH, MAX_WIDTH = 8, 60


def _text_width(text: str) -> int:
    """Display width: a CJK character takes two columns of a Latin one."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def put(cell, value, kind: str = TEXT) -> None:
    """Write one value; text that a spreadsheet would evaluate stays text (formula injection)."""
    if isinstance(value, str) or (
        value is not None and not isinstance(value, int | float | Decimal | dt.date)
    ):
        text = str(value)
        cell.value = text
        if text.startswith(FORMULA_STARTS):
            cell.data_type = "s"  # openpyxl took it for a formula
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
        return
    cell.value = value
    if value is not None and kind in NUMBER_FORMATS:
        cell.number_format = NUMBER_FORMATS[kind]


def _sheet_title(title: str, used: set[str]) -> str:
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in str(title)).strip() or "Sheet"
    cleaned = cleaned[:28]
    candidate, number = cleaned, 2
    while candidate.lower() in used:
        candidate, number = f"{cleaned[:25]} {number}", number + 1
    used.add(candidate.lower())
    return candidate


def render_xlsx(document: Document) -> bytes:
    """One worksheet per section (each table's header frozen), title and meta on the first, notes last."""
    from openpyxl import Workbook  # costs a fifth of a second to import: only when a file is made
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    used: set[str] = set()
    header_fill = PatternFill("solid", fgColor="E7EBF1")
    thin = Side(style="thin", color="C5CCD6")
    border = Border(top=thin, bottom=thin, left=thin, right=thin)
    sections = document.sections or [Section(document.title)]
    for index, section in enumerate(sections):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = _sheet_title(section.title, used)
        widths: dict[int, int] = {}

        def note_width(column: int, text: str, widths=widths) -> None:
            widths[column] = max(widths.get(column, 0), _text_width(text))

        put(sheet.cell(row=1, column=1), document.title)
        sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
        row = 2
        if index == 0:
            for label, value in document.meta:
                put(sheet.cell(row=row, column=1), label)
                sheet.cell(row=row, column=1).font = Font(bold=True)
                put(sheet.cell(row=row, column=2), value if isinstance(value, dt.date) else display(value))
                note_width(1, str(label))
                row += 1
        row += 1
        put(sheet.cell(row=row, column=1), section.title)
        sheet.cell(row=row, column=1).font = Font(bold=True, size=12)
        row += 1
        for paragraph in section.paragraphs:
            put(sheet.cell(row=row, column=1), paragraph)
            row += 1
        frozen = False
        for table in section.tables:
            if table.title:
                put(sheet.cell(row=row, column=1), table.title)
                sheet.cell(row=row, column=1).font = Font(bold=True)
                row += 1
            for col, column in enumerate(table.columns, start=1):
                cell = sheet.cell(row=row, column=col)
                put(cell, column.label)
                cell.font = Font(bold=True)
                cell.fill = header_fill
                cell.border = border
                cell.alignment = Alignment(wrap_text=True, vertical="center")
                note_width(col, str(column.label))
            if not frozen:
                sheet.freeze_panes = sheet.cell(row=row + 1, column=1).coordinate
                frozen = True
            for values in table.rows:
                row += 1
                for col, (column, value) in enumerate(zip(table.columns, values, strict=False), start=1):
                    cell = sheet.cell(row=row, column=col)
                    put(cell, value, column.kind)
                    cell.border = border
                    if column.kind == TEXT:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
                    note_width(col, display(value, column.kind))
            row += 2
        for col, width in widths.items():
            sheet.column_dimensions[get_column_letter(col)].width = max(MIN_WIDTH, min(MAX_WIDTH, width + 2))
    if document.notes:
        sheet = workbook.create_sheet(_sheet_title(document.notes_title or _("Notes"), used))
        put(sheet.cell(row=1, column=1), document.notes_title or _("Notes"))
        sheet.cell(row=1, column=1).font = Font(bold=True, size=12)
        for offset, note in enumerate(document.notes, start=2):
            put(sheet.cell(row=offset, column=1), note)
            sheet.cell(row=offset, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions["A"].width = 100
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_pdf(document: Document) -> bytes:
    from .pdf import render_pdf as render  # reportlab is imported only when a PDF is made

    return render(document)


RENDERERS: dict[str, Callable[[Document], bytes]] = {
    "json": render_json,
    "md": render_md,
    "xlsx": render_xlsx,
    "pdf": render_pdf,
}

FORMAT_LABELS = {
    "md": gettext_lazy("Markdown"),
    "xlsx": gettext_lazy("Excel (XLSX)"),
    "json": "JSON",
    "pdf": "PDF",
}
