"""The demo's running campaigns have tracked links with clicks and conversions, rolled up."""

from __future__ import annotations

import datetime as dt

import pytest

from campaignflow.campaigns import demo
from campaignflow.campaigns.models import Campaign
from campaignflow.links import selectors
from campaignflow.links.models import Click, TrackedLink

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def loaded(db, monkeypatch):
    monkeypatch.setattr("campaignflow.metrics.demo.timezone.localdate", lambda: TODAY)
    monkeypatch.setattr("campaignflow.links.demo.timezone.localdate", lambda: TODAY)
    return demo.demo_load(today=TODAY)


def test_live_and_optimizing_campaigns_have_links_with_traffic(loaded):
    for status in ("live", "optimizing"):
        campaign = Campaign.objects.get(status=status)
        links = list(selectors.link_list(campaign=campaign))
        assert len(links) == 2
        assert all(link.click_count > link.visitor_count > 0 for link in links)
        assert sum(link.conversion_count for link in links) > 0
        assert not Click.objects.filter(link__campaign=campaign, rollup=0).exists()  # all rolled up
    assert not TrackedLink.objects.filter(campaign__status__in=["draft", "preparing"]).exists()
