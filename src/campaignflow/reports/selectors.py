"""Reads of the reports app: stored daily reports, interim reviews and the marketing calendar."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from campaignflow.campaigns import permissions as campaign_permissions
from campaignflow.campaigns.choices import CampaignStatus
from campaignflow.campaigns.models import Campaign, Milestone
from campaignflow.campaigns.schemas import MAX_ID
from campaignflow.core.errors import NotFound

from .models import DailyReport, InterimReview, InterimReviewItem


def daily_reports_for(*, campaign: Campaign) -> QuerySet[DailyReport]:
    return DailyReport.objects.filter(campaign=campaign).select_related("generated_by").order_by("-day")


def reviews_for(*, campaign: Campaign) -> QuerySet[InterimReview]:
    return (
        InterimReview.objects.filter(campaign=campaign)
        .select_related("created_by", "finalised_by")
        .order_by("-period_to", "-id")
    )


def _id(pk) -> int:
    try:
        value = int(pk)
    except (TypeError, ValueError):
        return 0
    return value if 0 < value <= MAX_ID else 0


def daily_report_get(*, user, pk) -> DailyReport:
    report = DailyReport.objects.select_related("campaign").filter(pk=_id(pk)).first()
    if report is None or not campaign_permissions.can_view(user, report.campaign):
        raise NotFound(_("Daily report not found."))
    return report


def review_get(*, user, pk) -> InterimReview:
    """One review whose campaign the user may see; NotFound otherwise (missing and hidden alike)."""
    review = (
        InterimReview.objects.select_related("campaign", "campaign__department", "created_by")
        .filter(pk=_id(pk))
        .first()
    )
    if review is None or not campaign_permissions.can_view(user, review.campaign):
        raise NotFound(_("Interim review not found."))
    return review


def item_get(*, user, pk) -> InterimReviewItem:
    item = (
        InterimReviewItem.objects.select_related("review", "review__campaign", "review__created_by")
        .filter(pk=_id(pk))
        .first()
    )
    if item is None or not campaign_permissions.can_view(user, item.review.campaign):
        raise NotFound(_("Interim review item not found."))
    return item


# --- marketing calendar ------------------------------------------------------------------------------


@dataclass
class Marker:
    day: int  # 1-based column of the month
    label: str
    kind: str  # launch, milestone


@dataclass
class Bar:
    """A campaign's days within the month: grid columns first_day .. first_day + span - 1."""

    campaign: Campaign
    first_day: int
    span: int
    continues_before: bool
    continues_after: bool
    markers: list[Marker] = field(default_factory=list)


@dataclass
class Overlap:
    """Two campaigns running on the same days: a possible clash of promotions."""

    first: Campaign
    second: Campaign
    start: dt.date
    end: dt.date
    days: int
    days_in_month: int


@dataclass
class CalendarMonth:
    month: dt.date  # its first day
    days: list[dt.date]
    bars: list[Bar]
    overlaps: list[Overlap]
    busy: dict[int, int]  # 1-based day -> number of campaigns running
    previous: dt.date
    next: dt.date


def month_start(value: dt.date) -> dt.date:
    return value.replace(day=1)


def shift_month(month: dt.date, delta: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + delta
    return dt.date(index // 12, index % 12 + 1, 1)


def overlaps_of(campaigns: list[Campaign], first: dt.date, last: dt.date) -> list[Overlap]:
    """Every pair whose date ranges share days: a sweep over campaigns sorted by start."""
    ordered = sorted(campaigns, key=lambda c: (c.start_date, c.end_date, c.pk))
    result = []
    for index, one in enumerate(ordered):
        for other in ordered[index + 1 :]:
            if other.start_date > one.end_date:
                break  # sorted by start: no later campaign starts before this one ends
            start, end = max(one.start_date, other.start_date), min(one.end_date, other.end_date)
            in_month = (min(end, last) - max(start, first)).days + 1
            result.append(Overlap(one, other, start, end, (end - start).days + 1, max(in_month, 0)))
    result.sort(key=lambda o: (o.start, -o.days, o.first.pk, o.second.pk))
    return result


def calendar_month(*, user, month: dt.date) -> CalendarMonth:
    """The campaigns the user may see that run in the month (cancelled ones left out), as bars
    with their launch and milestones, and the pairs that overlap. Three queries."""
    first = month_start(month)
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    campaigns = list(
        campaign_permissions.visible_campaigns(user)
        .exclude(status=CampaignStatus.CANCELLED)
        .filter(start_date__isnull=False, end_date__isnull=False, start_date__lte=last, end_date__gte=first)
        .select_related("department")
        .order_by("start_date", "end_date", "id")
    )
    milestones: dict[int, list[Milestone]] = {}
    for milestone in Milestone.objects.filter(
        campaign_id__in=[c.pk for c in campaigns], date__gte=first, date__lte=last
    ).order_by("date", "id"):
        milestones.setdefault(milestone.campaign_id, []).append(milestone)
    bars = []
    busy = dict.fromkeys(range(1, last.day + 1), 0)
    for campaign in campaigns:
        start, end = max(campaign.start_date, first), min(campaign.end_date, last)
        markers = []
        if first <= campaign.start_date <= last:
            markers.append(Marker(campaign.start_date.day, _("Launch"), "launch"))
        markers += [Marker(m.date.day, m.name, "milestone") for m in milestones.get(campaign.pk, [])]
        for day in range(start.day, end.day + 1):
            busy[day] += 1
        bars.append(
            Bar(
                campaign=campaign,
                first_day=start.day,
                span=(end - start).days + 1,
                continues_before=campaign.start_date < first,
                continues_after=campaign.end_date > last,
                markers=markers,
            )
        )
    return CalendarMonth(
        month=first,
        days=[first + dt.timedelta(days=offset) for offset in range(last.day)],
        bars=bars,
        overlaps=overlaps_of(campaigns, first, last),
        busy=busy,
        previous=shift_month(first, -1),
        next=shift_month(first, 1),
    )
