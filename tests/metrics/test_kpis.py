"""GET /api/v1/campaigns/{id}/kpis: totals, channels, trend, funnels, goals and the budget shift."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from campaignflow.metrics.models import DailyMetric
from tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db

D10, D11 = dt.date(2024, 6, 10), dt.date(2024, 6, 11)


@pytest.fixture
def data(live_campaign, moments, douyin, store):
    def row(channel, day, **values):
        DailyMetric.objects.create(campaign=live_campaign, channel=channel, date=day, **values)

    row(
        moments,
        D10,
        impressions=50000,
        clicks=1050,
        conversions=42,
        new_users=175,
        revenue=Decimal("35000"),
        cost=Decimal("10000"),
        leads=100,
        mqls=40,
        opportunities=10,
        negative_comments=3,
    )
    row(
        moments,
        D11,
        impressions=30000,
        clicks=600,
        conversions=18,
        new_users=60,
        revenue=Decimal("21000"),
        cost=Decimal("6000"),
        leads=50,
        mqls=10,
        opportunities=2,
        negative_comments=2,
    )
    row(
        douyin,
        D10,
        impressions=100000,
        clicks=1500,
        conversions=30,
        revenue=Decimal("18000"),
        cost=Decimal("10000"),
        negative_comments=40,
    )
    row(douyin, D11)  # a day with nothing: every ratio has a zero denominator
    row(
        store,
        D10,
        visits=2000,
        conversions=160,
        new_users=160,
        revenue=Decimal("32000"),
        note="客流低于预期20%",
    )
    return live_campaign


def kpis(client, campaign, **query):
    response = client.get(f"/api/v1/campaigns/{campaign.pk}/kpis", query)
    assert response.status_code == 200, response.json()
    return response.json()


def test_it_sums_in_the_database_and_derives_every_metric_from_the_sums(client, planner, data):
    client.force_login(planner)

    body = kpis(client, data)

    assert body["campaign"] == data.pk
    assert (body["from"], body["to"], body["channel"], body["currency"], body["days_with_data"]) == (
        None,
        None,
        None,
        "CNY",
        2,
    )
    assert body["totals"] == {
        "measures": {
            "impressions": 180000,
            "clicks": 3150,
            "conversions": 250,
            "new_users": 395,
            "revenue": "106000.00",
            "cost": "26000.00",
            "leads": 150,
            "mqls": 50,
            "opportunities": 12,
            "visits": 2000,
            "negative_comments": 45,
        },
        "metrics": {
            "ctr": 0.0175,
            "cvr": 0.079365,
            "cpa": "104.00",
            "cpl": "173.33",
            "mql_rate": 0.333333,
            "roas": 4.076923,
            "roi": 3.076923,
        },
    }


def test_it_breaks_down_by_channel_with_null_for_zero_denominators(client, planner, data):
    client.force_login(planner)

    channels = {c["channel"]["name"]: c for c in kpis(client, data)["channels"]}

    assert list(channels) == ["抖音", "朋友圈", "线下门店"]
    assert channels["朋友圈"]["metrics"] == {
        "ctr": 0.020625,
        "cvr": 0.036364,
        "cpa": "266.67",
        "cpl": "106.67",
        "mql_rate": 0.333333,
        "roas": 3.5,
        "roi": 2.5,
    }
    assert channels["线下门店"]["metrics"] == {
        "ctr": None,
        "cvr": None,
        "cpa": "0.00",
        "cpl": None,
        "mql_rate": None,
        "roas": None,
        "roi": None,
    }
    assert channels["抖音"]["days"] == 2
    assert channels["线下门店"]["channel"] == {
        "id": channels["线下门店"]["channel"]["id"],
        "name": "线下门店",
        "kind": "offline_store",
        "online": False,
    }


def test_it_gives_the_daily_trend_and_both_funnels(client, planner, data):
    client.force_login(planner)

    body = kpis(client, data)

    assert [(d["date"], d["measures"]["revenue"], d["metrics"]["roas"]) for d in body["trend"]] == [
        ("2024-06-10", "85000.00", 4.25),
        ("2024-06-11", "21000.00", 3.5),
    ]
    assert body["funnels"] == {
        "acquisition": [
            {"key": "impressions", "name": "Impressions", "value": 180000, "rate": None},
            {"key": "clicks", "name": "Clicks", "value": 3150, "rate": 0.0175},
            {"key": "conversions", "name": "Conversions (paying users)", "value": 250, "rate": 0.079365},
        ],
        "leads": [
            {"key": "leads", "name": "Leads", "value": 150, "rate": None},
            {"key": "mqls", "name": "MQLs", "value": 50, "rate": 0.333333},
            {"key": "opportunities", "name": "Opportunities", "value": 12, "rate": 0.24},
        ],
    }


def test_it_measures_goal_achievement_the_right_way_round(client, planner, data):
    client.force_login(planner)

    goals = kpis(client, data)["goals"]

    assert [
        (g["metric"], g["target"], g["actual"], g["achievement"], g["met"], g["direction"]) for g in goals
    ] == [
        ("revenue", "100000", "106000.00", 1.06, True, "higher"),
        ("cvr", "0.035", 0.079365, 2.267574, True, "higher"),
        ("cpa", "40", "104.00", 0.384615, False, "lower"),  # target / actual
        ("negative_comments", "50", 45, 1.111111, True, "lower"),
    ]  # brand_search_index has no definition: not tracked here


def test_it_suggests_moving_budget_from_the_weakest_to_the_strongest_channel(
    client, planner, data, moments, douyin
):
    client.force_login(planner)

    comparison = kpis(client, data)["comparison"]

    assert comparison["basis"] == "roas"
    assert [(r["channel"]["name"], r["cost"], r["value"]) for r in comparison["ranking"]] == [
        ("朋友圈", "16000.00", 3.5),
        ("抖音", "10000.00", 1.8),
        ("线下门店", "0.00", None),
    ]
    assert comparison["suggestion"] == {
        "from_channel": {"id": douyin.pk, "name": "抖音"},
        "to_channel": {"id": moments.pk, "name": "朋友圈"},
        "amount": "2000.00",
        "from_return": 1.8,
        "to_return": 3.5,
        "expected_gain": 3400.0,
        "advice": "Move ¥2,000 from 抖音 (ROAS 1.80) to 朋友圈 (ROAS 3.50); at these returns it would bring "
        "about ¥3,400 more revenue.",
    }
    assert "revenue per yuan spent (ROAS)" in comparison["rule"]
    assert "at least 5% of the spend" in comparison["rule"]


def test_it_filters_by_window_and_channel(client, planner, data, douyin):
    client.force_login(planner)

    one_day = kpis(client, data, **{"from": "2024-06-11", "to": "2024-06-11"})
    one_channel = kpis(client, data, channel=douyin.pk)

    assert (one_day["from"], one_day["to"], one_day["totals"]["measures"]["revenue"]) == (
        "2024-06-11",
        "2024-06-11",
        "21000.00",
    )
    assert one_day["days_with_data"] == 1
    assert [c["channel"]["name"] for c in one_channel["channels"]] == ["抖音"]
    assert one_channel["totals"]["measures"]["impressions"] == 100000
    assert one_channel["comparison"]["suggestion"] is None


def test_a_campaign_without_data_has_zero_sums_and_null_metrics(client, planner, live_campaign):
    client.force_login(planner)

    body = kpis(client, live_campaign)

    assert body["totals"]["measures"]["revenue"] == "0.00"
    assert set(body["totals"]["metrics"].values()) == {None}
    assert (body["channels"], body["trend"], body["days_with_data"]) == ([], [], 0)
    assert [g["achievement"] for g in body["goals"]] == [0.0, None, None, None]
    assert body["comparison"] == {
        "basis": None,
        "rule": body["comparison"]["rule"],
        "ranking": [],
        "suggestion": None,
    }


def test_custom_definitions_show_up_in_every_breakdown(client, analyst, data):
    client.force_login(analyst)
    created = client.post(
        "/api/v1/metric-definitions",
        {
            "key": "opp_rate",
            "formula": "opportunities / leads",
            "name_en": "Lead to opportunity",
            "unit": "ratio",
        },
        content_type="application/json",
    )
    assert created.status_code == 201

    body = kpis(client, data)

    assert body["totals"]["metrics"]["opp_rate"] == 0.08
    assert body["trend"][1]["metrics"]["opp_rate"] == 0.04


def test_it_refuses_a_window_that_ends_before_it_starts(client, planner, data):
    client.force_login(planner)

    response = client.get(f"/api/v1/campaigns/{data.pk}/kpis", {"from": "2024-06-12", "to": "2024-06-11"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "from"


def test_the_query_count_does_not_grow_with_the_rows(client, planner, data, django_assert_num_queries):
    client.force_login(planner)
    client.get(f"/api/v1/campaigns/{data.pk}/kpis")  # warm the session and caches
    with django_assert_num_queries(10) as few:
        kpis(client, data)
    extra = [ChannelFactory(name=f"渠道{n}") for n in range(20)]
    DailyMetric.objects.bulk_create(
        DailyMetric(
            campaign=data,
            channel=channel,
            date=dt.date(2024, 6, 1) + dt.timedelta(days=d),
            clicks=1,
            impressions=9,
        )
        for channel in extra
        for d in range(30)
    )

    with django_assert_num_queries(10) as many:
        body = kpis(client, data)

    assert len(body["channels"]) == 23
    assert len(few.captured_queries) == len(many.captured_queries)


def test_the_response_is_exactly_the_documented_schema(client, planner, data):
    from campaignflow.metrics.schemas import KpisOut

    client.force_login(planner)
    body = kpis(client, data)

    assert KpisOut.model_validate(body).model_dump(mode="json", by_alias=True) == body
