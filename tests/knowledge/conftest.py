"""Archived campaigns for the knowledge-base tests (see tests/conftest.py for the personas).

archived       the planner's Marketing campaign "中国农业发展银行联名信用卡推广", archived, with a goal on
               revenue and CTR, two channels of daily data, a log entry and a project manager (pm)
archive(...)   make any campaign archived and freeze it, the way the archive transition does
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from campaignflow.campaigns.choices import CampaignStatus
from campaignflow.campaigns.models import BudgetLine, Campaign, CampaignMember, Goal
from campaignflow.execution.models import LogEntry
from campaignflow.knowledge import services
from campaignflow.metrics.models import DailyMetric
from tests.factories import CampaignFactory, ChannelFactory, UserFactory, ready_plan

START = dt.date(2025, 9, 1)


@pytest.fixture
def pm(marketing):
    return UserFactory(username="pm", department=marketing, roles=["member"])


@pytest.fixture
def moments(db):
    return ChannelFactory(name="微信朋友圈", kind="paid_social")


@pytest.fixture
def douyin(db):
    return ChannelFactory(name="抖音", kind="paid_social")


def add_day(campaign, channel, day, **measures):
    return DailyMetric.objects.create(campaign=campaign, channel=channel, date=day, **measures)


def archive(campaign: Campaign, actor=None):
    """Archived status and its knowledge entry, as after the archive transition."""
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.ARCHIVED)
    campaign.refresh_from_db()
    return services.knowledge_entry_create(campaign=campaign, actor=actor)


def make_campaign(owner, department, name, background="", core_message="", **kwargs):
    return ready_plan(
        CampaignFactory(
            owner=owner,
            department=department,
            name=name,
            background=background,
            core_message=core_message,
            start_date=kwargs.pop("start_date", START),
            end_date=kwargs.pop("end_date", START + dt.timedelta(days=29)),
            **kwargs,
        )
    )


@pytest.fixture
def bank_campaign(planner, marketing, pm, moments, douyin):
    campaign = make_campaign(
        planner,
        marketing,
        "中国农业发展银行联名信用卡推广",
        background="与中国农业发展银行合作推出联名信用卡，面向县域农业客户，目标新增持卡用户两万。",
        core_message="好茶配好卡",
        template="holiday_promotion",
        number="MC-2025-0007",
    )
    CampaignMember.objects.create(campaign=campaign, user=pm, role="project_manager", group="渠道组")
    Goal.objects.create(
        campaign=campaign,
        metric="ctr",
        name="点击率",
        target=Decimal("0.02"),
        unit="ratio",
        deadline=campaign.end_date,
    )
    BudgetLine.objects.create(
        campaign=campaign, category="promotion", channel=moments, amount=Decimal("30000")
    )
    BudgetLine.objects.create(
        campaign=campaign, category="promotion", channel=douyin, amount=Decimal("20000")
    )
    add_day(
        campaign,
        moments,
        START,
        impressions=50_000,
        clicks=1_000,
        conversions=40,
        cost=Decimal("2000"),
        revenue=Decimal("10400"),
    )
    add_day(
        campaign,
        moments,
        START + dt.timedelta(days=1),
        impressions=50_000,
        clicks=1_100,
        conversions=37,
        cost=Decimal("2000"),
        revenue=Decimal("9600"),
    )
    add_day(
        campaign,
        douyin,
        START,
        impressions=100_000,
        clicks=1_600,
        conversions=45,
        cost=Decimal("4500"),
        revenue=Decimal("8100"),
    )
    LogEntry.objects.create(
        campaign=campaign,
        kind="issue",
        description="抖音素材审核延迟",
        handling="改投朋友圈",
        result="曝光恢复",
        author=planner,
    )
    return campaign


@pytest.fixture
def archived(bank_campaign, pm):
    return archive(bank_campaign, pm)
