"""Daily channel data for the demo campaigns, entered through the services like a data analyst would.

Registered with campaigns.demo.register_before_action. Before a campaign is launched (and again
before it closes, for the days since) every channel it budgets for gets a row per day from the
campaign's start to yesterday, with numbers shaped like Table 3 of seed 003: WeChat Moments
around 50,000 impressions at 2.1 % CTR and 3.5 % CVR, the store with foot traffic instead of
clicks. One day per campaign carries an anomaly and a note. The numbers come from a generator
seeded by the campaign and channel names, so a reload produces the same data.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import zlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from campaignflow.campaigns.models import BudgetLine, Campaign
from campaignflow.core.errors import ApplicationError

from . import services

logger = logging.getLogger(__name__)

ANALYST = "chen.analyst"


@dataclass(frozen=True)
class Profile:
    """A typical day of one channel for a tea-drinks brand."""

    impressions: int
    ctr: float
    cvr: float
    order_value: int  # yuan per paying user
    new_users_per_conversion: float
    lead_rate: float = 0.0  # leads per click
    visits: int = 0  # foot traffic, for stores
    store_conversion: float = 0.0  # paying visitors per visit


PROFILES = {
    "微信朋友圈": Profile(50_000, 0.021, 0.035, 260, 1.6, lead_rate=0.04),
    "抖音": Profile(120_000, 0.016, 0.028, 180, 1.9, lead_rate=0.02),
    "小红书": Profile(40_000, 0.032, 0.040, 210, 1.5, lead_rate=0.06),
    "百度搜索": Profile(20_000, 0.045, 0.050, 230, 1.2, lead_rate=0.08),
    "天猫旗舰店": Profile(80_000, 0.030, 0.060, 240, 1.1),
    "线下门店": Profile(0, 0.0, 0.0, 200, 1.0, visits=2_000, store_conversion=0.08),
}
DEFAULT_PROFILE = Profile(30_000, 0.02, 0.03, 200, 1.5)

# What went wrong on the anomalous day, per channel: (impressions/visits factor, note).
ANOMALIES = {
    "线下门店": (0.8, "客流低于预期20%（暴雨）"),
    "抖音": (0.55, "素材审核延迟，曝光下降约45%"),
}
DEFAULT_ANOMALY = (0.6, "渠道排期冲突，曝光下降约40%")


def before_action(*, campaign: Campaign, action: str, users: dict) -> None:
    """Fill the days so far before launch and before close; other actions need no data."""
    if action not in ("launch", "close"):
        return
    analyst = users.get(ANALYST)
    if analyst is None:
        return
    # The demo keeps its own instance while the lifecycle services save fresh copies: read the state.
    campaign = Campaign.objects.get(pk=campaign.pk)
    try:
        fill(campaign=campaign, actor=analyst, until=timezone.localdate() - dt.timedelta(days=1))
    except ApplicationError as exc:
        logger.warning("demo metrics for %s refused: %s", campaign, exc)


def fill(*, campaign: Campaign, actor, until: dt.date) -> int:
    """Rows for every budgeted channel from the start to `until` (within the campaign); returns the count."""
    if campaign.start_date is None or campaign.end_date is None:
        return 0
    last = min(until, campaign.end_date)
    if last < campaign.start_date:
        return 0
    lines = BudgetLine.objects.filter(campaign=campaign, channel__isnull=False).select_related("channel")
    spend = {}
    for line in lines:
        spend[line.channel] = spend.get(line.channel, Decimal(0)) + line.amount
    if not spend:
        return 0
    days = (campaign.end_date - campaign.start_date).days + 1
    anomaly_day = campaign.start_date + dt.timedelta(days=min(3, (last - campaign.start_date).days))
    by_name = {channel.name: channel for channel in spend}
    anomaly_channel = next((by_name[name] for name in ANOMALIES if name in by_name), None) or min(
        spend, key=lambda channel: channel.name
    )
    rows = []
    for channel, budget in sorted(spend.items(), key=lambda item: item[0].name):
        rng = random.Random(zlib.crc32(f"{campaign.name}|{channel.name}".encode()))  # noqa: S311 - demo numbers
        daily_budget = budget / days
        day = campaign.start_date
        while day <= last:
            anomalous = day == anomaly_day and channel == anomaly_channel
            rows.append(
                _row(channel, day, PROFILES.get(channel.name, DEFAULT_PROFILE), daily_budget, rng, anomalous)
            )
            day += dt.timedelta(days=1)
    services.daily_metrics_upsert(campaign=campaign, actor=actor, rows=rows)
    return len(rows)


def _row(
    channel, day: dt.date, profile: Profile, daily_budget: Decimal, rng: random.Random, anomalous: bool
) -> dict:
    swing = rng.uniform(0.8, 1.2) * (1.1 if day.weekday() >= 5 else 1.0)
    factor, note = ANOMALIES.get(channel.name, DEFAULT_ANOMALY) if anomalous else (1.0, "")
    cost = (daily_budget * Decimal(str(round(rng.uniform(0.75, 1.0), 3)))).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    if profile.visits:
        visits = int(profile.visits * swing * factor)
        conversions = round(visits * profile.store_conversion * rng.uniform(0.9, 1.1))
        impressions = clicks = leads = 0
    else:
        visits = 0
        impressions = int(profile.impressions * swing * factor)
        clicks = round(impressions * profile.ctr * rng.uniform(0.85, 1.15))
        conversions = round(clicks * profile.cvr * rng.uniform(0.85, 1.15))
        leads = round(clicks * profile.lead_rate)
    mqls = round(leads * 0.4)
    return {
        "date": day,
        "channel": channel.pk,
        "impressions": impressions,
        "clicks": clicks,
        "conversions": conversions,
        "new_users": round(conversions * profile.new_users_per_conversion),
        "revenue": Decimal(conversions * profile.order_value),
        "cost": cost,
        "leads": leads,
        "mqls": mqls,
        "opportunities": round(mqls * 0.3),
        "visits": visits,
        "negative_comments": rng.randint(0, 6),
        "note": note,
    }
