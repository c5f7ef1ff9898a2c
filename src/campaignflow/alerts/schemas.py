"""API shapes for alert rules and alerts (DESIGN §5).

Thresholds and values are decimal strings; for the percentage conditions (below_target_pct,
day_over_day_change_pct) the threshold is a fraction, 0.3 for 30 %, like every rate in the API.
Observed and expected values are in the metric's unit: ratios as fractions, amounts in the org
currency, counts as counts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from campaignflow.campaigns.schemas import InputSchema, ObjectId, decimal_str

from .choices import AlertStatus, Condition, Severity, Window

Threshold = Annotated[Decimal, Field(max_digits=18, decimal_places=4, allow_inf_nan=False)]


class AlertRuleIn(InputSchema):
    name: str = Field("", max_length=200)
    metric: str = Field(
        max_length=40, description="a metric definition key, e.g. cvr, cpa, negative_comments"
    )
    condition: Condition
    threshold: Threshold = Field(description="N for above_absolute; a fraction (0.3 = 30 %) otherwise")
    channel: ObjectId | None = Field(None, description="judge this channel only; none = campaign totals")
    window: Window = Window.DAY
    severity: Severity = Severity.WARNING
    active: bool = True


class AlertRulePatch(InputSchema):
    name: str | None = Field(None, max_length=200)
    metric: str | None = Field(None, max_length=40)
    condition: Condition | None = None
    threshold: Threshold | None = None
    channel: ObjectId | None = None
    window: Window | None = None
    severity: Severity | None = None
    active: bool | None = None


class AlertRuleOut(Schema):
    id: int
    scope: str  # "organization" or "campaign"
    campaign: int | None
    channel: int | None
    channel_name: str | None
    name: str
    description: str  # the rule in words, in the request's language
    metric: str
    condition: str
    threshold: str
    window: str
    severity: str
    active: bool

    @staticmethod
    def resolve_scope(obj) -> str:
        return "organization" if obj.campaign_id is None else "campaign"

    @staticmethod
    def resolve_campaign(obj) -> int | None:
        return obj.campaign_id

    @staticmethod
    def resolve_channel(obj) -> int | None:
        return obj.channel_id

    @staticmethod
    def resolve_channel_name(obj) -> str | None:
        return obj.channel.name if obj.channel_id else None

    @staticmethod
    def resolve_description(obj) -> str:
        return obj.describe()

    @staticmethod
    def resolve_threshold(obj) -> str:
        return decimal_str(obj.threshold)


class AcknowledgeIn(InputSchema):
    response_plan: str = Field(max_length=5000)


class ResolveIn(InputSchema):
    note: str = Field("", max_length=2000)


def _user_name(user) -> str | None:
    return (user.get_full_name() or user.get_username()) if user else None


class AlertOut(Schema):
    id: int
    rule: int | None = Field(
        description="The rule that opened it; empty for an alert the product raised itself."
    )
    rule_name: str
    source: str = Field(description="rule, or budget: a budget category (or the total) overspent.")
    subject: str = Field(description="For a budget alert, the category key or total.")
    campaign: int
    campaign_name: str
    channel: int | None
    channel_name: str | None
    metric: str
    metric_name: str
    unit: str | None
    condition: str
    threshold: str
    window: str
    severity: str
    day: dt.date
    observed: str | None
    expected: str | None
    still_breaching: bool
    status: AlertStatus
    opened_at: dt.datetime
    due_at: dt.datetime
    escalated_at: dt.datetime | None
    escalation_level: int
    acknowledged_by: int | None
    acknowledged_by_name: str | None
    acknowledged_at: dt.datetime | None
    response_plan: str
    resolved_by: int | None
    resolved_by_name: str | None
    resolved_at: dt.datetime | None
    resolution_note: str

    @staticmethod
    def resolve_rule(obj) -> int | None:
        return obj.rule_id

    @staticmethod
    def resolve_rule_name(obj) -> str:
        return obj.label

    @staticmethod
    def resolve_campaign(obj) -> int:
        return obj.campaign_id

    @staticmethod
    def resolve_campaign_name(obj) -> str:
        return obj.campaign.name

    @staticmethod
    def resolve_channel(obj) -> int | None:
        return obj.channel_id

    @staticmethod
    def resolve_channel_name(obj) -> str | None:
        return obj.channel.name if obj.channel_id else None

    @staticmethod
    def resolve_metric_name(obj) -> str:
        return getattr(obj, "metric_label", obj.metric)

    @staticmethod
    def resolve_unit(obj) -> str | None:
        definition = getattr(obj, "definition", None)
        return definition.unit if definition else None

    @staticmethod
    def resolve_threshold(obj) -> str:
        return decimal_str(obj.threshold)

    @staticmethod
    def resolve_observed(obj) -> str | None:
        return decimal_str(obj.observed)

    @staticmethod
    def resolve_expected(obj) -> str | None:
        return decimal_str(obj.expected)

    @staticmethod
    def resolve_acknowledged_by(obj) -> int | None:
        return obj.acknowledged_by_id

    @staticmethod
    def resolve_acknowledged_by_name(obj) -> str | None:
        return _user_name(obj.acknowledged_by)

    @staticmethod
    def resolve_resolved_by(obj) -> int | None:
        return obj.resolved_by_id

    @staticmethod
    def resolve_resolved_by_name(obj) -> str | None:
        return _user_name(obj.resolved_by)
