"""The marketing calendar: campaigns on a month timeline and the promotions that overlap."""

from __future__ import annotations

import datetime as dt

import pytest

from campaignflow.campaigns.models import Milestone
from campaignflow.reports import selectors
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def june(planner, marketing, sales, outsider):
    def make(name, start, end, department=marketing, status="live"):
        return CampaignFactory(
            name=name,
            owner=outsider if department == sales else planner,
            department=department,
            status=status,
            start_date=start,
            end_date=end,
        )

    return {
        "618": make("618大促", dt.date(2024, 6, 1), dt.date(2024, 6, 20)),
        "summer": make("暑期冰饮", dt.date(2024, 6, 15), dt.date(2024, 7, 31)),
        "may": make("五一促销", dt.date(2024, 4, 25), dt.date(2024, 6, 2)),
        "later": make("中秋", dt.date(2024, 9, 1), dt.date(2024, 9, 17)),
        "cancelled": make("取消的活动", dt.date(2024, 6, 5), dt.date(2024, 6, 25), status="cancelled"),
        "sales": make("销售部活动", dt.date(2024, 6, 10), dt.date(2024, 6, 12), department=sales),
    }


def test_it_shows_the_months_campaigns_as_bars_with_launch_and_milestones(june, planner):
    Milestone.objects.create(campaign=june["618"], name="中期复盘", date=dt.date(2024, 6, 10))

    plan = selectors.calendar_month(user=planner, month=dt.date(2024, 6, 18))

    bars = {bar.campaign.name: bar for bar in plan.bars}
    assert list(bars) == ["五一促销", "618大促", "暑期冰饮"]  # not cancelled, not September, not Sales'
    assert (bars["五一促销"].first_day, bars["五一促销"].span, bars["五一促销"].continues_before) == (
        1,
        2,
        True,
    )
    assert (bars["暑期冰饮"].first_day, bars["暑期冰饮"].span, bars["暑期冰饮"].continues_after) == (
        15,
        16,
        True,
    )
    assert [(m.day, m.kind, m.label) for m in bars["618大促"].markers] == [
        (1, "launch", "Launch"),
        (10, "milestone", "中期复盘"),
    ]
    assert (plan.busy[1], plan.busy[3], plan.busy[16]) == (2, 1, 2)
    assert (plan.previous, plan.next) == (dt.date(2024, 5, 1), dt.date(2024, 7, 1))


def test_overlaps_list_the_days_two_campaigns_share(june, planner):
    plan = selectors.calendar_month(user=planner, month=dt.date(2024, 6, 1))

    assert [
        (o.first.name, o.second.name, o.start, o.end, o.days, o.days_in_month) for o in plan.overlaps
    ] == [
        ("五一促销", "618大促", dt.date(2024, 6, 1), dt.date(2024, 6, 2), 2, 2),
        ("618大促", "暑期冰饮", dt.date(2024, 6, 15), dt.date(2024, 6, 20), 6, 6),
    ]


def test_an_organization_wide_reader_sees_every_department(june, analyst):
    plan = selectors.calendar_month(user=analyst, month=dt.date(2024, 6, 1))

    assert "销售部活动" in [bar.campaign.name for bar in plan.bars]
    assert ("618大促", "销售部活动", 3) in [(o.first.name, o.second.name, o.days) for o in plan.overlaps]


def test_the_page_renders_the_grid_and_navigates_by_month(client, june, planner):
    client.force_login(planner)

    response = client.get("/reports/calendar/", {"month": "2024-06"})
    bad = client.get("/reports/calendar/", {"month": "0001-01"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Marketing calendar · 2024-06" in html
    assert "grid-column: 16 / span 16" in html  # 暑期冰饮 from June 15 to the month's end
    assert "?month=2024-05" in html and "?month=2024-07" in html
    assert "2024-06-15 – 2024-06-20" in html
    assert 'href="/reports/calendar/" class="active"' in html
    assert bad.status_code == 200
