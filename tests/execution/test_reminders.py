"""Reminders: tasks due within 24 hours and overdue tasks, each told once per deadline."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from campaignflow.campaigns.models import Campaign
from campaignflow.execution.models import Task
from campaignflow.execution.services.reminders import task_reminders_send
from campaignflow.notifications.models import Notification

from .conftest import make_task

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MORNING = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)  # "today" of the execution tests


def live(campaign):
    Campaign.objects.filter(pk=campaign.pk).update(status="live")


def told(event):
    return sorted(Notification.objects.filter(event=event).values_list("recipient__username", "title"))


def test_the_owner_hears_about_a_task_due_today_but_not_one_due_in_two_days(campaign, planner, doer):
    live(campaign)
    make_task(campaign, doer, name="Print posters", start=(2026, 11, 20), finish=(2026, 11, 23))
    make_task(campaign, doer, name="Brief the stores", start=(2026, 11, 20), finish=(2026, 11, 24))

    count = task_reminders_send(now=MORNING)

    assert (count.due_soon, count.overdue) == (1, 0)
    assert told("task.due_soon") == [("doer", "Due within 24 hours: Print posters")]


def test_tomorrows_task_is_due_soon_once_the_last_24_hours_begin(campaign, doer):
    live(campaign)
    make_task(campaign, doer, name="Brief the stores", start=(2026, 11, 20), finish=(2026, 11, 24))

    assert task_reminders_send(now=dt.datetime(2026, 11, 23, 23, 0, tzinfo=SHANGHAI)).due_soon == 0
    assert task_reminders_send(now=dt.datetime(2026, 11, 24, 0, 30, tzinfo=SHANGHAI)).due_soon == 1


def test_an_overdue_task_is_reported_to_its_owner_and_the_campaign_managers_once(campaign, planner, pm, doer):
    live(campaign)
    task = make_task(campaign, doer, name="Book the venue", start=(2026, 11, 10), finish=(2026, 11, 20))

    first = task_reminders_send(now=MORNING)
    again = task_reminders_send(now=MORNING + dt.timedelta(hours=1))

    assert (first.overdue, again.overdue) == (1, 0)
    assert [name for name, _title in told("task.overdue")] == ["doer", "planner", "pm"]

    # A new plan date is a new deadline: missing it is news again.
    Task.objects.filter(pk=task.pk).update(planned_finish=dt.date(2026, 11, 21))
    assert task_reminders_send(now=MORNING).overdue == 1


def test_done_tasks_and_campaigns_not_yet_approved_stay_quiet(campaign, planner, doer):
    make_task(
        campaign, doer, name="Draft", start=(2026, 11, 10), finish=(2026, 11, 20)
    )  # campaign is a draft
    count = task_reminders_send(now=MORNING)
    assert (count.due_soon, count.overdue) == (0, 0)

    live(campaign)
    Task.objects.update(status="done", actual_finish=dt.date(2026, 11, 20))
    count = task_reminders_send(now=MORNING)
    assert (count.due_soon, count.overdue) == (0, 0)
    assert not Notification.objects.exists()
