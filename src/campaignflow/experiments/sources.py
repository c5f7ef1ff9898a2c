"""Where a variant's visitors, conversions and revenue come from, one reader per DataSource.

A reader takes the experiment and its variants and returns {variant id: Counts}.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from campaignflow.links import buffer as click_buffer
from campaignflow.links.models import Click, Conversion
from campaignflow.metrics.models import DailyMetric

from .choices import DataSource
from .models import Experiment, Variant

logger = logging.getLogger(__name__)


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


def _flush_local_clicks() -> None:
    """Write the clicks this process still holds in memory, so the counts include them.

    Only the in-process MemoryBuffer is flushed (one bulk insert, nothing when it is empty). A
    Redis buffer is left to its periodic flush (at most a minute behind): flushing it takes a
    lock other flushers may hold, and a results page must not wait on that. A failed write
    leaves the clicks buffered and the page shows the stored ones.
    """
    buffer = click_buffer.get_buffer()
    if not isinstance(buffer, click_buffer.MemoryBuffer) or not buffer.pending():
        return
    try:
        buffer.flush()
    except Exception:
        logger.exception("writing buffered clicks before reading A/B test counts failed")


def tracked_link(experiment: Experiment, variants: Sequence[Variant]) -> dict[int, Counts]:
    """Each variant's tracked link while the test ran (started_at until stopped_at, or now).

    - visitors: unique human visitors of the link, i.e. distinct visitor hashes of its clicks
      with bots left out. The hash's salt changes daily, so someone who comes back on another
      day counts again (as in the links app's own numbers).
    - conversions: conversions posted back for the link in the window, at most the visitors.
    - revenue: the sum of those conversions' values.
    - revenue_sum_squares: Σ (revenue per visitor)². Conversions that name their click are added
      up per visitor (the click's visitor hash) before squaring; a conversion without a click
      counts as a visitor of its own (its value squared). The sum is never less than
      revenue² / visitors, the least any split over that many visitors can give.

    A test that has not started has no counts yet.
    """
    empty = Counts(0, 0, Decimal(0), None)
    links = {v.link_id for v in variants if v.link_id}
    if experiment.started_at is None or not links:
        return {v.pk: empty for v in variants}
    _flush_local_clicks()
    window = {"at__gte": experiment.started_at}
    if experiment.stopped_at:
        window["at__lte"] = experiment.stopped_at
    visitors = dict(
        Click.objects.filter(link_id__in=links, is_bot=False, **window)
        .values("link_id")
        .annotate(n=Count("visitor", distinct=True))
        .values_list("link_id", "n")
        .order_by()
    )
    conversions: dict[int, int] = defaultdict(int)
    revenue: dict[int, Decimal] = defaultdict(Decimal)
    per_visitor: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    squares: dict[int, Decimal] = defaultdict(Decimal)
    rows = (
        Conversion.objects.filter(link_id__in=links, **window)
        .values_list("link_id", "value", "click__visitor")
        .order_by()
    )
    for link_id, value, visitor in rows.iterator():
        conversions[link_id] += 1
        revenue[link_id] += value
        if visitor:
            per_visitor[link_id][visitor] += value
        else:
            squares[link_id] += value * value
    result = {}
    for v in variants:
        seen = visitors.get(v.link_id, 0) if v.link_id else 0
        if not seen:
            result[v.pk] = Counts(0, 0, revenue.get(v.link_id, Decimal(0)), None)
            continue
        total = revenue.get(v.link_id, Decimal(0))
        sum_squares = squares.get(v.link_id, Decimal(0)) + sum(
            (amount * amount for amount in per_visitor.get(v.link_id, {}).values()), Decimal(0)
        )
        sum_squares = max(sum_squares, total * total / seen)
        result[v.pk] = Counts(seen, min(conversions.get(v.link_id, 0), seen), total, sum_squares)
    return result


READERS: dict[str, Callable[[Experiment, Sequence[Variant]], dict[int, Counts]]] = {
    DataSource.MANUAL: manual,
    DataSource.DAILY_METRICS: daily_metrics,
    DataSource.TRACKED_LINK: tracked_link,
}


def observations(experiment: Experiment, variants: Sequence[Variant]) -> dict[int, Counts]:
    return READERS[experiment.data_source](experiment, variants)
