"""Where a variant's visitors, conversions and revenue come from, one reader per DataSource.

A reader takes the experiment and its variants and returns {variant id: Counts}. Adding the
tracked-link source means one more reader here (clicks as visitors, conversions and their value)
and a nullable link on Variant; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from campaignflow.metrics.models import DailyMetric

from .choices import DataSource
from .models import Experiment, Variant


@dataclass(frozen=True)
class Counts:
    visitors: int
    conversions: int
    revenue: Decimal
    revenue_sum_squares: Decimal | None  # None: not known (revenue per visitor cannot be tested)


def manual(experiment: Experiment, variants: Sequence[Variant]) -> dict[int, Counts]:
    """The counts entered on the page or PUT through the API."""
    return {
        v.pk: Counts(v.visitors, v.conversions, v.revenue, v.revenue_sum_squares if v.visitors else None)
        for v in variants
    }


def daily_metrics(experiment: Experiment, variants: Sequence[Variant]) -> dict[int, Counts]:
    """Each variant's channel's daily data while the test ran: clicks plus store visits as visitors.

    Daily totals carry no per-visitor spread, so revenue per visitor cannot be tested from them
    (the service refuses that combination).
    """
    rows = DailyMetric.objects.filter(
        campaign_id=experiment.campaign_id, channel_id__in=[v.channel_id for v in variants if v.channel_id]
    )
    if experiment.started_at:
        rows = rows.filter(date__gte=timezone.localdate(experiment.started_at))
    if experiment.stopped_at:
        rows = rows.filter(date__lte=timezone.localdate(experiment.stopped_at))
    totals = {
        row["channel_id"]: row
        for row in rows.values("channel_id").annotate(
            clicks=Sum("clicks"), visits=Sum("visits"), conversions=Sum("conversions"), revenue=Sum("revenue")
        )
    }
    result = {}
    for v in variants:
        row = totals.get(v.channel_id) or {}
        visitors = (row.get("clicks") or 0) + (row.get("visits") or 0)
        conversions = min(row.get("conversions") or 0, visitors)
        result[v.pk] = Counts(visitors, conversions, Decimal(row.get("revenue") or 0), None)
    return result


READERS: dict[str, Callable[[Experiment, Sequence[Variant]], dict[int, Counts]]] = {
    DataSource.MANUAL: manual,
    DataSource.DAILY_METRICS: daily_metrics,
}


def observations(experiment: Experiment, variants: Sequence[Variant]) -> dict[int, Counts]:
    return READERS[experiment.data_source](experiment, variants)
