"""Personas, a frozen clock and a live campaign for the alerts tests (see tests/conftest.py).

live_campaign  live, 2024-06-01 – 2024-06-30, Marketing, owned by the planner; goals: CVR 3.5 %,
               CPA ¥40 (lower is better), revenue ¥300,000 over the 30 days
pm             the campaign's project manager: answers its alerts, manages its rules
teammate       plain team member (Sales): reads
viewer         campaign viewer (Sales): reads
sales_head     head of Sales: not the campaign's department, never told of its escalations
outsider       Sales, not on the team: sees nothing (404)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from campaignflow.campaigns.models import CampaignMember, Goal
from campaignflow.metrics.models import DailyMetric
from tests.factories import CampaignFactory, ChannelFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
START, END = dt.date(2024, 6, 1), dt.date(2024, 6, 30)
NOW = dt.datetime(2024, 6, 11, 9, 0, tzinfo=SHANGHAI)


class Clock:
    """timezone.now frozen at `at`; move it with `clock.at = ...` or `clock.advance(hours=...)`."""

    def __init__(self, at: dt.datetime):
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, **delta) -> dt.datetime:
        self.at += dt.timedelta(**delta)
        return self.at


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Freeze django.utils.timezone.now (and so localdate) at NOW, as tests/execution does for today."""
    from django.utils import timezone

    frozen = Clock(NOW)
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


@pytest.fixture
def moments(db):
    return ChannelFactory(name="朋友圈", kind="paid_social")


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
def viewer(sales):
    return UserFactory(username="viewer", department=sales, roles=["member"])


@pytest.fixture
def sales_head(sales):
    return UserFactory(username="sales_head", department=sales, roles=["department_head"])


@pytest.fixture
def live_campaign(planner, marketing, pm, teammate, viewer):
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
    CampaignMember.objects.create(campaign=campaign, user=viewer, role="viewer")
    for metric, target, direction in (
        ("cvr", "0.035", "higher"),
        ("cpa", "40", "lower"),
        ("revenue", "300000", "higher"),
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


def record(campaign, channel, day: dt.date, **measures) -> DailyMetric:
    """One day of one channel, written straight to the table (evaluation tests set up with it)."""
    metric, _created = DailyMetric.objects.update_or_create(
        campaign=campaign, channel=channel, date=day, defaults=measures
    )
    return metric
