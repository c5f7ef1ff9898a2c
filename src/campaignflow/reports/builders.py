"""Builders of the plan (Table 1) and task (Table 2) reports.

The plan follows the campaign page laid out like Table 1 (campaigns/detail.html) and reuses its
budget summary; the task table calls execution.export's row and columns, so Table 2 has one
definition of its columns whichever way it is downloaded.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from campaignflow.accounts.models import Organization
from campaignflow.campaigns import scenarios
from campaignflow.campaigns.models import Campaign, RequirementsBrief
from campaignflow.execution import export as task_export
from campaignflow.execution import selectors as execution_selectors
from campaignflow.execution.choices import DisplayStatus

from . import registry
from .daily import stem
from .registry import DATE, INTEGER, MONEY, NUMBER, PERCENT, TEXT, Column, Document, Section, Table


def _scenario(campaign: Campaign) -> str:
    data = scenarios.get(campaign.template) if campaign.template else None
    return scenarios.localized(data["name"]) if data else ""


def plan_document(*, campaign: Campaign, request: registry.Request) -> Document:
    """Table 1 (市场营销活动策划方案表): the fields, goals, audience, flow, budget, risks, approvals."""
    from campaignflow.campaigns.views import budget_summary  # Table 1's budget order and shares

    organization = Organization.current()
    goals = list(campaign.goals.select_related("parent", "owner"))
    personas = list(campaign.personas.all())
    milestones = list(campaign.milestones.all())
    risks = list(campaign.risks.select_related("owner"))
    approvals = list(campaign.approvals.select_related("actor").order_by("at", "id"))
    budget = budget_summary(campaign.budget_lines.select_related("channel"), organization)
    brief = RequirementsBrief.objects.filter(campaign=campaign).first()

    meta = [
        (_("Campaign name"), campaign.name),
        (_("Campaign number"), campaign.number or _("assigned on approval")),
        (_("Plan owner"), str(campaign.owner)),
        (_("Planning date"), campaign.planned_on),
        (_("Department"), str(campaign.department)),
        (_("Status"), f"{campaign.get_status_display()} · {_('revision')} {campaign.revision}"),
        (_("Campaign dates"), f"{campaign.start_date or '…'} – {campaign.end_date or '…'}"),
        (_("Scenario"), _scenario(campaign)),
    ]
    sections = [
        Section(
            _("Background and objectives"),
            [
                Table(
                    [
                        Column("goal", _("Goal")),
                        Column("metric", _("Metric")),
                        Column("baseline", _("Baseline"), NUMBER),
                        Column("target", _("Target"), NUMBER),
                        Column("unit", _("Unit")),
                        Column("deadline", _("Deadline"), DATE),
                        Column("owner", _("Owner")),
                    ],
                    [
                        [
                            goal.name or goal.metric,
                            goal.metric,
                            goal.baseline,
                            goal.target,
                            goal.unit,
                            goal.deadline,
                            str(goal.owner) if goal.owner else "",
                        ]
                        for goal in goals
                    ],
                )
            ],
            [campaign.background or registry.EMPTY],
        ),
        Section(
            _("Target audience"),
            [
                Table(
                    [
                        Column("persona", _("Persona")),
                        Column("age", _("Age")),
                        Column("gender", _("Gender")),
                        Column("city_tier", _("City tier")),
                        Column("spend_level", _("Spending level")),
                        Column("interests", _("Interests")),
                        Column("channels", _("Preferred channels")),
                    ],
                    [
                        [
                            p.name,
                            f"{p.age_min or ''}–{p.age_max or ''}" if p.age_min or p.age_max else "",
                            p.get_gender_display(),
                            p.get_city_tier_display(),
                            p.spend_level,
                            p.interests,
                            p.channels,
                        ]
                        for p in personas
                    ],
                )
            ]
            if personas
            else [],
            [campaign.target_audience or registry.EMPTY],
        ),
        Section(
            _("Theme and format"),
            paragraphs=[
                f"{_('Theme')}: {campaign.theme or registry.EMPTY}",
                f"{_('Format')}: {campaign.format or registry.EMPTY}",
                f"{_('Core message')}: {campaign.core_message or registry.EMPTY}",
            ],
        ),
        Section(
            _("Execution flow and key dates"),
            [
                Table(
                    [
                        Column("date", _("Date"), DATE),
                        Column("milestone", _("Milestone")),
                        Column("note", _("Note")),
                    ],
                    [[m.date, m.name, m.note] for m in milestones],
                )
            ],
        ),
        Section(
            _("Budget (%(currency)s)") % {"currency": organization.currency},
            [
                Table(
                    [
                        Column("category", _("Category")),
                        Column("amount", _("Amount"), MONEY),
                        Column("note", _("Note")),
                        Column("share", _("Share"), PERCENT),
                    ],
                    [
                        [
                            " · ".join(
                                part
                                for part in (
                                    str(line.get_category_display()),
                                    line.label,
                                    str(line.channel) if line.channel_id else "",
                                )
                                if part
                            ),
                            line.amount,
                            line.note,
                            line.share,
                        ]
                        for line in budget.lines
                    ]
                    + [[_("Total"), budget.total, "", Decimal(1) if budget.total else None]],
                )
            ],
        ),
        Section(
            _("Risks and responses"),
            [
                Table(
                    [
                        Column("risk", _("Risk")),
                        Column("category", _("Category")),
                        Column("score", _("Score"), INTEGER),
                        Column("response", _("Response")),
                        Column("owner", _("Owner")),
                        Column("status", _("Status")),
                    ],
                    [
                        [
                            r.description,
                            r.get_category_display(),
                            r.score,
                            r.response,
                            str(r.owner) if r.owner else "",
                            r.get_status_display(),
                        ]
                        for r in risks
                    ],
                )
            ],
        ),
        Section(
            _("Approval"),
            [
                Table(
                    [
                        Column("level", _("Level"), INTEGER),
                        Column("revision", _("Revision"), INTEGER),
                        Column("decision", _("Decision")),
                        Column("approver", _("Approver")),
                        Column("comment", _("Comment")),
                        Column("at", _("Time")),
                    ],
                    [
                        [
                            a.level,
                            a.revision,
                            a.get_decision_display(),
                            str(a.actor),
                            a.comment,
                            timezone.localtime(a.at).strftime("%Y-%m-%d %H:%M"),
                        ]
                        for a in approvals
                    ],
                )
            ],
        ),
    ]
    if brief is not None:
        sections.insert(
            0,
            Section(
                _("Requirements brief"),
                paragraphs=[
                    f"{label}: {value}"
                    for label, value in (
                        (_("Requested by"), brief.requested_by),
                        (_("Business need"), brief.business_need),
                        (_("Key dates"), brief.key_dates),
                    )
                    if value
                ],
            ),
        )
    return Document(
        kind="plan",
        title=f"{_('Marketing campaign plan')} · {campaign.name}",
        filename=f"{stem(campaign)}-plan",
        meta=meta,
        sections=sections,
    )


def _unquote(value):
    """export's row neutralises formula-looking text with a leading quote for its own workbook;
    the registry's renderers do that per format, so the registry takes the text as entered."""
    if (
        isinstance(value, str)
        and value.startswith("'")
        and value[1:2]
        and value[1] in registry.FORMULA_STARTS
    ):
        return value[1:]
    return value


def tasks_document(*, campaign: Campaign, request: registry.Request) -> Document:
    """Table 2 (活动任务分工与进度跟踪表) with the columns and rows of execution.export."""
    language = get_language()
    today = timezone.localdate()
    tasks = execution_selectors.tasks_for(campaign=campaign)
    keys = (
        "name",
        "owner",
        "collaborating_department",
        "planned_finish",
        "actual_finish",
        "status",
        "delay_reason",
        "planned_start",
    )
    kinds = (TEXT, TEXT, TEXT, DATE, DATE, TEXT, TEXT, DATE)
    columns = [
        Column(key, scenarios.localized(column, language), kind)
        for key, column, kind in zip(keys, task_export.COLUMNS, kinds, strict=True)
    ]
    rows = [[_unquote(value) for value in task_export._row(task, language, today)] for task in tasks]
    counts = execution_selectors.status_counts(tasks, today)
    summary = ", ".join(
        f"{scenarios.localized(task_export.STATUS_WORDS[DisplayStatus(status)], language)} {count}"
        for status, count in counts.items()
        if count
    )
    return Document(
        kind="tasks",
        title=f"{scenarios.localized(task_export.TITLE, language)} · {campaign.name}",
        filename=f"{stem(campaign)}-tasks",
        meta=[
            (_("Campaign"), f"{campaign.number or ''} {campaign.name}".strip()),
            (_("Date"), today),
            (_("Tasks"), f"{len(tasks)}" + (f" ({summary})" if summary else "")),
        ],
        sections=[Section(scenarios.localized(task_export.TITLE, language), [Table(columns, rows)])],
    )


def tasks_xlsx(*, campaign: Campaign, request: registry.Request) -> registry.Rendered:
    """Table 2 as the execution app lays it out: the seed form's title, columns and status words."""
    content = task_export.tasks_xlsx(
        campaign=campaign, tasks=execution_selectors.tasks_for(campaign=campaign), language=get_language()
    )
    return registry.Rendered(content, task_export.XLSX_TYPE, task_export.filename(campaign))
