"""Private iCalendar feeds per user and per campaign, reachable only with the user's token."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from icalendar import Calendar

from campaignflow.campaigns.models import Milestone
from campaignflow.execution import services
from tests.factories import CampaignFactory

from .conftest import make_task

pytestmark = pytest.mark.django_db


def events(response) -> dict[str, tuple]:
    calendar = Calendar.from_ical(response.content)
    return {
        str(event["summary"]): (event.decoded("dtstart"), event.decoded("dtend"), str(event["uid"]))
        for event in calendar.walk("VEVENT")
    }


def test_my_feed_has_my_tasks_and_my_campaigns_dates_and_milestones(client, campaign, doer, planner):
    task = make_task(campaign, doer, name="Poster design", start=(2026, 11, 24), finish=(2026, 11, 26))
    make_task(campaign, planner, name="Not mine")
    token = services.calendar_token_get(user=doer).token

    response = client.get(reverse("execution:calendar_personal", args=[token]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert events(response) == {
        "Poster design": (dt.date(2026, 11, 24), dt.date(2026, 11, 27), f"task-{task.pk}@campaignflow"),
        "Spring tea launch starts": (
            dt.date(2026, 12, 1),
            dt.date(2026, 12, 2),
            f"campaign-{campaign.pk}-start@campaignflow",
        ),
        "Spring tea launch ends": (
            dt.date(2026, 12, 31),
            dt.date(2027, 1, 1),
            f"campaign-{campaign.pk}-end@campaignflow",
        ),
        "◆ Launch": (
            dt.date(2026, 12, 1),
            dt.date(2026, 12, 2),
            f"milestone-{Milestone.objects.get().pk}@campaignflow",
        ),
    }


def test_the_campaign_feed_has_every_task(client, campaign, doer, planner):
    make_task(campaign, doer, name="Poster design")
    make_task(
        campaign,
        planner,
        name="Samples confirmed",
        start=(2026, 11, 28),
        finish=(2026, 11, 28),
        is_milestone=True,
    )
    token = services.calendar_token_get(user=doer).token

    response = client.get(reverse("execution:calendar_campaign", args=[token, campaign.pk]))

    assert {"Poster design", "◆ Samples confirmed"} <= set(events(response))


def test_a_wrong_or_reset_token_and_an_invisible_campaign_are_404(
    client, campaign, outsider, doer, marketing
):
    old = services.calendar_token_get(user=doer).token
    services.calendar_token_reset(user=doer)
    outsider_token = services.calendar_token_get(user=outsider).token
    hidden = CampaignFactory(department=marketing, owner=doer)

    assert client.get(reverse("execution:calendar_personal", args=[old])).status_code == 404
    assert client.get(reverse("execution:calendar_personal", args=["guess"])).status_code == 404
    assert (
        client.get(reverse("execution:calendar_campaign", args=[outsider_token, campaign.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("execution:calendar_campaign", args=[outsider_token, hidden.pk])).status_code
        == 404
    )


def test_tokens_are_long_random_and_per_user(doer, planner):
    first, second = services.calendar_token_get(user=doer), services.calendar_token_get(user=planner)

    assert len(first.token) >= 43
    assert first.token != second.token
    assert services.calendar_token_get(user=doer).token == first.token
