"""Clicks and conversions add to the daily metrics of the link's channel (additive roll-up)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from campaignflow.links import services
from campaignflow.links.buffer import ClickRecord, flush_clicks, store
from campaignflow.links.choices import Rollup
from campaignflow.links.models import Click
from campaignflow.metrics.models import DailyMetric

pytestmark = pytest.mark.django_db
DAY = dt.date(2024, 6, 10)


def at(day: dt.date = DAY) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(15)))


def clicks(link, count: int, *, day: dt.date = DAY, bot: bool = False) -> None:
    store(
        [
            ClickRecord(link.pk, at(day).timestamp(), f"{n:032x}", "bot" if bot else "mobile", bot, "")
            for n in range(count)
        ]
    )


def test_clicks_and_conversions_are_added_to_imported_numbers(link, moments, live_campaign):
    DailyMetric.objects.create(
        campaign=live_campaign,
        channel=moments,
        date=DAY,
        impressions=50000,
        clicks=1000,
        conversions=30,
        revenue=Decimal("6000"),
        cost=Decimal("900"),
        note="imported",
    )
    clicks(link, 7)
    clicks(link, 3, bot=True)
    services.conversion_record(link=link, external_id="A", value=Decimal("199.00"), at=at())
    services.conversion_record(link=link, external_id="B", value=Decimal("1.50"), at=at())

    flush_clicks()

    row = DailyMetric.objects.get(campaign=live_campaign, channel=moments, date=DAY)
    assert (row.impressions, row.clicks, row.conversions, row.revenue, row.cost, row.note) == (
        50000,
        1007,
        32,
        Decimal("6200.50"),
        Decimal("900.00"),
        "imported",
    )
    assert set(Click.objects.values_list("is_bot", "rollup")) == {
        (False, Rollup.DONE),
        (True, Rollup.SKIPPED),
    }


def test_a_second_roll_up_adds_only_what_is_new(link, moments, live_campaign):
    clicks(link, 5)
    flush_clicks()
    flush_clicks()
    clicks(link, 2)
    flush_clicks()

    row = DailyMetric.objects.get(campaign=live_campaign, channel=moments, date=DAY)
    assert (row.clicks, row.impressions) == (7, 0)


def test_days_outside_the_campaign_are_kept_but_not_counted(link, moments, live_campaign):
    clicks(link, 4, day=dt.date(2024, 7, 2))

    flush_clicks()

    assert not DailyMetric.objects.exists()
    assert list(Click.objects.values_list("rollup", flat=True).distinct()) == [Rollup.SKIPPED]


def test_an_archived_campaign_takes_no_more_numbers(link, live_campaign):
    live_campaign.status = "archived"
    live_campaign.save(update_fields=["status"])
    clicks(link, 4)

    flush_clicks()

    assert not DailyMetric.objects.exists()


def test_the_roll_up_is_recorded_in_the_audit_trail_as_the_owner(link, live_campaign, planner):
    from campaignflow.audit.models import AuditEvent

    clicks(link, 1)
    flush_clicks()

    event = AuditEvent.objects.filter(verb="dailymetric.created").get()
    assert (event.actor, event.campaign) == (planner, live_campaign)


def test_scans_of_a_store_qr_code_leave_a_day_that_counts_no_clicks_as_it_is(live_campaign, planner):
    from tests.factories import ChannelFactory

    store_channel = ChannelFactory(name="线下门店", kind="offline_store")
    qr = services.link_create(
        campaign=live_campaign,
        actor=planner,
        data={
            "channel": store_channel.pk,
            "name": "收银台二维码",
            "target_url": "https://shop.example/member",
            "utm_source": "offline",
            "utm_medium": "qr",
        },
    )
    DailyMetric.objects.create(
        campaign=live_campaign, channel=store_channel, date=DAY, conversions=145, revenue=Decimal("29000")
    )
    clicks(qr, 66)
    services.conversion_record(link=qr, external_id="S1", value=Decimal("88.00"), at=at())

    flush_clicks()

    row = DailyMetric.objects.get(campaign=live_campaign, channel=store_channel, date=DAY)
    # the store measures sales, not clicks: the scans stay in the link's statistics, the sale is added
    assert (row.clicks, row.conversions, row.revenue) == (0, 146, Decimal("29088.00"))
    assert set(Click.objects.filter(link=qr).values_list("rollup", flat=True)) == {Rollup.DONE}
