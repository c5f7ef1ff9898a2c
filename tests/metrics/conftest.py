"""Personas and data for the metrics tests (see tests/conftest.py for the shared personas).

live_campaign  live, 2024-06-01 – 2024-06-30, owned by the planner, with a project manager (pm)
               and a plain team member (teammate); goals on revenue, CVR, CPA and negative comments
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation

from campaignflow.campaigns.models import CampaignMember, Goal
from tests.factories import CampaignFactory, ChannelFactory, UserFactory

START, END = dt.date(2024, 6, 1), dt.date(2024, 6, 30)


@pytest.fixture
def moments(db):
    return ChannelFactory(name="朋友圈", kind="paid_social")


@pytest.fixture
def store(db):
    return ChannelFactory(name="线下门店", kind="offline_store", online=False)


@pytest.fixture
def douyin(db):
    return ChannelFactory(name="抖音", kind="paid_social")


@pytest.fixture
def pm(marketing):
    return UserFactory(username="pm", department=marketing, roles=["member"])


@pytest.fixture
def teammate(sales):
    return UserFactory(username="teammate", department=sales, roles=["member"])


@pytest.fixture
def live_campaign(planner, marketing, pm, teammate):
    campaign = CampaignFactory(
        owner=planner,
        department=marketing,
        name="618 tea festival",
        status="live",
        number="MC-2024-0007",
        start_date=START,
        end_date=END,
    )
    CampaignMember.objects.create(campaign=campaign, user=pm, role="project_manager")
    CampaignMember.objects.create(campaign=campaign, user=teammate, role="member")
    for metric, target, direction in (
        ("revenue", "100000", "higher"),
        ("cvr", "0.035", "higher"),
        ("cpa", "40", "lower"),
        ("negative_comments", "50", "lower"),
        ("brand_search_index", "0.3", "higher"),
    ):
        Goal.objects.create(
            campaign=campaign,
            metric=metric,
            name=metric,
            target=Decimal(target),
            direction=direction,
            deadline=END,
        )
    return campaign


@pytest.fixture(autouse=True)
def _no_language_leak():
    """Requests here use Accept-Language; later tests in the thread must not inherit the language."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
