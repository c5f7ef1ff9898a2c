"""Personas and data for the reports tests (see tests/conftest.py for the shared personas).

live          live campaign 2024-06-01 – 2024-06-30 (30 days) owned by the planner, with a project
              manager (pm) and a viewer; goals: revenue 300,000, CVR 50 %, CPA ≤ 40
moments/store two channels with data on 06-09 and 06-10 (the numbers of tests/reports/test_daily.py)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation

from campaignflow.campaigns.models import CampaignMember, Goal
from campaignflow.metrics.models import DailyMetric
from tests.factories import CampaignFactory, ChannelFactory, UserFactory

START, END = dt.date(2024, 6, 1), dt.date(2024, 6, 30)
DAY = dt.date(2024, 6, 10)


@pytest.fixture(autouse=True)
def _no_language_leak():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def moments(db):
    return ChannelFactory(name="朋友圈", kind="paid_social")


@pytest.fixture
def store(db):
    return ChannelFactory(name="线下门店", kind="offline_store", online=False)


@pytest.fixture
def pm(marketing):
    return UserFactory(username="pm", department=marketing, roles=["member"])


@pytest.fixture
def viewer(sales):
    return UserFactory(username="viewer", department=sales, roles=["member"])


@pytest.fixture
def live(planner, marketing, pm, viewer):
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
    CampaignMember.objects.create(campaign=campaign, user=viewer, role="viewer")
    for metric, name, target, direction in (
        ("revenue", "Sales", "300000", "higher"),
        ("cvr", "Conversion rate", "0.5", "higher"),
        ("cpa", "Cost per paying user", "40", "lower"),
    ):
        Goal.objects.create(
            campaign=campaign,
            metric=metric,
            name=name,
            target=Decimal(target),
            direction=direction,
            deadline=END,
        )
    return campaign


def metric(campaign, channel, day, **values) -> DailyMetric:
    return DailyMetric.objects.create(campaign=campaign, channel=channel, date=day, **values)


@pytest.fixture
def table_3(live, moments, store):
    """Two days of two channels (hand-computed figures in test_daily.py)."""
    metric(
        live,
        moments,
        dt.date(2024, 6, 9),
        impressions=40000,
        clicks=800,
        conversions=30,
        revenue=Decimal("6000"),
        cost=Decimal("1000"),
    )
    metric(
        live,
        moments,
        DAY,
        impressions=50000,
        clicks=1050,
        conversions=35,
        new_users=56,
        revenue=Decimal("7000"),
        cost=Decimal("1400"),
    )
    metric(
        live,
        store,
        dt.date(2024, 6, 9),
        visits=2500,
        conversions=200,
        revenue=Decimal("40000"),
        cost=Decimal("800"),
    )
    metric(
        live,
        store,
        DAY,
        visits=2000,
        conversions=160,
        new_users=160,
        revenue=Decimal("32000"),
        cost=Decimal("800"),
        note="客流低于预期20%",
    )
    return live
