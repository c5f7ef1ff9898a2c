"""/api/v1/alerts and /api/v1/…/alert-rules: the contract of DESIGN §5, errors naming the field."""

from __future__ import annotations

import datetime as dt

import pytest

from campaignflow.alerts import services
from campaignflow.alerts.models import Alert, AlertRule

from .conftest import record

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def alert(live_campaign, moments):
    record(live_campaign, moments, dt.date(2024, 6, 10), clicks=1000, conversions=20)
    return services.alerts_evaluate(campaign=live_campaign).opened[0]


def post(client, url, body=None):
    return client.post(url, body or {}, content_type=JSON)


def test_it_lists_alerts_with_observed_and_expected_values(client, alert, pm, live_campaign):
    client.force_login(pm)

    response = client.get("/api/v1/alerts?status=open")

    assert response.status_code == 200
    [row] = response.json()
    assert {k: row[k] for k in ("id", "campaign", "campaign_name", "metric", "metric_name", "unit")} == {
        "id": alert.pk,
        "campaign": live_campaign.pk,
        "campaign_name": "618 tea festival",
        "metric": "cvr",
        "metric_name": "CVR",
        "unit": "ratio",
    }
    assert (row["observed"], row["expected"], row["threshold"], row["status"]) == (
        "0.02",
        "0.035",
        "0.3",
        "open",
    )
    assert row["day"] == "2024-06-10"
    assert row["due_at"].startswith("2024-06-12T")
    assert row["rule_name"] == "CVR 30 % worse than target"


def test_the_status_filter_is_checked(client, alert, pm):
    client.force_login(pm)

    assert client.get("/api/v1/alerts?status=resolved").json() == []
    response = client.get("/api/v1/alerts?status=sleeping")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status"


def test_an_outsider_sees_no_alerts_and_gets_404_for_one(client, alert, outsider):
    client.force_login(outsider)

    assert client.get("/api/v1/alerts").json() == []
    assert client.get(f"/api/v1/alerts/{alert.pk}").status_code == 404
    assert post(client, f"/api/v1/alerts/{alert.pk}/acknowledge", {"response_plan": "x"}).status_code == 404


def test_acknowledge_requires_a_response_plan(client, alert, pm):
    client.force_login(pm)

    blank = post(client, f"/api/v1/alerts/{alert.pk}/acknowledge", {"response_plan": "  "})
    missing = post(client, f"/api/v1/alerts/{alert.pk}/acknowledge", {})

    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "response_plan"
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "response_plan"
    assert Alert.objects.get().status == "open"


def test_acknowledge_then_resolve(client, alert, pm):
    client.force_login(pm)

    acknowledged = post(client, f"/api/v1/alerts/{alert.pk}/acknowledge", {"response_plan": "New creative"})
    again = post(client, f"/api/v1/alerts/{alert.pk}/acknowledge", {"response_plan": "Other"})
    resolved = post(client, f"/api/v1/alerts/{alert.pk}/resolve", {"note": "Recovered"})

    assert acknowledged.status_code == 200
    assert (acknowledged.json()["status"], acknowledged.json()["response_plan"]) == (
        "acknowledged",
        "New creative",
    )
    assert acknowledged.json()["acknowledged_by_name"] == "pm"
    assert again.status_code == 409
    assert (resolved.status_code, resolved.json()["status"], resolved.json()["resolution_note"]) == (
        200,
        "resolved",
        "Recovered",
    )


def test_a_viewer_may_read_but_not_answer(client, alert, viewer):
    client.force_login(viewer)

    assert client.get(f"/api/v1/alerts/{alert.pk}").status_code == 200
    assert post(client, f"/api/v1/alerts/{alert.pk}/resolve").status_code == 403
    assert Alert.objects.get().status == "open"


# --- rules --------------------------------------------------------------------------------------------


def test_campaign_rules_list_the_org_defaults_then_its_own(client, live_campaign, pm, douyin):
    client.force_login(pm)

    created = post(
        client,
        f"/api/v1/campaigns/{live_campaign.pk}/alert-rules",
        {"metric": "cpa", "condition": "below_target_pct", "threshold": "0.25", "channel": douyin.pk},
    )
    listed = client.get(f"/api/v1/campaigns/{live_campaign.pk}/alert-rules").json()

    assert created.status_code == 201
    assert created.json()["description"] == "CPA 25 % worse than target"
    assert [(r["scope"], r["metric"], r["channel_name"]) for r in listed] == [
        ("organization", "cvr", None),
        ("organization", "negative_comments", None),
        ("campaign", "cpa", "抖音"),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"metric": "cvr", "condition": "below_target_pct", "threshold": "-0.1"}, "threshold"),
        ({"metric": "brand_love", "condition": "above_absolute", "threshold": "1"}, "metric"),
        ({"metric": "cvr", "condition": "sideways", "threshold": "1"}, "condition"),
        ({"metric": "cvr", "condition": "above_absolute"}, "threshold"),
    ],
)
def test_bad_rules_answer_422_naming_the_field(client, live_campaign, pm, body, field):
    client.force_login(pm)

    response = post(client, f"/api/v1/campaigns/{live_campaign.pk}/alert-rules", body)

    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert AlertRule.objects.filter(campaign=live_campaign).count() == 0


def test_org_rules_are_kept_by_analysts_not_by_pms(client, pm, analyst):
    body = {"metric": "ctr", "condition": "day_over_day_change_pct", "threshold": "0.4"}
    client.force_login(pm)
    assert post(client, "/api/v1/alert-rules", body).status_code == 403

    client.force_login(analyst)
    response = post(client, "/api/v1/alert-rules", body)
    assert response.status_code == 201 and response.json()["scope"] == "organization"


def test_patch_disables_a_rule_and_delete_refuses_one_with_alerts(client, alert, analyst):
    client.force_login(analyst)
    url = f"/api/v1/alert-rules/{alert.rule_id}"

    patched = client.patch(url, {"active": False}, content_type=JSON)
    deleted = client.delete(url)

    assert (patched.status_code, patched.json()["active"]) == (200, False)
    assert deleted.status_code == 409
    assert client.patch(url, {"threshold": None}, content_type=JSON).status_code == 422


def test_an_outsider_cannot_see_a_campaign_rule(client, live_campaign, pm, outsider):
    rule = services.alert_rule_create(
        actor=pm,
        campaign=live_campaign,
        data={"metric": "ctr", "condition": "above_absolute", "threshold": "1"},
    )
    client.force_login(outsider)

    assert client.get(f"/api/v1/alert-rules/{rule.pk}").status_code == 404
    assert client.delete(f"/api/v1/alert-rules/{rule.pk}").status_code == 404
    assert AlertRule.objects.filter(pk=rule.pk).exists()
