"""Reads of the evaluation report: its dimensions, ROI/ROAS and channel results, live or as submitted.

Every figure comes from metrics.selectors.campaign_kpis (sums in the database, derived metrics by
metrics.calc over the whole campaign); achievement is calc's, so a lower-is-better metric such as
CPA reads target / actual. Nothing is recomputed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import NotFound
from campaignflow.metrics import calc
from campaignflow.metrics.selectors import Kpis, campaign_kpis

from . import permissions
from .choices import ROAS, ROI, EvaluationStatus
from .models import EvaluationDimension, EvaluationReport

CHANNEL_MEASURES = ("impressions", "clicks", "conversions", "cost", "revenue")
CHANNEL_METRICS = ("ctr", "cvr", "cpa", "roas")
PLACES = Decimal("0.000001")


def _q(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(PLACES)


@dataclass
class DimensionRow:
    """One row of Table 4 as shown, submitted and rendered."""

    key: str
    name: str
    metric: str
    unit: str
    direction: str
    tracked: bool
    target: Decimal | None
    actual: Decimal | None
    achievement: Decimal | None
    met: bool | None
    analysis: str = ""
    goal_id: int | None = None
    id: int | None = None  # the stored dimension, once the report exists

    @property
    def target_text(self) -> str | None:
        """The target as Table 4 reads it (a count, an amount, a percentage, ROAS as a multiple)."""
        from .documents import _value_text

        return _value_text(self.target, self.unit, self.metric)

    @property
    def actual_text(self) -> str | None:
        from .documents import _value_text

        return _value_text(self.actual, self.unit, self.metric)


@dataclass
class EvaluationView:
    campaign: Campaign
    report: EvaluationReport | None
    status: str
    dimensions: list[DimensionRow]
    totals: dict[str, Decimal | None]
    channels: list[dict]
    days_with_data: int = 0
    meetings: list = field(default_factory=list)

    @property
    def is_frozen(self) -> bool:
        return self.report is not None and not self.report.is_draft


def _metric_value(breakdown, key: str) -> Decimal | None:
    if key in breakdown.metrics:
        return breakdown.metrics[key]
    return calc.value_of(key, breakdown.measures)


def live_dimensions(
    campaign: Campaign, kpis: Kpis, stored: dict[str, EvaluationDimension]
) -> list[DimensionRow]:
    """One row per goal (in goal order), then ROI and ROAS unless a goal already measures them."""
    tracked = {kpi.goal.pk: kpi for kpi in kpis.goals}
    by_key = {d.key: d for d in kpis.definitions}
    rows: list[DimensionRow] = []
    goal_metrics: set[str] = set()
    for goal in campaign.goals.order_by("id"):
        key = f"goal:{goal.pk}"
        goal_metrics.add(goal.metric)
        kpi = tracked.get(goal.pk)
        previous = stored.get(key)
        if kpi is not None:
            row = DimensionRow(
                key=key,
                name=goal.name or kpi.definition.name,
                metric=goal.metric,
                unit=kpi.definition.unit,
                direction=kpi.definition.direction,
                tracked=True,
                target=goal.target,
                actual=_q(kpi.actual),
                achievement=_q(kpi.achievement),
                met=kpi.met,
            )
        else:
            # Not in the daily data (brand search index, satisfaction): the analyst enters the actual.
            actual = previous.actual if previous is not None else None
            row = DimensionRow(
                key=key,
                name=goal.name or goal.metric,
                metric=goal.metric,
                unit=goal.unit,
                direction=goal.direction,
                tracked=False,
                target=goal.target,
                actual=actual,
                achievement=_q(calc.achievement(actual, goal.target, goal.direction)),
                met=calc.goal_met(actual, goal.target, goal.direction),
            )
        row.goal_id = goal.pk
        rows.append(row)
    for key in (ROI, ROAS):
        if key in goal_metrics:
            continue
        definition = by_key.get(key)
        builtin = calc.BUILTIN[key]
        rows.append(
            DimensionRow(
                key=key,
                name=definition.name if definition else key.upper(),
                metric=key,
                unit=builtin.unit,
                direction=builtin.direction,
                tracked=True,
                target=None,
                actual=_q(_metric_value(kpis.totals, key)),
                achievement=None,
                met=None,
            )
        )
    for row in rows:
        previous = stored.get(row.key)
        if previous is not None:
            row.id, row.analysis = previous.pk, previous.analysis
    return rows


def live_totals(kpis: Kpis) -> dict[str, Decimal | None]:
    totals = kpis.totals
    return {
        "cost": totals.measures["cost"],
        "revenue": totals.measures["revenue"],
        "roi": _q(_metric_value(totals, ROI)),
        "roas": _q(_metric_value(totals, ROAS)),
    }


def live_channels(kpis: Kpis) -> list[dict]:
    rows = []
    for channel in kpis.channels:
        row: dict = {"channel_id": channel.channel_id, "name": channel.name}
        row |= {key: channel.measures[key] for key in CHANNEL_MEASURES}
        row |= {key: _q(_metric_value(channel, key)) for key in CHANNEL_METRICS}
        rows.append(row)
    return rows


def _frozen_row(dimension: EvaluationDimension) -> DimensionRow:
    return DimensionRow(
        key=dimension.key,
        name=dimension.name,
        metric=dimension.metric,
        unit=dimension.unit,
        direction=dimension.direction,
        tracked=dimension.tracked,
        target=dimension.target,
        actual=dimension.actual,
        achievement=dimension.achievement,
        met=dimension.met,
        analysis=dimension.analysis,
        goal_id=dimension.goal_id,
        id=dimension.pk,
    )


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _from_json(data: dict) -> dict:
    return {
        key: (_decimal(value) if key not in ("name", "channel_id") else value) for key, value in data.items()
    }


def report_for(campaign: Campaign) -> EvaluationReport | None:
    return (
        EvaluationReport.objects.filter(campaign_id=campaign.pk)
        .select_related("submitted_by", "decided_by", "meeting")
        .prefetch_related("dimensions", "approvals__actor")
        .first()
    )


def evaluation_for(*, campaign: Campaign, report: EvaluationReport | None = None) -> EvaluationView:
    """The report of the campaign: live figures while a draft (or not started), frozen once submitted."""
    report = report if report is not None else report_for(campaign)
    if report is not None and not report.is_draft:
        return EvaluationView(
            campaign=campaign,
            report=report,
            status=report.status,
            dimensions=[_frozen_row(d) for d in report.dimensions.all()],
            totals={key: _decimal(value) for key, value in report.totals.items()},
            channels=[_from_json(row) for row in report.channels],
        )
    kpis = campaign_kpis(campaign=campaign)
    stored = {d.key: d for d in report.dimensions.all()} if report is not None else {}
    return EvaluationView(
        campaign=campaign,
        report=report,
        status=report.status if report is not None else EvaluationStatus.DRAFT,
        dimensions=live_dimensions(campaign, kpis, stored),
        totals=live_totals(kpis),
        channels=live_channels(kpis),
        days_with_data=kpis.days_with_data,
    )


def dimension_get(*, user, pk) -> EvaluationDimension:
    """One dimension of a report whose campaign the user may see, or NotFound."""
    try:
        dimension = EvaluationDimension.objects.select_related("report__campaign").get(pk=int(pk))
    except (EvaluationDimension.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Evaluation dimension not found."))
    if not permissions.can_view_evaluation(user, dimension.report.campaign):
        raise NotFound(_("Evaluation dimension not found."))
    return dimension


def is_approved(campaign: Campaign) -> bool:
    return EvaluationReport.objects.filter(campaign_id=campaign.pk, status=EvaluationStatus.APPROVED).exists()


def reports_waiting(*, user) -> list[EvaluationReport]:
    """Submitted evaluation reports this user decides (management, administrators), oldest first."""
    if not user.is_authenticated or not any(user.has_role(role) for role in permissions.DECIDER_ROLES):
        return []
    submitted = (
        EvaluationReport.objects.filter(status=EvaluationStatus.SUBMITTED)
        .select_related("campaign", "campaign__department", "submitted_by")
        .order_by("submitted_at", "pk")
    )
    return [item for item in submitted if permissions.can_decide_evaluation(user, item.campaign)]
