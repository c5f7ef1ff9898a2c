"""Clicks and conversions into the daily metrics of the link's channel (DailyMetric).

The roll-up is additive: each run adds the clicks, conversions and revenue stored since the last
run to whatever the channel's row for that day holds (numbers imported or typed in stay and the
link's counts come on top). A later import of that channel and day replaces the columns its file
has, because an import carries the platform's totals. So give links of a platform whose export
you import their own channel (e.g. "朋友圈 · 短链") when you do not want them added to the
platform's numbers.

Only human clicks count (bots are stored, never added). Clicks and conversions on a day the
campaign takes no data (outside its dates, or before preparation / after close-out) are kept but
marked as not counted, as are groups the metrics service refuses (its message is logged).

The write goes through metrics.services.daily_metric_save, with its checks, its audit event and its
after-import hooks (alerts). That service needs a user who may write the campaign's data; the
roll-up acts as the campaign's owner, else a project manager, else a data analyst or administrator.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max, Sum

from campaignflow.accounts.choices import OrgRole
from campaignflow.accounts.models import User
from campaignflow.campaigns.choices import MemberRole
from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import ApplicationError
from campaignflow.metrics import calc
from campaignflow.metrics import permissions as metric_permissions
from campaignflow.metrics import services as metric_services
from campaignflow.metrics.models import DailyMetric

from .choices import Rollup
from .models import Click, Conversion

logger = logging.getLogger(__name__)


def rollup_pending() -> int:
    """Add every pending click and conversion to its channel's day; returns the groups written."""
    groups: dict[tuple[int, int, dt.date], dict] = defaultdict(lambda: {"click": 0, "conversion": 0})
    clicks = (
        Click.objects.filter(rollup=Rollup.PENDING)
        .values_list("link__campaign_id", "link__channel_id", "day")
        .annotate(last=Max("id"))
        .order_by()
    )
    for campaign_id, channel_id, day, last in clicks:
        groups[(campaign_id, channel_id, day)]["click"] = last
    conversions = (
        Conversion.objects.filter(rollup=Rollup.PENDING)
        .values_list("link__campaign_id", "link__channel_id", "day")
        .annotate(last=Max("id"))
        .order_by()
    )
    for campaign_id, channel_id, day, last in conversions:
        groups[(campaign_id, channel_id, day)]["conversion"] = last
    written = 0
    for (campaign_id, channel_id, day), last in sorted(groups.items(), key=lambda item: item[0]):
        written += _rollup_group(campaign_id, channel_id, day, last["click"], last["conversion"])
    return written


def _rollup_group(
    campaign_id: int, channel_id: int, day: dt.date, last_click: int, last_conversion: int
) -> int:
    with transaction.atomic():
        # The campaign lock is the one every writer of its daily data takes: the read-add-write below
        # cannot interleave with an import or another roll-up of the same campaign.
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None:
            return 0
        scope = {"link__campaign_id": campaign_id, "link__channel_id": channel_id, "day": day}
        clicks = Click.objects.filter(rollup=Rollup.PENDING, id__lte=last_click, **scope)
        conversions = Conversion.objects.filter(rollup=Rollup.PENDING, id__lte=last_conversion, **scope)
        click_count = clicks.count() if last_click else 0
        totals = conversions.aggregate(count=Count("id"), value=Sum("value")) if last_conversion else {}
        conversion_count, value = totals.get("count") or 0, totals.get("value") or Decimal(0)
        if not click_count and not conversion_count:
            return 0
        outcome = Rollup.SKIPPED
        if _takes_data(campaign, day):
            outcome = _add(campaign, channel_id, day, click_count, conversion_count, value)
        clicks.update(rollup=outcome)
        conversions.update(rollup=outcome)
        return 1 if outcome == Rollup.DONE else 0


def _takes_data(campaign: Campaign, day: dt.date) -> bool:
    if campaign.status not in metric_permissions.DATA_STATUSES:
        return False
    if campaign.start_date is None or campaign.end_date is None:
        return False
    return campaign.start_date <= day <= campaign.end_date


def _add(campaign: Campaign, channel_id: int, day: dt.date, clicks: int, conversions: int, value: Decimal):
    actor = rollup_actor(campaign)
    if actor is None:
        logger.warning("links roll-up: nobody may write the daily data of campaign %s", campaign.pk)
        return Rollup.SKIPPED
    metric = DailyMetric.objects.filter(campaign_id=campaign.pk, channel_id=channel_id, date=day).first()
    data = {name: getattr(metric, name) for name in (*calc.BASE_MEASURES, "note")} if metric else {}
    if data.get("conversions") and not data.get("clicks"):
        # The day's data counts conversions without clicks (a store: clicks are not measured, and
        # 0 means so). QR scans there are not the funnel's clicks: adding them would make the day
        # claim a click-through funnel it does not have. They stay in the link's own statistics.
        clicks = 0
    data["clicks"] = (data.get("clicks") or 0) + clicks
    data["conversions"] = (data.get("conversions") or 0) + conversions
    data["revenue"] = (data.get("revenue") or Decimal(0)) + value
    data |= {"date": day, "channel": channel_id}
    try:
        with transaction.atomic():
            metric_services.daily_metric_save(campaign=campaign, actor=actor, data=data)
    except ApplicationError as exc:
        logger.warning(
            "links roll-up of campaign %s, channel %s, %s refused: %s", campaign.pk, channel_id, day, exc
        )
        return Rollup.SKIPPED
    return Rollup.DONE


def rollup_actor(campaign: Campaign) -> User | None:
    """Who the roll-up writes as: the owner, else a project manager, else an analyst or administrator."""
    candidates = [campaign.owner]
    candidates += [
        m.user
        for m in campaign.members.filter(role=MemberRole.PROJECT_MANAGER, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    ]
    candidates += list(
        User.objects.filter(is_active=True, roles__role__in=[OrgRole.DATA_ANALYST, OrgRole.ADMIN])
        .distinct()
        .order_by("pk")[:5]
    )
    for user in candidates:
        if user is not None and metric_permissions.can_write_metrics(user, campaign):
            return user
    return None
