"""Personas and data for the links tests (see tests/conftest.py for the shared personas).

live_campaign  live, 2024-06-01 – 2024-06-30, number MC-2024-0007, owned by the planner, with a
               project manager (pm) and a viewer (watcher)
moments        the 朋友圈 channel
link           a link of live_campaign on 朋友圈 (wechat / paid_social) to a page with a query
buffer         a fresh in-process click buffer (no background thread), installed for the test
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from campaignflow.campaigns.models import CampaignMember
from campaignflow.links import buffer as click_buffer
from campaignflow.links import services, tracking
from tests.factories import CampaignFactory, ChannelFactory, UserFactory

START, END = dt.date(2024, 6, 1), dt.date(2024, 6, 30)
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0.47"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    tracking._local.clear()
    yield
    cache.clear()
    tracking._local.clear()


@pytest.fixture
def buffer():
    fresh = click_buffer.MemoryBuffer(background=False)
    previous = click_buffer.set_buffer(fresh)
    yield fresh
    click_buffer.set_buffer(previous)


@pytest.fixture
def moments(db):
    return ChannelFactory(name="朋友圈", kind="paid_social")


@pytest.fixture
def pm(marketing):
    return UserFactory(username="pm", department=marketing, roles=["member"])


@pytest.fixture
def watcher(sales):
    return UserFactory(username="watcher", department=sales, roles=["member"])


@pytest.fixture
def live_campaign(planner, marketing, pm, watcher):
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
    CampaignMember.objects.create(campaign=campaign, user=watcher, role="viewer")
    return campaign


@pytest.fixture
def link(live_campaign, moments, planner):
    return services.link_create(
        campaign=live_campaign,
        actor=planner,
        data={
            "channel": moments.pk,
            "name": "Moments banner",
            "target_url": "https://shop.example/tea?sku=42",
            "utm_source": "wechat",
            "utm_medium": "paid_social",
            "utm_content": "banner",
        },
    )
