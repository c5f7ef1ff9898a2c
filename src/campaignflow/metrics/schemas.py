"""API shapes for channels, metric definitions, daily data, imports and KPIs.

Counts are integers, amounts decimal strings ("35000.00"), ratios fractions (0.021) as numbers;
a metric that cannot be computed (zero denominator) is null. DESIGN §5.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import field_validator

from campaignflow.campaigns.choices import Direction
from campaignflow.campaigns.schemas import MAX_ID, InputSchema, decimal_str

from . import calc
from .choices import ChannelKind, MetricUnit


def _no_nul(value):
    if isinstance(value, str) and "\x00" in value:
        raise ValueError(_("Null characters are not allowed."))
    return value


class ChannelIn(InputSchema):
    name: str = Field(max_length=100)
    kind: ChannelKind = ChannelKind.OTHER
    online: bool = True

    @field_validator("name")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        return _no_nul(value)


class ChannelOut(Schema):
    id: int
    name: str
    kind: str
    online: bool


class ChannelRef(Schema):
    id: int
    name: str


# --- metric definitions -----------------------------------------------------------------------------


class MetricDefinitionIn(InputSchema):
    key: str = Field(max_length=40)
    formula: str = Field(max_length=calc.FORMULA_MAX_LENGTH)
    name_en: str = Field(max_length=100)
    name_zh_hans: str = Field("", max_length=100)
    name_zh_hant: str = Field("", max_length=100)
    unit: MetricUnit = MetricUnit.RATIO
    direction: Direction = Direction.HIGHER


class MetricDefinitionOut(Schema):
    id: int
    key: str
    name: str  # in the request's language
    name_en: str
    name_zh_hans: str
    name_zh_hant: str
    formula: str
    kind: str  # "base" or "derived"
    unit: str
    direction: str
    builtin: bool

    @staticmethod
    def resolve_kind(obj) -> str:
        return "base" if obj.is_base else "derived"


# --- daily data ------------------------------------------------------------------------------------------


class DailyMetricIn(InputSchema):
    """One channel's day. Every measure not sent is 0 (the row is replaced as a whole)."""

    date: dt.date
    channel: int = Field(ge=1, le=MAX_ID, description="channel id")
    impressions: int | None = None
    clicks: int | None = None
    conversions: int | None = None
    new_users: int | None = None
    revenue: Decimal | None = Field(None, allow_inf_nan=False)
    cost: Decimal | None = Field(None, allow_inf_nan=False)
    leads: int | None = None
    mqls: int | None = None
    opportunities: int | None = None
    visits: int | None = None
    negative_comments: int | None = None
    note: str = Field("", max_length=500)


class DailyMetricPatch(InputSchema):
    impressions: int | None = None
    clicks: int | None = None
    conversions: int | None = None
    new_users: int | None = None
    revenue: Decimal | None = Field(None, allow_inf_nan=False)
    cost: Decimal | None = Field(None, allow_inf_nan=False)
    leads: int | None = None
    mqls: int | None = None
    opportunities: int | None = None
    visits: int | None = None
    negative_comments: int | None = None
    note: str | None = Field(None, max_length=500)


class DailyMetricOut(Schema):
    id: int
    campaign: int = Field(alias="campaign_id")
    date: dt.date
    channel: ChannelRef
    impressions: int
    clicks: int
    conversions: int
    new_users: int
    revenue: str
    cost: str
    leads: int
    mqls: int
    opportunities: int
    visits: int
    negative_comments: int
    note: str

    @staticmethod
    def resolve_revenue(obj) -> str:
        return amount_str(obj.revenue)

    @staticmethod
    def resolve_cost(obj) -> str:
        return amount_str(obj.cost)


class IssueOut(Schema):
    row: int | None
    column: str | None
    message: str


class ImportResultOut(Schema):
    created: int
    updated: int
    rows: int
    dry_run: bool
    errors: list[IssueOut] = []
    warnings: list[IssueOut] = []


class ImportErrorOut(Schema):
    detail: str
    code: str
    created: int = 0
    updated: int = 0
    errors: list[IssueOut]
    warnings: list[IssueOut] = []


class PresetOut(Schema):
    key: str
    name: str
    channels: list[str]


# --- KPIs --------------------------------------------------------------------------------------------


def amount_str(value) -> str:
    return f"{Decimal(value or 0):.2f}"


def present(value: Decimal | None, unit: str) -> Any:
    """A metric value for JSON: ratio → number (6 places), amount → decimal string, count → integer."""
    if value is None:
        return None
    if unit == calc.CURRENCY:
        return amount_str(calc.rounded(value, 2))
    if unit == calc.COUNT and value == value.to_integral_value():
        return int(value)
    return round(float(value), 6)


def present_measures(measures: dict[str, Decimal]) -> dict[str, Any]:
    return {
        name: amount_str(measures[name]) if name in calc.AMOUNT_MEASURES else int(measures[name])
        for name in calc.BASE_MEASURES
    }


def present_metrics(metrics: dict[str, Decimal | None], units: dict[str, str]) -> dict[str, Any]:
    return {key: present(value, units.get(key, calc.RATIO)) for key, value in metrics.items()}


class MeasuresOut(Schema):
    impressions: int
    clicks: int
    conversions: int
    new_users: int
    revenue: str
    cost: str
    leads: int
    mqls: int
    opportunities: int
    visits: int
    negative_comments: int


class BreakdownOut(Schema):
    measures: MeasuresOut
    metrics: dict[str, float | str | int | None] = Field(
        description="derived metrics by definition key: ratios as fractions, amounts as strings; null when the denominator is 0"
    )


class ChannelKpisOut(BreakdownOut):
    channel: dict[str, Any]
    days: int


class DayKpisOut(BreakdownOut):
    date: dt.date


class FunnelStepOut(Schema):
    key: str
    name: str
    value: int
    rate: float | None = Field(description="share of the previous step")


class GoalKpiOut(Schema):
    id: int
    metric: str
    name: str
    unit: str
    direction: str
    target: str | None
    actual: float | str | int | None
    achievement: float | None = Field(description="actual / target; target / actual when lower is better")
    met: bool | None
    deadline: dt.date | None


class ChannelReturnOut(Schema):
    channel: dict[str, Any]
    cost: str
    value: float | None


class BudgetShiftOut(Schema):
    from_channel: dict[str, Any]
    to_channel: dict[str, Any]
    amount: str
    from_return: float
    to_return: float
    expected_gain: float
    advice: str


class ComparisonOut(Schema):
    basis: str | None
    rule: str
    ranking: list[ChannelReturnOut]
    suggestion: BudgetShiftOut | None


class DefinitionRefOut(Schema):
    key: str
    name: str
    unit: str
    direction: str
    formula: str


class KpisOut(Schema):
    campaign: int
    date_from: dt.date | None = Field(alias="from")
    date_to: dt.date | None = Field(alias="to")
    channel: int | None
    currency: str
    days_with_data: int
    totals: BreakdownOut
    channels: list[ChannelKpisOut]
    trend: list[DayKpisOut]
    funnels: dict[str, list[FunnelStepOut]]
    goals: list[GoalKpiOut]
    comparison: ComparisonOut
    definitions: list[DefinitionRefOut]


def kpis_data(kpis, currency: str) -> dict:
    """The KPI selector's result as the JSON the API returns (and the dashboard charts read)."""
    units = kpis.units

    def breakdown(part) -> dict:
        return {"measures": present_measures(part.measures), "metrics": present_metrics(part.metrics, units)}

    comparison = kpis.comparison
    names = {c.channel_id: c.name for c in kpis.channels}
    shift = comparison.shift
    suggestion = None
    if shift is not None:
        suggestion = {
            "from_channel": {"id": shift.source, "name": names[shift.source]},
            "to_channel": {"id": shift.target, "name": names[shift.target]},
            "amount": amount_str(shift.amount),
            "from_return": float(calc.rounded(shift.source_return, 6)),
            "to_return": float(calc.rounded(shift.target_return, 6)),
            "expected_gain": float(calc.rounded(shift.expected_gain, 2)),
            "advice": comparison.advice,
        }
    return {
        "campaign": kpis.campaign.pk,
        "from": kpis.date_from,
        "to": kpis.date_to,
        "channel": kpis.channel_id,
        "currency": currency,
        "days_with_data": kpis.days_with_data,
        "totals": breakdown(kpis.totals),
        "channels": [
            {
                **breakdown(c),
                "channel": {"id": c.channel_id, "name": c.name, "kind": c.kind, "online": c.online},
                "days": c.days,
            }
            for c in kpis.channels
        ],
        "trend": [{**breakdown(day), "date": day.date} for day in kpis.trend],
        "funnels": {
            name: [
                {
                    "key": step.key,
                    "name": step.name,
                    "value": int(step.value),
                    "rate": None if step.rate is None else float(calc.rounded(step.rate, 6)),
                }
                for step in steps
            ]
            for name, steps in kpis.funnels.items()
        },
        "goals": [
            {
                "id": g.goal.pk,
                "metric": g.goal.metric,
                "name": g.goal.name or g.definition.name,
                "unit": g.definition.unit,
                "direction": g.definition.direction,
                "target": decimal_str(g.goal.target),
                "actual": present(g.actual, g.definition.unit),
                "achievement": None if g.achievement is None else float(calc.rounded(g.achievement, 6)),
                "met": g.met,
                "deadline": g.goal.deadline,
            }
            for g in kpis.goals
        ],
        "comparison": {
            "basis": comparison.basis,
            "rule": comparison.rule,
            "ranking": [
                {
                    "channel": {"id": row.channel_id, "name": row.name},
                    "cost": amount_str(row.cost),
                    "value": None if row.value is None else float(calc.rounded(row.value, 6)),
                }
                for row in comparison.ranking
            ],
            "suggestion": suggestion,
        },
        "definitions": [
            {"key": d.key, "name": d.name, "unit": d.unit, "direction": d.direction, "formula": d.formula}
            for d in kpis.definitions
        ],
    }
