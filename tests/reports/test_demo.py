"""The demo's launched campaigns carry daily reports and the optimizing one a final interim review."""

from __future__ import annotations

import datetime as dt

import pytest

from campaignflow.campaigns.models import Campaign
from campaignflow.reports.models import DailyReport, InterimReview
from tests.conftest import module_demo

TODAY = dt.date(2026, 11, 23)


demo_world = module_demo(
    TODAY, "campaignflow.metrics.demo.timezone.localdate", "campaignflow.reports.demo.timezone.localdate"
)


@pytest.fixture
def loaded(db, demo_world):
    return demo_world


def test_the_live_campaign_has_daily_reports_up_to_yesterday_with_the_anomaly(loaded):
    live = Campaign.objects.get(status="live")

    days = list(DailyReport.objects.filter(campaign=live).order_by("day").values_list("day", flat=True))

    assert days == [TODAY - dt.timedelta(days=offset) for offset in (3, 2, 1)]
    assert set(DailyReport.objects.values_list("campaign__status", flat=True)) == {
        "live",
        "optimizing",
        "closing",
        "archived",
    }
    report = DailyReport.objects.filter(campaign=live).latest("day")
    assert report.data["kind"] == "daily" and report.generated_by.username == "chen.analyst"


def test_campaigns_that_were_optimized_have_a_final_first_week_review(loaded):
    optimizing = Campaign.objects.get(status="optimizing")

    review = InterimReview.objects.get(campaign=optimizing)

    assert review.status == "final"
    assert (review.period_from, review.period_to) == (
        optimizing.start_date,
        optimizing.start_date + dt.timedelta(days=6),
    )
    ctr = review.items.get(metric="ctr")
    assert ctr.adjustment == "更换3组新素材，调整出价至行业均值"
    assert ctr.actual is not None
