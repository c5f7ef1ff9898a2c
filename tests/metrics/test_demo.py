"""The demo's campaigns that ran carry daily channel data, entered through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns.models import Campaign
from campaignflow.metrics import selectors
from campaignflow.metrics.models import DailyMetric
from tests.conftest import module_demo

TODAY = dt.date(2026, 11, 23)


demo_world = module_demo(TODAY, "campaignflow.metrics.demo.timezone.localdate")


@pytest.fixture
def loaded(db, demo_world):
    return demo_world


def test_campaigns_that_launched_have_a_row_per_channel_and_day_until_yesterday(loaded):
    counts = dict(
        Campaign.objects.annotate(rows=Count("daily_metrics"))
        .filter(rows__gt=0)
        .values_list("status", "rows")
    )

    assert set(counts) == {"live", "optimizing", "closing", "archived"}
    live = Campaign.objects.get(status="live")
    days = DailyMetric.objects.filter(campaign=live).values_list("date", flat=True)
    assert (min(days), max(days)) == (live.start_date, TODAY - dt.timedelta(days=1))
    assert DailyMetric.objects.filter(campaign=live).values("channel").distinct().count() == 3
    assert not DailyMetric.objects.filter(campaign__status__in=["draft", "preparing", "cancelled"]).exists()


def test_each_demo_campaign_with_data_has_one_anomalous_day_with_a_note(loaded):
    for campaign in Campaign.objects.filter(daily_metrics__isnull=False).distinct():
        notes = list(
            DailyMetric.objects.filter(campaign=campaign).exclude(note="").values_list("note", flat=True)
        )
        assert len(notes) == 1, campaign.name
    store_day = DailyMetric.objects.get(
        campaign__status="closing", channel__name="线下门店", note__startswith="客流"
    )
    assert store_day.visits < 2000 and store_day.impressions == 0


def test_the_demo_data_was_written_by_the_analyst_and_makes_the_dashboard_meaningful(loaded):
    live = Campaign.objects.get(status="live")

    kpis = selectors.campaign_kpis(campaign=live)

    assert AuditEvent.objects.filter(
        campaign=live, verb="metrics.upserted", actor__username="chen.analyst"
    ).exists()
    assert 0.01 < kpis.totals.metrics["ctr"] < 0.05
    assert kpis.totals.metrics["roas"] > 0
    assert {g.goal.metric for g in kpis.goals} >= {"revenue", "new_users", "cvr", "roas"}
