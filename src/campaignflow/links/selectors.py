"""Reads of tracked links and their numbers. Counts are of stored clicks (the buffer is written
within seconds, or within a minute with Redis); bots are counted apart and never as traffic."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from campaignflow.core.errors import NotFound

from . import permissions
from .models import Click, Conversion, TrackedLink

MAX_ID = 2**63 - 1


def _count(queryset, expression) -> Subquery:
    return Coalesce(Subquery(queryset.annotate(n=expression).values("n")[:1], output_field=IntegerField()), 0)


def link_list(*, campaign) -> QuerySet[TrackedLink]:
    """The campaign's links with clicks (human), unique visitors, bot clicks, conversions and revenue."""
    clicks = Click.objects.filter(link=OuterRef("pk")).order_by().values("link")
    conversions = Conversion.objects.filter(link=OuterRef("pk")).order_by().values("link")
    return (
        TrackedLink.objects.filter(campaign=campaign)
        .select_related("channel")
        .annotate(
            click_count=_count(clicks.filter(is_bot=False), Count("id")),
            visitor_count=_count(clicks.filter(is_bot=False), Count("visitor", distinct=True)),
            bot_count=_count(clicks.filter(is_bot=True), Count("id")),
            conversion_count=_count(conversions, Count("id")),
            revenue=Coalesce(
                Subquery(conversions.annotate(v=Sum("value")).values("v")[:1]),
                Value(Decimal("0")),
                output_field=DecimalField(max_digits=16, decimal_places=2),
            ),
        )
        .order_by("-created_at", "-id")
    )


def link_get(*, user, pk) -> TrackedLink:
    """One link the user may see (through its campaign), or NotFound."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Link not found."))
    link = None
    if 0 < pk <= MAX_ID:
        link = TrackedLink.objects.select_related("campaign", "channel").filter(pk=pk).first()
    if link is None or not permissions.can_view_links(user, link.campaign):
        raise NotFound(_("Link not found."))
    return link


@dataclass
class DayStats:
    date: dt.date
    clicks: int = 0
    unique_visitors: int = 0
    bot_clicks: int = 0
    conversions: int = 0
    revenue: Decimal = Decimal("0.00")


@dataclass
class LinkStats:
    clicks: int = 0
    unique_visitors: int = 0
    bot_clicks: int = 0
    conversions: int = 0
    revenue: Decimal = Decimal("0.00")
    by_client: dict[str, int] = field(default_factory=dict)
    days: list[DayStats] = field(default_factory=list)

    @property
    def conversion_rate(self) -> float | None:
        """Conversions per human click (CVR as seed 003 defines it)."""
        return self.conversions / self.clicks if self.clicks else None


def link_stats(*, link: TrackedLink) -> LinkStats:
    """Totals, clients and the numbers per day. A visitor is counted once per day (the salt rotates)."""
    human = Q(is_bot=False)
    per_day = (
        Click.objects.filter(link=link)
        .values("day")
        .annotate(
            clicks=Count("id", filter=human),
            visitors=Count("visitor", filter=human, distinct=True),
            bots=Count("id", filter=Q(is_bot=True)),
        )
        .order_by("day")
    )
    days: dict[dt.date, DayStats] = {}
    for row in per_day:
        days[row["day"]] = DayStats(row["day"], row["clicks"], row["visitors"], row["bots"])
    for row in (
        Conversion.objects.filter(link=link).values("day").annotate(n=Count("id"), v=Sum("value")).order_by()
    ):
        day = days.setdefault(row["day"], DayStats(row["day"]))
        day.conversions, day.revenue = row["n"], row["v"] or Decimal("0.00")
    ordered = [days[day] for day in sorted(days)]
    by_client = dict(
        Click.objects.filter(link=link).values_list("ua_class").annotate(n=Count("id")).order_by("ua_class")
    )
    return LinkStats(
        clicks=sum(d.clicks for d in ordered),
        unique_visitors=sum(d.unique_visitors for d in ordered),
        bot_clicks=sum(d.bot_clicks for d in ordered),
        conversions=sum(d.conversions for d in ordered),
        revenue=sum((d.revenue for d in ordered), Decimal("0.00")),
        by_client=by_client,
        days=ordered,
    )
