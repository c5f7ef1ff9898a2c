"""Data of the crash tests; they commit for real (transactional_db), since other processes and
threads must see the rows."""

from __future__ import annotations

import datetime as dt

import pytest

from campaignflow.campaigns.models import CampaignMember
from tests.factories import CampaignFactory, ChannelFactory, UserFactory

# Seven years up to a year ahead: room for 2,500 days of history and for tasks planned from today.
START = dt.date.today() - dt.timedelta(days=2600)
END = dt.date.today() + dt.timedelta(days=400)


@pytest.fixture
def long_campaign(transactional_db, planner, marketing):
    """Live for eight years, so one channel export can hold tens of thousands of distinct rows."""
    campaign = CampaignFactory(
        owner=planner,
        department=marketing,
        name="Evergreen tea club",
        status="live",
        number="MC-2020-0001",
        start_date=START,
        end_date=END,
    )
    return campaign


@pytest.fixture
def pm(transactional_db, long_campaign, marketing):
    user = UserFactory(username="pm", department=marketing, roles=["member"])
    CampaignMember.objects.create(campaign=long_campaign, user=user, role="project_manager")
    return user


@pytest.fixture
def channels(transactional_db):
    return [ChannelFactory(name=f"Crash channel {n:02d}", kind="paid_social") for n in range(20)]
