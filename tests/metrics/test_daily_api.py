"""GET|POST /api/v1/campaigns/{id}/metrics and GET|PATCH|DELETE /api/v1/metrics/{id}."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from campaignflow.audit.models import AuditEvent
from campaignflow.metrics.models import DailyMetric

pytestmark = pytest.mark.django_db
JSON = "application/json"


def url(campaign) -> str:
    return f"/api/v1/campaigns/{campaign.pk}/metrics"


def test_it_upserts_a_list_of_rows_all_or_nothing(client, analyst, live_campaign, moments, store):
    client.force_login(analyst)
    rows = [
        {
            "date": "2024-06-10",
            "channel": moments.pk,
            "impressions": 50000,
            "clicks": 1050,
            "conversions": 37,
            "new_users": 175,
            "revenue": "35000",
            "cost": "9000.5",
        },
        {
            "date": "2024-06-10",
            "channel": store.pk,
            "visits": 2000,
            "conversions": 160,
            "note": "客流低于预期20%",
        },
    ]

    response = client.post(url(live_campaign), rows, content_type=JSON)

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "created": 2,
        "updated": 0,
        "rows": 2,
        "dry_run": False,
        "errors": [],
        "warnings": [],
    }
    listed = client.get(url(live_campaign)).json()
    assert [
        (r["channel"]["name"], r["clicks"], r["revenue"], r["cost"], r["visits"], r["note"]) for r in listed
    ] == [
        ("朋友圈", 1050, "35000.00", "9000.50", 0, ""),
        ("线下门店", 0, "0.00", "0.00", 2000, "客流低于预期20%"),
    ]
    assert set(listed[0]) == {
        "id",
        "campaign",
        "date",
        "channel",
        "impressions",
        "clicks",
        "conversions",
        "new_users",
        "revenue",
        "cost",
        "leads",
        "mqls",
        "opportunities",
        "visits",
        "negative_comments",
        "note",
    }
    assert AuditEvent.objects.filter(verb="metrics.upserted", campaign=live_campaign).count() == 1


def test_posting_the_same_day_again_replaces_the_whole_row(client, analyst, live_campaign, moments):
    client.force_login(analyst)
    client.post(
        url(live_campaign),
        [{"date": "2024-06-10", "channel": moments.pk, "clicks": 5, "impressions": 9}],
        content_type=JSON,
    )

    response = client.post(
        url(live_campaign), [{"date": "2024-06-10", "channel": moments.pk, "revenue": "7"}], content_type=JSON
    )

    assert response.json()["updated"] == 1
    row = DailyMetric.objects.get()
    assert (row.clicks, row.impressions, row.revenue) == (0, 0, Decimal("7.00"))


def test_it_names_the_position_and_field_of_each_bad_row(client, analyst, live_campaign, moments):
    client.force_login(analyst)
    rows = [
        {"date": "2024-06-10", "channel": moments.pk, "clicks": 5},
        {"date": "2024-05-31", "channel": moments.pk, "clicks": -1, "revenue": "-2"},
        {"date": "2024-06-10", "channel": moments.pk},
        {"date": "2024-06-11", "channel": 987654},
    ]

    response = client.post(url(live_campaign), rows, content_type=JSON)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "row": 2,
            "column": "date",
            "message": "2024-05-31 is outside the campaign (2024-06-01 – 2024-06-30).",
        },
        {"row": 2, "column": "clicks", "message": "Must not be negative (got -1)."},
        {"row": 2, "column": "revenue", "message": "Must not be negative (got -2)."},
        {"row": 3, "column": "channel", "message": "朋友圈 on 2024-06-10 already appears on row 1."},
        {
            "row": 4,
            "column": "channel",
            "message": "Unknown channel “987654”; add it to the channel list first.",
        },
    ]
    assert not DailyMetric.objects.exists()


def test_it_filters_the_list_by_window_and_channel(client, planner, live_campaign, moments, store):
    for day, channel in ((10, moments), (11, moments), (12, store)):
        DailyMetric.objects.create(campaign=live_campaign, channel=channel, date=dt.date(2024, 6, day))
    client.force_login(planner)

    response = client.get(
        url(live_campaign), {"from": "2024-06-11", "to": "2024-06-30", "channel": moments.pk}
    )

    assert [row["date"] for row in response.json()] == ["2024-06-11"]


def test_it_patches_some_measures_of_one_row(client, pm, live_campaign, moments):
    row = DailyMetric.objects.create(
        campaign=live_campaign, channel=moments, date=dt.date(2024, 6, 10), impressions=100, clicks=5
    )
    client.force_login(pm)

    response = client.patch(f"/api/v1/metrics/{row.pk}", {"clicks": 7, "note": "checked"}, content_type=JSON)

    assert response.status_code == 200, response.json()
    assert (response.json()["impressions"], response.json()["clicks"], response.json()["note"]) == (
        100,
        7,
        "checked",
    )
    event = AuditEvent.objects.get(verb="dailymetric.updated")
    assert (event.before["clicks"], event.after["clicks"]) == (5, 7)


def test_a_patch_is_checked_by_the_same_rules(client, pm, live_campaign, moments):
    row = DailyMetric.objects.create(
        campaign=live_campaign, channel=moments, date=dt.date(2024, 6, 10), impressions=100, clicks=5
    )
    client.force_login(pm)

    response = client.patch(f"/api/v1/metrics/{row.pk}", {"clicks": 700}, content_type=JSON)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "clicks", "message": "Clicks (700) cannot be more than impressions (100)."}
    ]
    row.refresh_from_db()
    assert row.clicks == 5


def test_it_deletes_one_row(client, analyst, live_campaign, moments):
    row = DailyMetric.objects.create(campaign=live_campaign, channel=moments, date=dt.date(2024, 6, 10))
    client.force_login(analyst)

    assert client.delete(f"/api/v1/metrics/{row.pk}").status_code == 204
    assert not DailyMetric.objects.exists()
    assert AuditEvent.objects.filter(verb="dailymetric.deleted", campaign=live_campaign).count() == 1


def test_deleting_a_campaign_deletes_its_rows_and_a_channel_with_rows_is_protected(live_campaign, moments):
    from django.db.models import ProtectedError

    DailyMetric.objects.create(campaign=live_campaign, channel=moments, date=dt.date(2024, 6, 10))

    with pytest.raises(ProtectedError):
        moments.delete()
    live_campaign.delete()
    assert not DailyMetric.objects.exists()


def test_the_unique_constraint_refuses_a_second_row_for_a_channel_and_day(live_campaign, moments):
    from django.db import IntegrityError, transaction

    DailyMetric.objects.create(campaign=live_campaign, channel=moments, date=dt.date(2024, 6, 10))

    with pytest.raises(IntegrityError), transaction.atomic():
        DailyMetric.objects.create(campaign=live_campaign, channel=moments, date=dt.date(2024, 6, 10))
