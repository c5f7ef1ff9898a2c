"""API shapes for expenses, the budget view and the settlement (DESIGN §5).

Amounts go out as decimal strings with two places ("1200000.00"), fractions (variance %, used
share) as decimal strings of the fraction ("0.0612" is 6.12 %), dates ISO 8601.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.urls import reverse
from ninja import Field, Schema

from campaignflow.campaigns.schemas import InputSchema, ObjectId, decimal_str, money_str

PositiveMoney = Annotated[
    Decimal, Field(gt=0, max_digits=14, decimal_places=2, allow_inf_nan=False, description="decimal string")
]


class ExpenseIn(InputSchema):
    budget_line: ObjectId
    amount: PositiveMoney
    date: dt.date
    vendor: str = Field(max_length=200)
    reference: str = Field("", max_length=100, description="invoice or contract reference")
    note: str = Field("", max_length=1000)


class ExpensePatch(InputSchema):
    """Only the fields sent are changed."""

    budget_line: ObjectId = None
    amount: PositiveMoney = None
    date: dt.date = None
    vendor: str = Field(None, max_length=200)
    reference: str = Field(None, max_length=100)
    note: str = Field(None, max_length=1000)


class AttachmentOut(Schema):
    name: str
    type: str
    size: int
    url: str


class ExpenseOut(Schema):
    id: int
    campaign: int
    budget_line: int | None
    budget_line_label: str | None
    category: str
    category_label: str
    channel: int | None
    channel_name: str | None
    amount: str
    date: dt.date
    vendor: str
    reference: str
    note: str
    attachment: AttachmentOut | None
    created_by: int
    created_by_name: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_campaign(obj) -> int:
        return obj.campaign_id

    @staticmethod
    def resolve_budget_line(obj) -> int | None:
        return obj.budget_line_id

    @staticmethod
    def resolve_budget_line_label(obj) -> str | None:
        return str(obj.budget_line) if obj.budget_line_id else None

    @staticmethod
    def resolve_category_label(obj) -> str:
        return str(obj.get_category_display())

    @staticmethod
    def resolve_channel(obj) -> int | None:
        return obj.budget_line.channel_id if obj.budget_line_id else None

    @staticmethod
    def resolve_channel_name(obj) -> str | None:
        line = obj.budget_line if obj.budget_line_id else None
        return line.channel.name if line is not None and line.channel_id else None

    @staticmethod
    def resolve_amount(obj) -> str:
        return money_str(obj.amount)

    @staticmethod
    def resolve_attachment(obj) -> dict | None:
        if not obj.attachment:
            return None
        return {
            "name": obj.attachment_name,
            "type": obj.attachment_type,
            "size": obj.attachment_size,
            "url": reverse("api:expense_attachment", args=[obj.pk]),
        }

    @staticmethod
    def resolve_created_by(obj) -> int:
        return obj.created_by_id

    @staticmethod
    def resolve_created_by_name(obj) -> str:
        return str(obj.created_by)


# --- budget ------------------------------------------------------------------------------------------


class CategoryOut(Schema):
    category: str
    label: str
    budget: str
    actual: str
    variance: str
    variance_pct: str | None
    used: str | None
    forecast: str | None
    overspent: bool
    forecast_overspent: bool


class LineOut(Schema):
    id: int | None
    category: str
    label: str
    channel_name: str
    budget: str
    actual: str
    variance: str
    overspent: bool


class ReconciliationRowOut(Schema):
    channel: int | None
    channel_name: str
    expenses: str
    metrics_cost: str
    difference: str
    difference_pct: str | None


class ReconciliationOut(Schema):
    rows: list[ReconciliationRowOut]
    total: ReconciliationRowOut
    has_metrics: bool


class BurnPointOut(Schema):
    date: dt.date
    cumulative: str


class BudgetOut(Schema):
    currency: str
    as_of: dt.date
    total: CategoryOut
    remaining: str
    categories: list[CategoryOut]
    lines: list[LineOut]
    overspent: bool
    elapsed_days: int
    total_days: int | None
    burn_rate: str | None = Field(description="spend so far per elapsed day")
    forecast_method: str
    burn: list[BurnPointOut]
    reconciliation: ReconciliationOut


def _category(row) -> dict:
    return {
        "category": row.category,
        "label": str(row.label),
        "budget": money_str(row.budget),
        "actual": money_str(row.actual),
        "variance": money_str(row.variance),
        "variance_pct": decimal_str(row.variance_pct),
        "used": decimal_str(row.used),
        "forecast": money_str(row.forecast),
        "overspent": row.overspent,
        "forecast_overspent": row.forecast_overspent,
    }


def _reconciliation_row(row) -> dict:
    return {
        "channel": row.channel_id,
        "channel_name": str(row.channel_name),
        "expenses": money_str(row.expenses),
        "metrics_cost": money_str(row.metrics_cost),
        "difference": money_str(row.difference),
        "difference_pct": decimal_str(row.difference_pct),
    }


def budget_data(budget, currency: str, forecast_method: str) -> dict:
    """The BudgetOut shape of selectors.Budget."""
    return {
        "currency": currency,
        "as_of": budget.today,
        "total": _category(budget.total),
        "remaining": money_str(budget.remaining),
        "categories": [_category(row) for row in budget.categories],
        "lines": [
            {
                "id": line.line_id,
                "category": line.category,
                "label": str(line.label),
                "channel_name": line.channel_name,
                "budget": money_str(line.budget),
                "actual": money_str(line.actual),
                "variance": money_str(line.variance),
                "overspent": line.overspent,
            }
            for line in budget.lines
        ],
        "overspent": budget.overspent,
        "elapsed_days": budget.elapsed_days,
        "total_days": budget.total_days,
        "burn_rate": money_str(budget.burn_rate),
        "forecast_method": forecast_method,
        "burn": [{"date": p.date, "cumulative": money_str(p.cumulative)} for p in budget.burn],
        "reconciliation": {
            "rows": [_reconciliation_row(row) for row in budget.reconciliation.rows],
            "total": _reconciliation_row(budget.reconciliation.total),
            "has_metrics": budget.reconciliation.has_metrics,
        },
    }


# --- settlement ---------------------------------------------------------------------------------------


class SettlementIn(InputSchema):
    explanations: dict[str, Annotated[str, Field(max_length=2000)]] = Field(
        description="category key → explanation of its variance; an empty text clears it"
    )


class SettlementActionIn(InputSchema):
    comment: str = Field("", max_length=2000)


class SettlementRowOut(Schema):
    category: str
    label: str
    budget: str
    actual: str
    variance: str
    variance_pct: str | None
    explanation_required: bool
    explanation: str


class SettlementApprovalOut(Schema):
    revision: int
    role: str
    decision: str
    actor: int
    actor_name: str
    comment: str
    at: dt.datetime


class SettlementOut(Schema):
    id: int | None
    campaign: int
    status: str
    status_label: str
    revision: int
    threshold: str
    rows: list[SettlementRowOut]
    budget: str
    actual: str
    variance: str
    variance_pct: str | None
    missing_explanations: list[str]
    submitted_by: int | None
    submitted_by_name: str | None
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    approvals: list[SettlementApprovalOut]


def settlement_data(view) -> dict:
    """The SettlementOut shape of selectors.SettlementView."""
    from .choices import SettlementStatus

    settlement = view.settlement
    return {
        "id": settlement.pk if settlement else None,
        "campaign": view.campaign.pk,
        "status": view.status,
        "status_label": str(SettlementStatus(view.status).label),
        "revision": settlement.revision if settlement else 1,
        "threshold": decimal_str(view.threshold),
        "rows": [
            {
                "category": row.category,
                "label": str(row.label),
                "budget": money_str(row.budget),
                "actual": money_str(row.actual),
                "variance": money_str(row.variance),
                "variance_pct": decimal_str(row.variance_pct),
                "explanation_required": row.explanation_required,
                "explanation": row.explanation,
            }
            for row in view.rows
        ],
        "budget": money_str(view.budget),
        "actual": money_str(view.actual),
        "variance": money_str(view.variance),
        "variance_pct": decimal_str(view.variance_pct),
        "missing_explanations": [row.category for row in view.missing],
        "submitted_by": settlement.submitted_by_id if settlement else None,
        "submitted_by_name": str(settlement.submitted_by)
        if settlement and settlement.submitted_by_id
        else None,
        "submitted_at": settlement.submitted_at if settlement else None,
        "approved_at": settlement.approved_at if settlement else None,
        "approvals": [
            {
                "revision": a.revision,
                "role": a.role,
                "decision": a.decision,
                "actor": a.actor_id,
                "actor_name": str(a.actor),
                "comment": a.comment,
                "at": a.at,
            }
            for a in (settlement.approvals.all() if settlement else [])
        ],
    }
