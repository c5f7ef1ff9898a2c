"""GET|POST /api/v1/campaigns/{id}/links, GET|PATCH|DELETE /api/v1/links/{id}, /stats, /qr, /link-settings."""

from __future__ import annotations

import pytest

from campaignflow.audit.models import AuditEvent
from campaignflow.links.buffer import flush_clicks
from campaignflow.links.models import LinkSettings, TrackedLink

from .conftest import BROWSER

pytestmark = pytest.mark.django_db
JSON = "application/json"


def url(campaign) -> str:
    return f"/api/v1/campaigns/{campaign.pk}/links"


def payload(channel_obj, **extra) -> dict:
    return {
        "channel": channel_obj.pk,
        "target_url": "https://shop.example/tea?sku=42#buy",
        "utm_source": "wechat",
        "utm_medium": "paid_social",
        **extra,
    }


def test_a_project_manager_creates_a_link_with_the_tagged_url(client, pm, live_campaign, moments):
    client.force_login(pm)

    response = client.post(url(live_campaign), payload(moments, utm_term="oolong"), content_type=JSON)

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["tagged_url"] == (
        "https://shop.example/tea?sku=42&utm_source=wechat&utm_medium=paid_social"
        "&utm_campaign=mc-2024-0007&utm_term=oolong#buy"
    )
    assert len(data["code"]) == 7
    assert data["short_url"] == f"http://127.0.0.1:8000/r/{data['code']}"
    assert (data["channel_name"], data["clicks"], data["conversions"], data["revenue"]) == (
        "朋友圈",
        0,
        0,
        "0.00",
    )
    assert AuditEvent.objects.filter(verb="link.created", campaign=live_campaign).count() == 1


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"utm_source": "WeChat"}, "utm_source"),
        ({"utm_source": "myspace"}, "utm_source"),
        ({"utm_medium": "banner ad"}, "utm_medium"),
        ({"utm_medium": ""}, "utm_medium"),
        ({"target_url": "javascript:alert(1)"}, "target_url"),
        ({"target_url": "shop.example"}, "target_url"),
        ({"code": "a b"}, "code"),
        ({"channel": 999999}, "channel"),
    ],
)
def test_it_refuses_names_that_break_the_rules_with_a_422_naming_the_field(
    client, analyst, live_campaign, moments, extra, field
):
    client.force_login(analyst)

    response = client.post(url(live_campaign), payload(moments, **extra), content_type=JSON)

    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not TrackedLink.objects.exists()


def test_a_custom_code_must_be_free(client, planner, link, moments):
    client.force_login(planner)

    response = client.post(url(link.campaign), payload(moments, code=link.code), content_type=JSON)

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "code", "message": "This short code is taken."}]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("planner", 201),
        ("pm", 201),
        ("analyst", 201),
        ("admin_user", 201),
        ("watcher", 403),
        ("outsider", 404),
    ],
)
def test_who_may_create_links(request, client, live_campaign, moments, persona, status):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(url(live_campaign), payload(moments), content_type=JSON)

    assert response.status_code == status
    assert TrackedLink.objects.count() == (1 if status == 201 else 0)


@pytest.mark.parametrize(("persona", "status"), [("watcher", 200), ("finance", 200), ("outsider", 404)])
def test_who_may_read_links(request, client, link, persona, status):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(url(link.campaign)).status_code == status
    assert client.get(f"/api/v1/links/{link.pk}").status_code == status
    assert client.get(f"/api/v1/links/{link.pk}/stats").status_code == status


def test_patch_changes_the_target_and_deactivates(client, planner, link):
    client.force_login(planner)

    response = client.patch(
        f"/api/v1/links/{link.pk}",
        {"target_url": "https://shop.example/v2", "active": False},
        content_type=JSON,
    )

    assert response.status_code == 200, response.json()
    assert response.json()["tagged_url"].startswith("https://shop.example/v2?utm_source=wechat")
    link.refresh_from_db()
    assert (link.active, link.target_url) == (False, "https://shop.example/v2")


def test_a_viewer_cannot_change_a_link(client, watcher, link):
    client.force_login(watcher)

    response = client.patch(f"/api/v1/links/{link.pk}", {"active": False}, content_type=JSON)

    assert response.status_code == 403
    link.refresh_from_db()
    assert link.active


def test_a_used_link_is_not_deleted_but_an_unused_one_is(client, planner, link, buffer):
    client.force_login(planner)
    client.get(f"/r/{link.code}", HTTP_USER_AGENT=BROWSER)
    flush_clicks()

    refused = client.delete(f"/api/v1/links/{link.pk}")
    link.clicks.all().delete()
    deleted = client.delete(f"/api/v1/links/{link.pk}")

    assert (refused.status_code, refused.json()["code"]) == (409, "in_use")
    assert deleted.status_code == 204
    assert not TrackedLink.objects.exists()


def test_stats_per_day(client, analyst, link, buffer):
    client.force_login(analyst)
    for ip in ("198.51.100.1", "198.51.100.1", "198.51.100.2"):
        client.get(f"/r/{link.code}", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=ip)
    client.get(f"/r/{link.code}", HTTP_USER_AGENT="Googlebot/2.1")
    flush_clicks()

    data = client.get(f"/api/v1/links/{link.pk}/stats").json()

    assert (data["clicks"], data["unique_visitors"], data["bot_clicks"], data["conversions"]) == (3, 2, 1, 0)
    assert data["conversion_rate"] == 0
    assert [(d["clicks"], d["unique_visitors"]) for d in data["days"]] == [(3, 2)]


def test_link_settings_are_changed_by_analysts_only(client, analyst, planner, moments, live_campaign):
    client.force_login(planner)
    assert client.patch("/api/v1/link-settings", {"lowercase": False}, content_type=JSON).status_code == 403
    assert "postback_secret" not in client.get("/api/v1/link-settings").json() or (
        client.get("/api/v1/link-settings").json()["postback_secret"] is None
    )

    client.force_login(analyst)
    response = client.patch(
        "/api/v1/link-settings", {"allowed_sources": ["wechat", "Partner X"]}, content_type=JSON
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "allowed_sources"
    response = client.patch(
        "/api/v1/link-settings", {"allowed_sources": ["wechat", "meituan"]}, content_type=JSON
    )
    assert response.status_code == 200
    assert LinkSettings.current().allowed_sources == ["wechat", "meituan"]

    created = client.post(url(live_campaign), payload(moments, utm_source="meituan"), content_type=JSON)
    assert created.status_code == 201
