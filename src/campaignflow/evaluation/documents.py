"""The report kinds of the close-out: the evaluation report (Table 4) and the expense settlement
(活动费用决算表), registered with the reports registry from apps.ready and rendered by its generic
renderers (JSON, Markdown, XLSX, PDF with the achievement chart).
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaignflow.accounts.models import Organization
from campaignflow.metrics import calc
from campaignflow.reports import pdf, registry
from campaignflow.reports.registry import (
    DATE,
    INTEGER,
    MONEY,
    PERCENT,
    RATIO,
    Column,
    Document,
    Section,
    Table,
)

from . import selectors

# Extra sections of the evaluation report from other apps (A/B tests, …): fn(campaign) -> Section or
# None, registered from their apps.ready so this app imports none of them. A builder answers None
# when it has nothing to say; its section then appears neither in the report nor on the page.
EXTRA_SECTIONS: list[Callable] = []


def register_section(fn: Callable) -> None:
    if fn not in EXTRA_SECTIONS:
        EXTRA_SECTIONS.append(fn)


def extra_sections(campaign) -> list[Section]:
    """The registered sections that have something to show for this campaign, in registration order."""
    return [section for section in (fn(campaign) for fn in EXTRA_SECTIONS) if section is not None]


def extra_section_data(campaign) -> list[dict]:
    """The same sections as JSON-ready data (registry.document_data) for the Evaluation page."""
    if not EXTRA_SECTIONS:
        return []
    sections = extra_sections(campaign)
    document = Document(kind="evaluation", title="", filename="", sections=sections)
    return registry.document_data(document)["sections"] if sections else []


def _value_text(value, unit: str, metric: str) -> str | None:
    """A target or actual as read in Table 4: a count, an amount, a percentage, ROAS as a multiple."""
    if value is None:
        return None
    if unit == calc.RATIO and metric == "roas":
        return registry.display(value, RATIO)
    if unit == calc.RATIO:
        return registry.display(value, PERCENT)
    if unit == calc.CURRENCY:
        return registry.display(value, MONEY)
    if unit == calc.COUNT:
        return registry.display(value, INTEGER)
    return registry.display(value, registry.NUMBER)


def _met(value: bool | None) -> str | None:
    if value is None:
        return None
    return _("Yes") if value else _("No")


def _meta(campaign) -> list[tuple[str, object]]:
    return [
        (_("Campaign"), campaign.name),
        (_("Number"), campaign.number or None),
        (_("Department"), str(campaign.department) if campaign.department_id else None),
        (_("Start"), campaign.start_date),
        (_("End"), campaign.end_date),
    ]


def evaluation_document(*, campaign, request=None) -> Document:
    """Table 4: dimensions with target, actual, achievement and analysis; ROI/ROAS; channels; lessons."""
    view = selectors.evaluation_for(campaign=campaign)
    report = view.report
    currency = Organization.current().currency
    dimensions = Table(
        columns=[
            Column("dimension", _("Dimension")),
            Column("target", _("Target")),
            Column("actual", _("Actual")),
            Column("achievement", _("Achievement"), PERCENT),
            Column("met", _("Met")),
            Column("analysis", _("Analysis")),
        ],
        rows=[
            [
                row.name,
                _value_text(row.target, row.unit, row.metric),
                _value_text(row.actual, row.unit, row.metric),
                row.achievement,
                _met(row.met),
                row.analysis,
            ]
            for row in view.dimensions
        ],
    )
    totals = view.totals
    returns = Table(
        columns=[
            Column("cost", _("Cost (%(currency)s)") % {"currency": currency}, MONEY),
            Column("revenue", _("Revenue (%(currency)s)") % {"currency": currency}, MONEY),
            Column("roi", _("ROI"), PERCENT),
            Column("roas", _("ROAS"), RATIO),
        ],
        rows=[[totals.get("cost"), totals.get("revenue"), totals.get("roi"), totals.get("roas")]],
    )
    channels = Table(
        columns=[
            Column("channel", _("Channel")),
            Column("impressions", _("Impressions"), INTEGER),
            Column("clicks", _("Clicks"), INTEGER),
            Column("conversions", _("Conversions"), INTEGER),
            Column("cost", _("Cost"), MONEY),
            Column("revenue", _("Revenue"), MONEY),
            Column("ctr", _("CTR"), PERCENT),
            Column("cvr", _("CVR"), PERCENT),
            Column("cpa", _("CPA"), MONEY),
            Column("roas", _("ROAS"), RATIO),
        ],
        rows=[
            [
                row.get("name"),
                row.get("impressions"),
                row.get("clicks"),
                row.get("conversions"),
                row.get("cost"),
                row.get("revenue"),
                row.get("ctr"),
                row.get("cvr"),
                row.get("cpa"),
                row.get("roas"),
            ]
            for row in view.channels
        ],
    )
    lessons = Table(
        columns=[Column("kind", _("Lesson")), Column("text", _("What we learned"))],
        rows=[
            [_("Keep"), report.keep if report else None],
            [_("Change"), report.change if report else None],
            [_("Try next time"), report.try_next if report else None],
        ],
    )
    summary = [text for text in ((report.summary if report else ""),) if text]
    review = Section(_("What worked and what did not"))
    if report is not None:
        review.tables.append(
            Table(
                columns=[Column("kind", _("Review")), Column("text", _("Notes"))],
                rows=[
                    [_("What worked"), report.what_worked or None],
                    [_("What did not work"), report.what_did_not or None],
                ],
            )
        )
    retrospective = Section(_("Retrospective meeting"))
    if report is not None and report.meeting_id:
        meeting = report.meeting
        retrospective.tables.append(
            Table(
                columns=[
                    Column("date", _("Date"), DATE),
                    Column("notes", _("Notes")),
                    Column("decisions", _("Decisions")),
                ],
                rows=[[meeting.date, meeting.notes or None, meeting.decisions or None]],
            )
        )
    if report is not None and report.meeting_notes:
        retrospective.paragraphs.append(report.meeting_notes)
    status = report.get_status_display() if report else _("Not started")
    meta = [*_meta(campaign), (_("Status"), str(status))]
    if report is not None and report.submitted_by_id:
        meta.append((_("Submitted by"), str(report.submitted_by)))
    if report is not None and report.status == "approved" and report.decided_by_id:
        meta.append((_("Approved by"), str(report.decided_by)))
    notes = [
        _(
            "Achievement is actual ÷ target; for a metric where lower is better (cost, CPA) it is target ÷ actual."
        ),
        _("ROI = (revenue − cost) ÷ cost; ROAS = revenue ÷ cost, over the whole campaign."),
    ]
    if report is None or report.is_draft:
        notes.append(_("Draft: the figures are read from the daily data as it stands now."))
    return Document(
        kind="evaluation",
        title=_("Campaign evaluation report — %(campaign)s") % {"campaign": campaign.name},
        filename=f"evaluation-{campaign.number or campaign.pk}",
        meta=meta,
        sections=[
            Section(_("Summary"), paragraphs=summary),
            Section(_("Evaluation dimensions"), tables=[dimensions]),
            Section(_("Return on investment"), tables=[returns]),
            Section(_("Channel results"), tables=[channels]),
            review,
            Section(_("Lessons learned"), tables=[lessons]),
            retrospective,
            *extra_sections(campaign),
        ],
        notes=notes,
        notes_title=_("Notes"),
    )


def settlement_document(*, campaign, request=None) -> Document:
    """活动费用决算表: per category budget, actual, variance and its explanation; status and sign-off."""
    from campaignflow.expenses import selectors as expense_selectors

    view = expense_selectors.settlement_for(campaign=campaign)
    currency = Organization.current().currency
    rows = [
        [str(row.label), row.budget, row.actual, row.variance, row.variance_pct, row.explanation or None]
        for row in view.rows
    ]
    rows.append([_("Total"), view.budget, view.actual, view.variance, view.variance_pct, None])
    table = Table(
        columns=[
            Column("category", _("Category")),
            Column("budget", _("Budget (%(currency)s)") % {"currency": currency}, MONEY),
            Column("actual", _("Actual (%(currency)s)") % {"currency": currency}, MONEY),
            Column("variance", _("Variance"), MONEY),
            Column("variance_pct", _("Variance %"), PERCENT),
            Column("explanation", _("Explanation")),
        ],
        rows=rows,
    )
    settlement = view.settlement
    meta = [
        *_meta(campaign),
        (_("Status"), str(settlement.get_status_display() if settlement else _("Not started"))),
    ]
    if settlement is not None and settlement.submitted_by_id:
        meta.append((_("Submitted by"), str(settlement.submitted_by)))
    decisions = Table(
        columns=[
            Column("decision", _("Decision")),
            Column("by", _("By")),
            Column("at", _("Date"), DATE),
            Column("comment", _("Comment")),
        ],
        rows=[
            [
                approval.get_decision_display(),
                str(approval.actor),
                approval.at.date(),
                approval.comment or None,
            ]
            for approval in (settlement.approvals.all() if settlement is not None else [])
        ],
    )
    sections = [Section(_("Budget against actual by category"), tables=[table])]
    if decisions.rows:
        sections.append(Section(_("Approval"), tables=[decisions]))
    return Document(
        kind="settlement",
        title=_("Expense settlement — %(campaign)s") % {"campaign": campaign.name},
        filename=f"settlement-{campaign.number or campaign.pk}",
        meta=meta,
        sections=sections,
        notes=[
            _(
                "Variance = actual − budget; an explanation is required where |variance %%| passes %(threshold)s."
            )
            % {"threshold": f"{view.threshold:.0%}"}
        ],
        notes_title=_("Notes"),
    )


def register() -> None:
    registry.register("evaluation", gettext_lazy("Campaign evaluation report (Table 4)"), evaluation_document)
    registry.register("settlement", gettext_lazy("Expense settlement"), settlement_document)
    pdf.register_chart(
        "evaluation",
        label_key="dimension",
        value_key="achievement",
        title=gettext_lazy("Achievement by dimension"),
    )


__all__ = [
    "evaluation_document",
    "extra_section_data",
    "extra_sections",
    "register",
    "register_section",
    "settlement_document",
]
