"""Similar past campaigns for a plan, and channel benchmarks (medians) from the archive."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from campaignflow.knowledge import selectors

from .conftest import add_day, archive, make_campaign

pytestmark = pytest.mark.django_db


def test_a_plan_finds_the_archived_campaigns_that_share_its_words(archived, planner, marketing):
    make_campaign(planner, marketing, "夏季新品茶饮抖音直播", background="抖音直播带货，主推新品冷泡茶。")
    plan = make_campaign(
        planner,
        marketing,
        "农业发展银行信用卡客户回馈",
        background="与农业发展银行信用卡中心合作，回馈持卡客户。",
    )

    similar = selectors.similar_entries(user=planner, campaign=plan)

    assert [item.entry for item in similar] == [archived]
    assert "农业发展银行" in similar[0].shared


def test_the_most_similar_comes_first(planner, marketing):
    close = archive(
        make_campaign(planner, marketing, "中秋礼盒促销", background="中秋礼盒 天猫 促销 礼盒 预售"), planner
    )
    far = archive(
        make_campaign(planner, marketing, "门店会员活动", background="会员 积分 门店 礼盒"), planner
    )
    plan = make_campaign(planner, marketing, "今年中秋礼盒促销", background="中秋 礼盒 天猫 预售")

    assert [item.entry for item in selectors.similar_entries(user=planner, campaign=plan)] == [close, far]


def test_similar_campaigns_respect_visibility_and_skip_the_campaign_itself(
    archived, outsider, sales, planner
):
    plan = make_campaign(outsider, sales, "农业发展银行合作", background="农业发展银行")
    assert selectors.similar_entries(user=outsider, campaign=plan) == []
    assert selectors.similar_entries(user=planner, campaign=archived.campaign) == []


def test_benchmarks_are_medians_per_channel(planner, marketing, moments, douyin):
    for index, (clicks, conversions, cost) in enumerate(
        [(1000, 50, 1000), (2000, 40, 2000), (3000, 10, 1500)]
    ):
        campaign = make_campaign(planner, marketing, f"活动{index}")
        add_day(
            campaign,
            moments,
            dt.date(2025, 1, 1),
            impressions=100_000,
            clicks=clicks,
            conversions=conversions,
            cost=Decimal(cost),
        )
        archive(campaign, planner)
    lone = make_campaign(planner, marketing, "只有抖音")
    add_day(lone, douyin, dt.date(2025, 1, 1), impressions=0, clicks=0, conversions=0, cost=Decimal("10"))
    archive(lone, planner)

    benchmarks = {b.channel: b for b in selectors.channel_benchmarks(user=planner)}

    assert benchmarks["微信朋友圈"].campaigns == 3
    assert benchmarks["微信朋友圈"].ctr == Decimal("0.02")  # 1 %, 2 %, 3 %
    assert benchmarks["微信朋友圈"].cvr == Decimal("0.02")  # 5 %, 2 %, 0.33 %
    assert benchmarks["微信朋友圈"].cpa == Decimal("50")  # 20, 50, 150
    assert (benchmarks["抖音"].ctr, benchmarks["抖音"].cvr, benchmarks["抖音"].cpa) == (None, None, None)
    assert [b.channel for b in selectors.channel_benchmarks(user=planner, channel="抖音")] == ["抖音"]


def test_benchmarks_only_count_entries_one_may_see(archived, outsider):
    assert selectors.channel_benchmarks(user=outsider) == []
