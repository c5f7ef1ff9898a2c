"""Tracked links for the demo campaigns: made through the services like the project manager would,
with clicks and conversions on the days so far, rolled up into the daily metrics.

Registered with campaigns.demo.register_before_action. Before a campaign is launched (after the
metrics demo filled its days), its first two budgeted channels each get a link; every day from the
start to yesterday gets clicks (a few from bots, some visitors twice) and a few conversions. The
numbers come from a generator seeded by the campaign's name, so a reload produces the same data.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import secrets
import zlib
from decimal import Decimal

from django.utils import timezone

from campaignflow.campaigns.models import BudgetLine, Campaign
from campaignflow.core.errors import ApplicationError

from . import services, tracking
from .buffer import ClickRecord, store
from .choices import UaClass
from .rollup import rollup_pending

logger = logging.getLogger(__name__)

PM = "liu.pm"
UTM = {  # channel name → (utm_source, utm_medium)
    "微信朋友圈": ("wechat", "paid_social"),
    "抖音": ("douyin", "paid_social"),
    "小红书": ("xiaohongshu", "kol"),
    "百度搜索": ("baidu", "cpc"),
    "天猫旗舰店": ("tmall", "display"),
    "线下门店": ("offline", "poster"),
}
TARGET = "https://www.qinglan-tea.example/spring?from=campaignflow"


def before_action(*, campaign: Campaign, action: str, users: dict) -> None:
    if action != "launch":
        return
    actor = users.get(PM)
    if actor is None:
        return
    campaign = Campaign.objects.get(pk=campaign.pk)
    try:
        fill(campaign=campaign, actor=actor, until=timezone.localdate() - dt.timedelta(days=1))
    except ApplicationError as exc:
        logger.warning("demo links for %s refused: %s", campaign, exc)


def fill(*, campaign: Campaign, actor, until: dt.date) -> int:
    """Links with clicks and conversions up to `until`; returns the number of links made."""
    channels = []
    for line in BudgetLine.objects.filter(campaign=campaign, channel__isnull=False).select_related("channel"):
        if line.channel not in channels:
            channels.append(line.channel)
    rng = random.Random(zlib.crc32(campaign.name.encode()))  # noqa: S311 - demo numbers
    made = []
    for channel in channels[:2]:
        source, medium = UTM.get(channel.name, ("partner", "referral"))
        link = services.link_create(
            campaign=campaign,
            actor=actor,
            data={
                "channel": channel,
                "name": f"{campaign.name} · {channel.name}",
                "target_url": TARGET,
                "utm_source": source,
                "utm_medium": medium,
                "utm_content": "poster" if medium == "poster" else "banner",
            },
        )
        made.append(link)
        _traffic(link, campaign, until, rng)
    rollup_pending()
    return len(made)


def _traffic(link, campaign: Campaign, until: dt.date, rng: random.Random) -> None:
    if campaign.start_date is None:
        return
    day, last = campaign.start_date, min(until, campaign.end_date or until)
    records, conversions = [], []
    while day <= last:
        noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
        visitors = [f"10.0.{rng.randrange(256)}.{rng.randrange(256)}" for _ in range(rng.randint(20, 60))]
        for index, ip in enumerate(visitors):
            for _repeat in range(2 if index % 5 == 0 else 1):  # one in five comes back the same day
                at = noon + dt.timedelta(minutes=rng.randrange(-600, 600))
                ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0"
                records.append(
                    ClickRecord(
                        link.pk, at.timestamp(), tracking.visitor_hash(ip, ua, day), UaClass.MOBILE, False, ""
                    )
                )
        for _bot in range(rng.randint(1, 4)):
            records.append(
                ClickRecord(link.pk, noon.timestamp(), secrets.token_hex(16), UaClass.BOT, True, "")
            )
        for number in range(rng.randint(0, 3)):
            conversions.append(
                (f"DEMO-{link.code}-{day:%Y%m%d}-{number}", Decimal(rng.choice((128, 199, 268))), noon)
            )
        day += dt.timedelta(days=1)
    store(records)
    for external_id, value, at in conversions:
        services.conversion_record(link=link, external_id=external_id, value=value, at=at)
