"""Personas for the A/B test tests (see tests/conftest.py for the shared ones).

live_campaign  live, owned by the planner, with a project manager (pm), a plain member (teammate)
               and a viewer (watcher)
"""

from __future__ import annotations

import datetime as dt

import pytest

from campaignflow.campaigns.models import CampaignMember
from tests.factories import CampaignFactory, UserFactory


@pytest.fixture
def pm(sales):
    return UserFactory(username="pm", department=sales, roles=["member"])


@pytest.fixture
def teammate(sales):
    return UserFactory(username="teammate", department=sales, roles=["member"])


@pytest.fixture
def watcher(sales):
    return UserFactory(username="watcher", department=sales, roles=["member"])


@pytest.fixture
def live_campaign(planner, marketing, pm, teammate, watcher):
    campaign = CampaignFactory(
        owner=planner,
        department=marketing,
        name="618 tea festival",
        status="live",
        number="MC-2024-0007",
        start_date=dt.date(2024, 6, 1),
        end_date=dt.date(2024, 6, 30),
    )
    CampaignMember.objects.create(campaign=campaign, user=pm, role="project_manager")
    CampaignMember.objects.create(campaign=campaign, user=teammate, role="member")
    CampaignMember.objects.create(campaign=campaign, user=watcher, role="viewer")
    return campaign


DESIGN = {
    "name": "Headline test",
    "hypothesis": "A price-led headline raises orders",
    "metric": "conversion_rate",
    "mde": 0.1,
    "baseline_rate": 0.05,
    "daily_visitors": 2000,
    "variants": [{"name": "A", "is_control": True}, {"name": "B"}],
}
