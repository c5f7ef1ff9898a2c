"""Huey job of the reports app: the morning daily data report of every live campaign.

It runs every hour rather than once at 07:00 because Huey's crontab reads UTC while the morning
is the organization's: from MORNING_HOUR local time on, each live campaign without a report for
yesterday gets one. A worker that was down at seven catches up at its next run, and a report that
exists is not generated twice (the digest goes out once per campaign and day in any case).
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from campaignflow.accounts.models import Organization
from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import ApplicationError

from . import permissions, services
from .models import DailyReport

logger = logging.getLogger(__name__)
MORNING_HOUR = 7


def _local_now() -> dt.datetime:
    try:
        zone = zoneinfo.ZoneInfo(Organization.current().timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = timezone.get_current_timezone()
    return timezone.now().astimezone(zone)


def generate_morning_reports(now: dt.datetime | None = None) -> list[int]:
    """Yesterday's report for each live campaign that has none yet; returns the report ids."""
    now = now or _local_now()
    if now.hour < MORNING_HOUR:
        return []
    yesterday = now.date() - dt.timedelta(days=1)
    done = DailyReport.objects.filter(day=yesterday).values("campaign_id")
    campaigns = (
        Campaign.objects.filter(status__in=permissions.LIVE_STATUSES, start_date__lte=yesterday)
        .exclude(end_date__lt=yesterday)
        .exclude(pk__in=done)
        .select_related("owner")
        .order_by("pk")
    )
    created = []
    for campaign in campaigns:
        try:
            created.append(services.daily_report_generate(campaign=campaign, day=yesterday).pk)
        except ApplicationError as exc:  # one campaign's problem must not stop the others
            logger.warning("daily report of %s for %s refused: %s", campaign.pk, yesterday, exc)
    return created


@db_periodic_task(crontab(minute="5"))
def daily_reports_morning() -> int:
    return len(generate_morning_reports())
