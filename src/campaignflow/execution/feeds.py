"""Private iCalendar feeds: tasks, milestones and campaign dates for any calendar app.

Each event has a stable UID, so a calendar that re-reads the feed updates events instead of
duplicating them. Tasks and dates are all-day events (DTEND is the day after, as RFC 5545 says).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from campaignflow.campaigns.models import Campaign, Milestone

from .models import Task

DOMAIN = "campaignflow"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//CampaignFlow//Execution//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(uid: str, summary: str, start: dt.date, finish: dt.date, description: str = "") -> Event:
    event = Event()
    event.add("uid", f"{uid}@{DOMAIN}")
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", finish + dt.timedelta(days=1))
    event.add("dtstamp", timezone.now())
    if description:
        event.add("description", description)
    return event


def _task_event(task: Task) -> Event:
    prefix = "◆ " if task.is_milestone else ""
    lines = [
        f"{task.campaign.name}",
        _("Owner: %(owner)s") % {"owner": task.owner},
        _("Status: %(status)s") % {"status": task.get_shown_status_display()},
    ]
    if task.delay_reason:
        lines.append(_("Delay reason: %(reason)s") % {"reason": task.delay_reason})
    return _event(
        f"task-{task.pk}", f"{prefix}{task.name}", task.planned_start, task.planned_finish, "\n".join(lines)
    )


def _campaign_events(campaign: Campaign, milestones: list[Milestone]) -> list[Event]:
    events = []
    if campaign.start_date:
        events.append(
            _event(
                f"campaign-{campaign.pk}-start",
                _("%(campaign)s starts") % {"campaign": campaign.name},
                campaign.start_date,
                campaign.start_date,
            )
        )
    if campaign.end_date:
        events.append(
            _event(
                f"campaign-{campaign.pk}-end",
                _("%(campaign)s ends") % {"campaign": campaign.name},
                campaign.end_date,
                campaign.end_date,
            )
        )
    for milestone in milestones:
        events.append(
            _event(
                f"milestone-{milestone.pk}",
                f"◆ {milestone.name}",
                milestone.date,
                milestone.date,
                campaign.name,
            )
        )
    return events


def campaign_feed(*, campaign: Campaign) -> bytes:
    """Every task of the campaign, its milestones and its start and end dates."""
    calendar = _calendar(str(campaign))
    tasks = Task.objects.filter(campaign=campaign).select_related("owner")
    for task in tasks:
        task.campaign = campaign
        calendar.add_component(_task_event(task))
    for event in _campaign_events(campaign, list(campaign.milestones.all())):
        calendar.add_component(event)
    return calendar.to_ical()


def personal_feed(*, user, campaigns: list[Campaign]) -> bytes:
    """The user's own tasks, plus the milestones and dates of the campaigns they are on."""
    calendar = _calendar(_("CampaignFlow · %(user)s") % {"user": user})
    by_pk = {campaign.pk: campaign for campaign in campaigns}
    for task in Task.objects.filter(owner=user, campaign_id__in=by_pk).select_related("owner"):
        task.campaign = by_pk[task.campaign_id]
        calendar.add_component(_task_event(task))
    milestones: dict[int, list[Milestone]] = {pk: [] for pk in by_pk}
    for milestone in Milestone.objects.filter(campaign_id__in=by_pk):
        milestones[milestone.campaign_id].append(milestone)
    for campaign in campaigns:
        for event in _campaign_events(campaign, milestones[campaign.pk]):
            calendar.add_component(event)
    return calendar.to_ical()
