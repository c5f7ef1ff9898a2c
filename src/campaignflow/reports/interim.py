"""The interim review (阶段性复盘报告): what a review is prefilled with, and its report.

Seed 003: mid-campaign the marketing lead compares the stage targets with the actual data,
analyses why a target was missed, adjusts the strategy and records the adjustment with its
expected effect. A review is prefilled with one item per SMART goal of the campaign and one per
core KPI that no goal covers; actuals are the period's figures from metrics.selectors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import NotFound
from campaignflow.metrics import calc, selectors

from . import registry
from .daily import kind_of, stem
from .models import InterimReview, InterimReviewItem
from .registry import PERCENT, Column, Document, Section, Table

# The KPIs every review looks at even without a goal on them (seed 003: CTR, CVR; seed 004: CPA, ROAS).
CORE_KPIS = ("ctr", "cvr", "cpa", "roas")
TARGET_PLACES = Decimal("0.0001")


@dataclass
class ItemDraft:
    goal: object
    metric: str
    name: str
    unit: str
    direction: str
    stage_target: Decimal | None
    actual: Decimal | None


def period_actuals(campaign: Campaign, period_from: dt.date, period_to: dt.date) -> dict[str, Decimal | None]:
    """Every base measure and derived metric over the period, by key."""
    kpis = selectors.campaign_kpis(campaign=campaign, date_from=period_from, date_to=period_to)
    return {**kpis.totals.measures, **kpis.totals.metrics}


def stage_target(campaign: Campaign, goal, is_cumulative: bool, period_from, period_to) -> Decimal | None:
    """A goal counted up over the campaign gets the period's pro-rata share of its target; a rate
    or a lower-is-better limit applies as it is."""
    if goal.target is None:
        return None
    if not is_cumulative or not campaign.start_date or not campaign.end_date:
        return goal.target
    total = (campaign.end_date - campaign.start_date).days + 1
    days = (period_to - period_from).days + 1
    share = min(calc.ratio(days, total) or Decimal(0), Decimal(1))
    return (goal.target * share).quantize(TARGET_PLACES, rounding=ROUND_HALF_UP)


def prefill(campaign: Campaign, period_from: dt.date, period_to: dt.date) -> list[ItemDraft]:
    definitions = {d.key: d for d in selectors.metric_definitions()}
    actuals = period_actuals(campaign, period_from, period_to)
    drafts = []
    for goal in campaign.goals.order_by("id"):
        definition = definitions.get(goal.metric)
        unit = definition.unit if definition else calc.COUNT
        direction = definition.direction if definition else goal.direction
        cumulative = bool(definition and definition.is_base)
        drafts.append(
            ItemDraft(
                goal=goal,
                metric=goal.metric,
                name=goal.name or (definition.name if definition else goal.metric),
                unit=unit,
                direction=direction,
                stage_target=stage_target(campaign, goal, cumulative, period_from, period_to),
                actual=actuals.get(goal.metric) if definition else None,
            )
        )
    covered = {draft.metric for draft in drafts}
    for key in CORE_KPIS:
        definition = definitions.get(key)
        if definition is None or key in covered:
            continue
        drafts.append(
            ItemDraft(
                None, key, definition.name, definition.unit, definition.direction, None, actuals.get(key)
            )
        )
    return drafts


def achievement(item: InterimReviewItem) -> Decimal | None:
    return calc.achievement(item.actual, item.stage_target, item.direction)


def item_kind(item: InterimReviewItem) -> str:
    return kind_of(item.metric, item.unit)


def document(review: InterimReview) -> Document:
    campaign = review.campaign
    items = list(review.items.all())
    rows = [
        [
            item.name,
            item.metric,
            registry.display(item.stage_target, item_kind(item)),
            registry.display(item.actual, item_kind(item)),
            achievement(item),
            item.cause,
            item.adjustment,
            item.expected_effect,
        ]
        for item in items
    ]
    period = f"{review.period_from.isoformat()} – {review.period_to.isoformat()}"
    meta = [
        (_("Campaign"), f"{campaign.number or ''} {campaign.name}".strip()),
        (_("Period"), period),
        (_("Status"), review.get_status_display()),
        (_("Prepared by"), str(review.created_by)),
    ]
    if review.finalised_at:
        meta.append((_("Finalised"), review.finalised_at.date()))
    return Document(
        kind="interim",
        title=f"{_('Interim review')} · {campaign.name} · {period}",
        filename=f"{stem(campaign)}-interim-{review.period_to.isoformat()}",
        meta=meta,
        sections=[
            Section(_("Summary"), paragraphs=[review.summary or registry.EMPTY]),
            Section(
                _("Stage targets and actuals"),
                [
                    Table(
                        [
                            Column("item", _("Metric or goal")),
                            Column("metric", _("Key")),
                            Column("stage_target", _("Stage target")),
                            Column("actual", _("Actual")),
                            Column("achievement", _("Achievement"), PERCENT),
                            Column("cause", _("Cause")),
                            Column("adjustment", _("Adjustment")),
                            Column("expected_effect", _("Expected effect")),
                        ],
                        rows,
                    )
                ],
            ),
        ],
    )


def build(*, campaign: Campaign, request: registry.Request) -> Document:
    """The review named by `review`, else the campaign's latest one."""
    reviews = InterimReview.objects.filter(campaign=campaign).select_related("campaign", "created_by")
    review = (
        reviews.filter(pk=request.review_id).first()
        if request.review_id
        else reviews.order_by("-period_to", "-id").first()
    )
    if review is None:
        raise NotFound(_("Interim review not found."))
    review.campaign = campaign
    return document(review)
