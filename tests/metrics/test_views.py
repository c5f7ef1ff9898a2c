"""The campaign's Dashboard and Data tabs: charts, the htmx grid and the import form."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import plotly
import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from campaignflow.audit.models import AuditEvent
from campaignflow.metrics.models import DailyMetric
from tests.metrics.helpers import TABLE_3, csv_bytes, upload

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def data_url(campaign) -> str:
    return f"/metrics/campaigns/{campaign.pk}/data/"


def row_url(campaign, channel, day="2024-06-10") -> str:
    return f"/metrics/campaigns/{campaign.pk}/data/{channel.pk}/{day}/"


@pytest.fixture
def with_data(live_campaign, moments, douyin):
    DailyMetric.objects.create(
        campaign=live_campaign,
        channel=moments,
        date=dt.date(2024, 6, 10),
        impressions=50000,
        clicks=1050,
        conversions=37,
        revenue=Decimal("35000"),
        cost=Decimal("10000"),
    )
    DailyMetric.objects.create(
        campaign=live_campaign,
        channel=douyin,
        date=dt.date(2024, 6, 10),
        impressions=80000,
        clicks=1200,
        conversions=20,
        revenue=Decimal("9000"),
        cost=Decimal("10000"),
    )
    return live_campaign


def test_the_campaign_pages_gain_dashboard_and_data_tabs_once_it_leaves_planning(
    client, planner, live_campaign
):
    client.force_login(planner)

    live = client.get(f"/campaigns/{live_campaign.pk}/").content.decode()
    live_campaign.status = "draft"
    live_campaign.save()
    draft = client.get(f"/campaigns/{live_campaign.pk}/").content.decode()

    assert f'href="/metrics/campaigns/{live_campaign.pk}/dashboard/"' in live
    assert f'href="/metrics/campaigns/{live_campaign.pk}/data/"' in live
    assert "/metrics/campaigns/" not in draft


def test_the_dashboard_draws_its_charts_with_the_local_plotly(client, planner, with_data):
    client.force_login(planner)

    response = client.get(f"/metrics/campaigns/{with_data.pk}/dashboard/")

    assert response.status_code == 200
    page = response.content.decode()
    assert f"/execution/assets/plotly-{plotly.__version__}.min.js" in page
    assert "cdn" not in page.lower()
    figures = json.loads(
        page.split('<script id="metrics-figures" type="application/json">')[1].split("</script>")[0]
    )
    assert set(figures) == {
        "chart-trend-money",
        "chart-trend-rates",
        "chart-funnel-acquisition",
        "chart-channels",
        "chart-goals",
    }
    assert figures["chart-funnel-acquisition"]["data"][0]["x"] == [130000, 2250, 57]
    assert "Move ¥2,000 from 抖音 (ROAS 0.90) to 朋友圈 (ROAS 3.50)" in page
    assert plotly_served(client)


def plotly_served(client) -> bool:
    response = client.get(f"/execution/assets/plotly-{plotly.__version__}.min.js")
    return response.status_code == 200


def test_the_dashboard_filters_by_window_and_channel(client, planner, with_data, douyin):
    client.force_login(planner)

    response = client.get(
        f"/metrics/campaigns/{with_data.pk}/dashboard/", {"channel": douyin.pk, "date_from": "2024-06-01"}
    )

    assert response.status_code == 200
    assert response.context["kpis"].totals.measures["impressions"] == 80000


def test_the_data_page_lists_a_row_per_channel_for_the_day(client, analyst, with_data, store):
    client.force_login(analyst)

    response = client.get(data_url(with_data), {"date": "2024-06-10"})

    assert response.status_code == 200
    assert [row["channel"].name for row in response.context["rows"]] == ["抖音", "朋友圈"]
    page = response.content.decode()
    assert "Import a channel export" in page
    assert 'hx-encoding="multipart/form-data"' in page


def test_a_grid_row_opens_as_a_form_and_saves_in_place(client, analyst, with_data, moments):
    client.force_login(analyst)

    form = client.get(row_url(with_data, moments) + "?edit=1", **HTMX)
    saved = client.post(
        row_url(with_data, moments),
        {
            f"m{moments.pk}-impressions": "60000",
            f"m{moments.pk}-clicks": "1100",
            f"m{moments.pk}-revenue": "36000",
            f"m{moments.pk}-note": "补录",
        },
        **HTMX,
    )

    assert f'name="m{moments.pk}-impressions"' in form.content.decode()
    assert saved.status_code == 200
    assert "Saved" in saved.content.decode()
    row = DailyMetric.objects.get(channel=moments)
    assert (row.impressions, row.clicks, row.conversions, row.revenue, row.note) == (
        60000,
        1100,
        0,
        Decimal("36000.00"),
        "补录",
    )
    assert AuditEvent.objects.filter(verb="dailymetric.updated", campaign=with_data).count() == 1


def test_a_grid_row_with_bad_numbers_comes_back_with_the_errors_beside_the_inputs(
    client, analyst, with_data, store
):
    client.force_login(analyst)

    response = client.post(
        row_url(with_data, store),
        {f"m{store.pk}-impressions": "10", f"m{store.pk}-clicks": "20", f"m{store.pk}-visits": "-1"},
        **HTMX,
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert "Clicks (20) cannot be more than impressions (10)." in page
    assert "Must not be negative (got -1)." in page
    assert not DailyMetric.objects.filter(channel=store).exists()


def test_a_team_member_sees_the_grid_but_cannot_save(client, teammate, with_data, moments):
    client.force_login(teammate)

    page = client.get(data_url(with_data), {"date": "2024-06-10"}).content.decode()
    response = client.post(row_url(with_data, moments), {f"m{moments.pk}-clicks": "1"}, **HTMX)

    assert "Import a channel export" not in page
    assert "?edit=1" not in page
    assert response.status_code == 403
    assert DailyMetric.objects.get(channel=moments).clicks == 1050


def test_importing_from_the_data_page_redirects_to_the_imported_day(
    client, analyst, live_campaign, moments, store
):
    client.force_login(analyst)

    response = client.post(f"{data_url(live_campaign)}import/", {"file": upload(csv_bytes(TABLE_3))}, **HTMX)

    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"{data_url(live_campaign)}?date=2024-06-10"
    assert DailyMetric.objects.count() == 2
    page = client.get(response.headers["HX-Redirect"]).content.decode()
    assert "Imported 2 rows: 2 new, 0 updated." in page


def test_a_refused_import_shows_every_problem_and_writes_nothing(client, analyst, live_campaign, moments):
    client.force_login(analyst)
    rows = [["日期", "渠道", "曝光量"], ["2024-07-01", "朋友圈", "-1"]]

    response = client.post(f"{data_url(live_campaign)}import/", {"file": upload(csv_bytes(rows))}, **HTMX)

    assert response.status_code == 422
    page = response.content.decode()
    assert "2024-07-01 is outside the campaign (2024-06-01 – 2024-06-30)." in page
    assert "Must not be negative (got -1)." in page
    assert not DailyMetric.objects.exists()


def test_a_dry_run_from_the_data_page_reports_and_writes_nothing(
    client, analyst, live_campaign, moments, store
):
    client.force_login(analyst)

    response = client.post(
        f"{data_url(live_campaign)}import/", {"file": upload(csv_bytes(TABLE_3)), "dry_run": "on"}, **HTMX
    )

    assert response.status_code == 200
    assert "2 would be added and 0 updated" in response.content.decode()
    assert not DailyMetric.objects.exists()


@override_settings(CAMPAIGNFLOW_MAX_IMPORT_BYTES=100)
def test_an_oversized_file_is_refused_on_the_data_page_too(client, analyst, live_campaign, moments, store):
    client.force_login(analyst)

    response = client.post(
        f"{data_url(live_campaign)}import/", {"file": upload(csv_bytes(TABLE_3 * 5))}, **HTMX
    )

    assert response.status_code == 413
    assert "The file is too large" in response.content.decode()
    assert not DailyMetric.objects.exists()


def test_the_web_dashboard_shows_budget_against_spend_and_goal_achievement(client, planner, with_data):
    client.force_login(planner)

    response = client.get("/")

    assert response.status_code == 200
    rows = response.context["portfolio"]
    assert [(r.campaign, r.spend, r.revenue, r.goals_tracked) for r in rows] == [
        (with_data, Decimal("20000.00"), Decimal("44000.00"), 4)
    ]
    assert rows[0].budget == Decimal("0")
    page = response.content.decode()
    assert "20,000.00" in page


def test_the_portfolio_costs_the_same_queries_for_two_or_ten_campaigns(client, planner, marketing, moments):
    from tests.factories import CampaignFactory

    def add(count):
        for n in range(count):
            campaign = CampaignFactory(
                owner=planner,
                department=marketing,
                status="live",
                start_date=dt.date(2024, 6, 1),
                end_date=dt.date(2024, 6, 30),
            )
            DailyMetric.objects.create(
                campaign=campaign, channel=moments, date=dt.date(2024, 6, 1), cost=Decimal(n)
            )

    client.force_login(planner)
    add(2)
    client.get("/")
    with CaptureQueriesContext(connection) as two:
        client.get("/")
    add(8)
    with CaptureQueriesContext(connection) as ten:
        response = client.get("/")

    assert len(response.context["portfolio"]) == 10
    assert len(ten.captured_queries) == len(two.captured_queries)
