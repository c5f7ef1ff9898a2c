"""Who may read and write a campaign's daily data (metrics/permissions.py), per persona.

Writers: data analysts, administrators, the campaign's owner and project managers. Readers:
whoever may see the campaign. Outsiders get 404, as if the campaign did not exist. A refused
write changes nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest

from campaignflow.audit.models import AuditEvent
from campaignflow.metrics.models import DailyMetric
from tests.metrics.helpers import TABLE_3, csv_bytes, upload

pytestmark = pytest.mark.django_db
JSON = "application/json"


def write_each_way(client, campaign, moments) -> list[int]:
    base = f"/api/v1/campaigns/{campaign.pk}"
    row = [{"date": "2024-06-10", "channel": moments.pk, "clicks": 1}]
    return [
        client.post(f"{base}/metrics", row, content_type=JSON).status_code,
        client.post(f"{base}/metrics/import", {"file": upload(csv_bytes(TABLE_3))}).status_code,
        client.post(f"{base}/metrics/import?dry_run=true", {"file": upload(csv_bytes(TABLE_3))}).status_code,
    ]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("analyst", 200),
        ("admin_user", 200),
        ("planner", 200),  # the campaign's owner
        ("pm", 200),  # its project manager
        ("teammate", 403),  # a plain member
        ("dept_head", 403),  # sees the department's campaigns, does not record data
        ("manager", 403),
        ("finance", 403),
        ("outsider", 404),
    ],
)
def test_writing_daily_data_per_persona(client, request, live_campaign, moments, store, persona, expected):
    client.force_login(request.getfixturevalue(persona))

    statuses = write_each_way(client, live_campaign, moments)

    assert statuses == [expected] * 3
    if expected != 200:
        assert not DailyMetric.objects.exists()
        assert not AuditEvent.objects.filter(campaign=live_campaign).exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("analyst", 200), ("teammate", 200), ("finance", 200), ("dept_head", 200), ("outsider", 404)],
)
def test_reading_daily_data_and_kpis_follows_campaign_visibility(
    client, request, live_campaign, moments, persona, expected
):
    row = DailyMetric.objects.create(campaign=live_campaign, channel=moments, date=dt.date(2024, 6, 10))
    client.force_login(request.getfixturevalue(persona))

    statuses = [
        client.get(f"/api/v1/campaigns/{live_campaign.pk}/metrics").status_code,
        client.get(f"/api/v1/campaigns/{live_campaign.pk}/kpis").status_code,
        client.get(f"/api/v1/metrics/{row.pk}").status_code,
        client.get(f"/metrics/campaigns/{live_campaign.pk}/dashboard/").status_code,
        client.get(f"/metrics/campaigns/{live_campaign.pk}/data/").status_code,
    ]

    assert statuses == [expected] * 5


def test_patch_and_delete_follow_the_same_policy(client, teammate, outsider, live_campaign, moments):
    row = DailyMetric.objects.create(
        campaign=live_campaign, channel=moments, date=dt.date(2024, 6, 10), clicks=3
    )

    client.force_login(teammate)
    member = [
        client.patch(f"/api/v1/metrics/{row.pk}", {"clicks": 1}, content_type=JSON).status_code,
        client.delete(f"/api/v1/metrics/{row.pk}").status_code,
    ]
    client.force_login(outsider)
    stranger = [
        client.patch(f"/api/v1/metrics/{row.pk}", {"clicks": 1}, content_type=JSON).status_code,
        client.delete(f"/api/v1/metrics/{row.pk}").status_code,
    ]

    assert (member, stranger) == ([403, 403], [404, 404])
    row.refresh_from_db()
    assert row.clicks == 3


@pytest.mark.parametrize("status", ["draft", "in_review", "approved", "archived", "cancelled"])
def test_daily_data_is_refused_outside_preparation_to_close_out(
    client, analyst, live_campaign, moments, store, status
):
    live_campaign.status = status
    live_campaign.save()
    client.force_login(analyst)

    statuses = write_each_way(client, live_campaign, moments)

    assert statuses == [409] * 3
    assert not DailyMetric.objects.exists()


def test_it_requires_sign_in(client, live_campaign):
    assert client.get(f"/api/v1/campaigns/{live_campaign.pk}/kpis").status_code == 401
    assert client.post(f"/api/v1/campaigns/{live_campaign.pk}/metrics/import").status_code == 401
