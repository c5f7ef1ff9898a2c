"""Reads of metric data: definitions, a campaign's daily rows, its KPIs and the portfolio.

Sums are taken in the database, one GROUP BY query per breakdown (totals, per channel, per day);
derived metrics are then computed from those sums by calc, never averaged over days. The number
of queries does not depend on how many rows a campaign has.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from campaignflow.campaigns import permissions as campaign_permissions
from campaignflow.campaigns.choices import CampaignStatus
from campaignflow.campaigns.models import BudgetLine, Campaign, Goal

from . import calc
from .models import Channel, DailyMetric, MetricDefinition

SUMS = {name: Sum(name) for name in calc.BASE_MEASURES}
PORTFOLIO_STATUSES = (
    CampaignStatus.PREPARING,
    CampaignStatus.LIVE,
    CampaignStatus.OPTIMIZING,
    CampaignStatus.CLOSING,
    CampaignStatus.ARCHIVED,
)


def metric_definitions() -> list[MetricDefinition]:
    """Every definition of the organization, base measures first."""
    return list(MetricDefinition.objects.order_by("position", "key"))


def daily_metric_list(
    *,
    campaign: Campaign,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    channel_id: int | None = None,
) -> QuerySet[DailyMetric]:
    qs = DailyMetric.objects.filter(campaign_id=campaign.pk).select_related("channel")
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    if channel_id:
        qs = qs.filter(channel_id=channel_id)
    return qs.order_by("date", "channel__name", "id")


# --- KPIs of one campaign ----------------------------------------------------------------------------


@dataclass
class Breakdown:
    """Summed base measures of a group of rows and the metrics derived from them."""

    measures: dict[str, Decimal]
    metrics: dict[str, Decimal | None]


@dataclass
class ChannelKpis(Breakdown):
    channel_id: int = 0
    name: str = ""
    kind: str = ""
    online: bool = True
    days: int = 0


@dataclass
class DayKpis(Breakdown):
    date: dt.date | None = None


@dataclass
class FunnelStep:
    key: str
    name: str
    value: Decimal
    rate: Decimal | None  # from the previous step; None for the first


@dataclass
class GoalKpi:
    goal: Goal
    definition: MetricDefinition
    actual: Decimal | None
    achievement: Decimal | None
    met: bool | None


@dataclass
class ChannelReturnRow:
    channel_id: int
    name: str
    cost: Decimal
    value: Decimal | None  # return per yuan on the comparison's basis


@dataclass
class Comparison:
    basis: str | None  # "roas", "conversions_per_cost" or None (no spend or no outcome yet)
    ranking: list[ChannelReturnRow]
    shift: calc.BudgetShift | None
    source_name: str = ""
    target_name: str = ""
    rule: str = ""
    advice: str = ""


@dataclass
class Kpis:
    campaign: Campaign
    date_from: dt.date | None
    date_to: dt.date | None
    channel_id: int | None
    definitions: list[MetricDefinition]
    totals: Breakdown
    channels: list[ChannelKpis]
    trend: list[DayKpis]
    funnels: dict[str, list[FunnelStep]]
    goals: list[GoalKpi]
    comparison: Comparison
    days_with_data: int = 0
    units: dict[str, str] = field(default_factory=dict)


def _breakdown(sums: dict, derived: list[calc.Definition]) -> Breakdown:
    measures = calc.measures_of(sums)
    return Breakdown(measures=measures, metrics=calc.derive(measures, derived))


def campaign_kpis(
    *,
    campaign: Campaign,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    channel_id: int | None = None,
) -> Kpis:
    """Totals, per channel, per day, funnels, goal achievement and the channel comparison.

    Five queries whatever the number of rows: definitions, the sums per channel (one GROUP BY),
    the channels' names, the sums per day (one GROUP BY) and the goals. The totals are the sum of
    the per-channel sums: the same numbers as a third scan of the rows, without the scan.
    """
    definitions = metric_definitions()
    by_key = {d.key: d for d in definitions}
    derived = [d.as_definition() for d in definitions if not d.is_base]
    rows = DailyMetric.objects.filter(campaign_id=campaign.pk)
    if date_from:
        rows = rows.filter(date__gte=date_from)
    if date_to:
        rows = rows.filter(date__lte=date_to)
    if channel_id:
        rows = rows.filter(channel_id=channel_id)

    # Grouped by the id alone: joining the channel table row by row before grouping costs more
    # than looking the fifty names up afterwards.
    per_channel = list(rows.values("channel_id").annotate(**SUMS, days=Count("id")).order_by())
    names = {
        channel.pk: channel
        for channel in Channel.objects.filter(pk__in=[row["channel_id"] for row in per_channel]).only(
            "name", "kind", "online"
        )
    }
    channels = []
    for row in per_channel:
        part = _breakdown(row, derived)
        channel = names.get(row["channel_id"])
        channels.append(
            ChannelKpis(
                measures=part.measures,
                metrics=part.metrics,
                channel_id=row["channel_id"],
                name=channel.name if channel else "",
                kind=channel.kind if channel else "",
                online=channel.online if channel else True,
                days=row["days"],
            )
        )
    channels.sort(key=lambda c: (c.name, c.channel_id))
    totals = _breakdown(
        {name: sum((c.measures[name] for c in channels), Decimal(0)) for name in calc.BASE_MEASURES}, derived
    )
    trend = []
    for row in rows.values("date").annotate(**SUMS).order_by("date"):
        part = _breakdown(row, derived)
        trend.append(DayKpis(measures=part.measures, metrics=part.metrics, date=row["date"]))
    days_with_data = len(trend)
    goals = _goal_kpis(campaign, totals, by_key)
    return Kpis(
        campaign=campaign,
        date_from=date_from,
        date_to=date_to,
        channel_id=channel_id,
        definitions=definitions,
        totals=totals,
        channels=channels,
        trend=trend,
        funnels=_funnels(totals, by_key),
        goals=goals,
        comparison=_comparison(channels),
        days_with_data=days_with_data,
        units={d.key: d.unit for d in definitions},
    )


def _name(by_key: dict[str, MetricDefinition], key: str, fallback: str) -> str:
    definition = by_key.get(key)
    return definition.name if definition else fallback


def _funnels(totals: Breakdown, by_key: dict[str, MetricDefinition]) -> dict[str, list[FunnelStep]]:
    """Impressions → clicks → conversions, and leads → MQLs → opportunities, with step rates."""
    measures = totals.measures
    result = {}
    for funnel, keys in (
        ("acquisition", ("impressions", "clicks", "conversions")),
        ("leads", ("leads", "mqls", "opportunities")),
    ):
        steps = []
        for index, key in enumerate(keys):
            rate = calc.ratio(measures[key], measures[keys[index - 1]]) if index else None
            steps.append(FunnelStep(key, _name(by_key, key, key), measures[key], rate))
        result[funnel] = steps
    return result


def _goal_kpis(campaign: Campaign, totals: Breakdown, by_key: dict[str, MetricDefinition]) -> list[GoalKpi]:
    """The campaign's goals whose metric has a definition, against the totals of the window."""
    return _goal_kpis_from(list(campaign.goals.order_by("id")), totals, by_key)


def _comparison(channels: list[ChannelKpis]) -> Comparison:
    returns = [
        calc.ChannelReturn(
            key=channel.channel_id,
            cost=channel.measures["cost"],
            revenue=channel.measures["revenue"],
            conversions=channel.measures["conversions"],
        )
        for channel in channels
    ]
    names = {channel.channel_id: channel.name for channel in channels}
    basis = calc.return_basis(returns)
    ranking = [
        ChannelReturnRow(r.key, names[r.key], r.cost, calc.channel_return(r, basis) if basis else None)
        for r in returns
    ]
    ranking.sort(key=lambda row: (row.value is None, -(row.value or 0), row.name))
    shift = calc.budget_shift(returns)
    comparison = Comparison(basis=basis, ranking=ranking, shift=shift, rule=_rule_text(basis))
    if shift is not None:
        comparison.source_name, comparison.target_name = names[shift.source], names[shift.target]
        comparison.advice = _advice_text(comparison)
    return comparison


def _rule_text(basis: str | None) -> str:
    measure = (
        _("revenue per yuan spent (ROAS)")
        if basis != "conversions_per_cost"
        else _("conversions per yuan spent")
    )
    return _(
        "Channels are compared by %(measure)s in the selected period, as an estimate of the return "
        "of the next yuan. Only channels with at least %(share)s%% of the spend are judged. When the "
        "best returns at least %(gap)s times the worst, move %(move)s%% of the worst channel's spend "
        "in the period to the best one."
    ) % {
        "measure": measure,
        "share": int(calc.MIN_COST_SHARE * 100),
        "gap": calc.MIN_GAP,
        "move": int(calc.SHIFT_SHARE * 100),
    }


def _advice_text(comparison: Comparison) -> str:
    shift = comparison.shift
    if shift.basis == "roas":
        template = _(
            "Move ¥%(amount)s from %(source)s (ROAS %(source_return)s) to %(target)s (ROAS "
            "%(target_return)s); at these returns it would bring about ¥%(gain)s more revenue."
        )
    else:
        template = _(
            "Move ¥%(amount)s from %(source)s (%(source_return)s conversions per yuan) to %(target)s "
            "(%(target_return)s per yuan); at these returns it would bring about %(gain)s more conversions."
        )
    places = 2 if shift.basis == "roas" else 4
    return template % {
        "amount": f"{shift.amount:,.0f}",
        "source": comparison.source_name,
        "target": comparison.target_name,
        "source_return": calc.rounded(shift.source_return, places),
        "target_return": calc.rounded(shift.target_return, places),
        "gain": f"{shift.expected_gain:,.0f}",
    }


# --- portfolio ------------------------------------------------------------------------------------------


@dataclass
class PortfolioRow:
    campaign: Campaign
    budget: Decimal
    spend: Decimal
    revenue: Decimal
    roas: Decimal | None
    spend_share: Decimal | None  # spend / budget
    goals_tracked: int
    goals_met: int
    achievement: Decimal | None  # mean achievement of the tracked goals


def portfolio(*, user, limit: int = 10) -> list[PortfolioRow]:
    """Running and recent campaigns the user may see: budget against spend and goal achievement.

    Four queries: the campaigns with their budget, the sums per campaign, their goals, definitions.
    """
    budget = (
        BudgetLine.objects.filter(campaign=OuterRef("pk"))
        .order_by()
        .values("campaign")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    campaigns = list(
        campaign_permissions.visible_campaigns(user)
        .filter(status__in=PORTFOLIO_STATUSES)
        .select_related("department")
        .annotate(
            budget_sum=Coalesce(
                Subquery(budget, output_field=DecimalField(max_digits=14, decimal_places=2)),
                Decimal("0"),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
        .order_by("-start_date", "-id")[:limit]
    )
    if not campaigns:
        return []
    ids = [c.pk for c in campaigns]
    sums = {
        row["campaign_id"]: row
        for row in DailyMetric.objects.filter(campaign_id__in=ids)
        .values("campaign_id")
        .annotate(**SUMS)
        .order_by()
    }
    goals: dict[int, list[Goal]] = {}
    for goal in Goal.objects.filter(campaign_id__in=ids).order_by("id"):
        goals.setdefault(goal.campaign_id, []).append(goal)
    definitions = {d.key: d for d in metric_definitions()}
    derived = [d.as_definition() for d in definitions.values() if not d.is_base]
    rows = []
    for campaign in campaigns:
        part = _breakdown(sums.get(campaign.pk, {}), derived)
        tracked = _goal_kpis_from(goals.get(campaign.pk, []), part, definitions)
        achievements = [kpi.achievement for kpi in tracked if kpi.achievement is not None]
        rows.append(
            PortfolioRow(
                campaign=campaign,
                budget=campaign.budget_sum,
                spend=part.measures["cost"],
                revenue=part.measures["revenue"],
                roas=part.metrics.get("roas"),
                spend_share=calc.ratio(part.measures["cost"], campaign.budget_sum),
                goals_tracked=len(tracked),
                goals_met=sum(1 for kpi in tracked if kpi.met),
                achievement=sum(achievements, Decimal(0)) / len(achievements) if achievements else None,
            )
        )
    return rows


def _goal_kpis_from(
    goals: list[Goal], totals: Breakdown, by_key: dict[str, MetricDefinition]
) -> list[GoalKpi]:
    """Achievement of each goal with a known metric; the definition says which way is better."""
    result = []
    for goal in goals:
        definition = by_key.get(goal.metric)
        if definition is None:
            continue
        actual = totals.measures.get(goal.metric) if definition.is_base else totals.metrics.get(goal.metric)
        result.append(
            GoalKpi(
                goal=goal,
                definition=definition,
                actual=actual,
                achievement=calc.achievement(actual, goal.target, definition.direction),
                met=calc.goal_met(actual, goal.target, definition.direction),
            )
        )
    return result
