"""/api/v1 contract of notifications, e-mail preferences and webhooks (bearer tokens, JSON errors)."""

from __future__ import annotations

import pytest

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns.models import CampaignMember
from campaignflow.notifications.models import Notification, Webhook
from campaignflow.notifications.services import notify
from tests.factories import PASSWORD, UserFactory

from .conftest import make_webhook
from .receiver import free_port

pytestmark = pytest.mark.django_db
JSON = "application/json"
DINGTALK_URL = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdefSECRET9f3a"


def bearer(client, username: str) -> dict:
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": PASSWORD}, content_type=JSON
    )
    assert response.status_code == 200
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}


@pytest.fixture
def two_notifications(planner, dept_head, campaign):
    first = notify(event="approval.requested", recipients=[dept_head], title="First", campaign=campaign)[0]
    second = notify(event="approval.decided", recipients=[dept_head], title="Second", body="Body")[0]
    notify(event="approval.decided", recipients=[planner], title="Not for the head")
    return first, second


# --- notifications -------------------------------------------------------------------------------


def test_it_lists_my_notifications_newest_first(client, dept_head, campaign, two_notifications):
    first, _second = two_notifications

    response = client.get("/api/v1/notifications", **bearer(client, "dept_head"))

    assert response.status_code == 200
    data = response.json()
    assert [n["title"] for n in data] == ["Second", "First"]
    assert data[1] == {
        "id": first.pk,
        "event": "approval.requested",
        "title": "First",
        "body": "",
        "url": f"/campaigns/{campaign.pk}/",
        "campaign": campaign.pk,
        "created_at": data[1]["created_at"],
        "read_at": None,
        "read": False,
    }
    assert data[0]["campaign"] is None


def test_it_filters_unread(client, dept_head, two_notifications):
    first, _second = two_notifications
    headers = bearer(client, "dept_head")
    client.post(f"/api/v1/notifications/{first.pk}/read", **headers)

    unread = client.get("/api/v1/notifications?unread=true", **headers).json()
    read = client.get("/api/v1/notifications?unread=false", **headers).json()

    assert [n["title"] for n in unread] == ["Second"]
    assert [n["title"] for n in read] == ["First"]


def test_it_marks_one_read(client, dept_head, two_notifications):
    first, _second = two_notifications

    response = client.post(f"/api/v1/notifications/{first.pk}/read", **bearer(client, "dept_head"))

    assert response.status_code == 200
    assert response.json()["read"] is True
    assert response.json()["read_at"] is not None
    assert Notification.objects.get(pk=first.pk).read_at is not None


def test_someone_elses_notification_is_not_found(client, planner, two_notifications):
    first, _second = two_notifications

    response = client.post(f"/api/v1/notifications/{first.pk}/read", **bearer(client, "planner"))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert Notification.objects.get(pk=first.pk).read_at is None


def test_it_marks_all_read(client, dept_head, planner, two_notifications):
    response = client.post("/api/v1/notifications/read-all", **bearer(client, "dept_head"))

    assert response.status_code == 200
    assert response.json() == {"updated": 2}
    assert not Notification.objects.filter(recipient=dept_head, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=planner, read_at__isnull=True).count() == 1


def test_it_requires_authentication(client):
    assert client.get("/api/v1/notifications").status_code == 401


# --- campaign webhooks -------------------------------------------------------------------------------


def test_the_owner_adds_a_team_webhook_and_gets_it_back_masked(client, planner, campaign):
    response = client.post(
        f"/api/v1/campaigns/{campaign.pk}/webhooks",
        {
            "kind": "dingtalk",
            "name": "Marketing group",
            "url": DINGTALK_URL,
            "secret": "SECabcdef0123456789wxyz",
            "events": ["approval.requested", "approval.decided"],
            "language": "zh-hans",
        },
        content_type=JSON,
        **bearer(client, "planner"),
    )

    assert response.status_code == 201
    data = response.json()
    webhook = Webhook.objects.get()
    assert data == {
        "id": webhook.pk,
        "campaign": campaign.pk,
        "user": None,
        "kind": "dingtalk",
        "name": "Marketing group",
        "url": "https://oapi.dingtalk.com/••••9f3a",
        "secret": "••••wxyz",
        "has_secret": True,
        "events": ["approval.requested", "approval.decided"],
        "language": "zh-hans",
        "active": True,
        "created_at": data["created_at"],
        "last_sent_at": None,
        "last_error": "",
        "last_error_at": None,
    }
    assert webhook.url == DINGTALK_URL and webhook.secret == "SECabcdef0123456789wxyz"
    # the audit trail records the change, never the secret or the token in the URL
    event = AuditEvent.objects.get(verb="webhook.created")
    assert event.campaign == campaign
    assert event.after["has_secret"] is True
    assert "SECabcdef" not in str(event.after) and "0123456789abcdef" not in str(event.after)


def test_it_lists_the_campaigns_webhooks(client, planner, campaign):
    make_webhook(url=DINGTALK_URL, kind="dingtalk", campaign=campaign, name="B")
    make_webhook(url="https://example.com/a", campaign=campaign, name="A")

    response = client.get(f"/api/v1/campaigns/{campaign.pk}/webhooks", **bearer(client, "planner"))

    assert response.status_code == 200
    assert [w["name"] for w in response.json()] == ["A", "B"]


def test_an_outsider_does_not_see_the_campaign_and_a_member_may_not_manage(client, campaign, outsider):
    member = UserFactory(username="member", department=campaign.department)
    CampaignMember.objects.create(campaign=campaign, user=member, role="member")
    webhook = make_webhook(url=DINGTALK_URL, campaign=campaign)
    body = {"kind": "slack", "name": "x", "url": "https://hooks.slack.com/services/T/B/X"}

    for username, status in (("outsider", 404), ("member", 403)):
        headers = bearer(client, username)
        assert client.get(f"/api/v1/campaigns/{campaign.pk}/webhooks", **headers).status_code == status
        created = client.post(f"/api/v1/campaigns/{campaign.pk}/webhooks", body, content_type=JSON, **headers)
        assert created.status_code == status
        assert client.get(f"/api/v1/webhooks/{webhook.pk}", **headers).status_code == status
        patched = client.patch(f"/api/v1/webhooks/{webhook.pk}", {"name": "y"}, content_type=JSON, **headers)
        assert patched.status_code == status
        assert client.delete(f"/api/v1/webhooks/{webhook.pk}", **headers).status_code == status
        assert client.post(f"/api/v1/webhooks/{webhook.pk}/test", **headers).status_code == status

    assert list(Webhook.objects.values_list("name", flat=True)) == ["generic hook"]


def test_it_rejects_a_bad_url_an_unknown_event_and_an_unknown_kind(client, planner, campaign):
    headers = bearer(client, "planner")
    url = f"/api/v1/campaigns/{campaign.pk}/webhooks"

    bad_url = client.post(url, {"kind": "slack", "name": "x", "url": "ftp://x"}, content_type=JSON, **headers)
    bad_event = client.post(
        url,
        {"kind": "slack", "name": "x", "url": "https://x.example", "events": ["party"]},
        content_type=JSON,
        **headers,
    )
    bad_kind = client.post(
        url, {"kind": "fax", "name": "x", "url": "https://x.example"}, content_type=JSON, **headers
    )

    assert bad_url.status_code == 422
    assert bad_url.json()["errors"][0]["field"] == "url"
    assert bad_event.status_code == 422
    assert bad_event.json()["errors"][0]["field"] == "events"
    assert bad_kind.status_code == 422
    assert bad_kind.json()["errors"][0]["field"] == "kind"
    assert not Webhook.objects.exists()


def test_patch_keeps_replaces_or_removes_the_secret(client, planner, campaign):
    webhook = make_webhook(
        url=DINGTALK_URL, kind="dingtalk", campaign=campaign, secret="old-secret-0123456789"
    )
    headers = bearer(client, "planner")
    path = f"/api/v1/webhooks/{webhook.pk}"

    kept = client.patch(path, {"name": "Renamed", "active": False}, content_type=JSON, **headers)
    assert kept.status_code == 200
    assert (kept.json()["name"], kept.json()["active"], kept.json()["secret"]) == (
        "Renamed",
        False,
        "••••6789",
    )
    assert Webhook.objects.get().secret == "old-secret-0123456789"

    replaced = client.patch(path, {"secret": "new-secret-abcdefghij"}, content_type=JSON, **headers)
    assert replaced.json()["secret"] == "••••ghij"

    removed = client.patch(path, {"secret": ""}, content_type=JSON, **headers)
    assert (removed.json()["secret"], removed.json()["has_secret"]) == ("", False)
    assert Webhook.objects.get().secret == ""
    assert AuditEvent.objects.filter(verb="webhook.updated").count() == 3


def test_delete_removes_the_webhook(client, planner, campaign):
    webhook = make_webhook(url=DINGTALK_URL, campaign=campaign)

    response = client.delete(f"/api/v1/webhooks/{webhook.pk}", **bearer(client, "planner"))

    assert response.status_code == 204
    assert not Webhook.objects.exists()
    assert AuditEvent.objects.filter(verb="webhook.deleted", campaign=campaign).count() == 1


def test_the_test_button_reports_delivery_and_failure(client, planner, campaign, receiver):
    working = make_webhook(url=receiver.url(), kind="generic", campaign=campaign, secret="s" * 20)
    broken = make_webhook(url=f"http://127.0.0.1:{free_port()}/", kind="slack", campaign=campaign)
    headers = bearer(client, "planner")

    ok = client.post(f"/api/v1/webhooks/{working.pk}/test", **headers)
    failed = client.post(f"/api/v1/webhooks/{broken.pk}/test", **headers)

    assert ok.json() == {"ok": True, "error": ""}
    assert receiver.requests[0].json["event"] == "webhook.test"
    assert receiver.requests[0].json["title"] == "Test message from CampaignFlow"
    assert failed.status_code == 200
    assert failed.json()["ok"] is False
    assert "Cannot reach the receiver" in failed.json()["error"]
    assert Webhook.objects.get(pk=broken.pk).is_failing


def test_an_id_beyond_the_database_range_is_a_404(client, planner):
    headers = bearer(client, "planner")

    assert client.get(f"/api/v1/webhooks/{2**70}", **headers).status_code == 404
    assert client.post(f"/api/v1/notifications/{2**70}/read", **headers).status_code == 404
    assert client.get(f"/api/v1/campaigns/{2**70}/webhooks", **headers).status_code == 404


# --- personal settings ----------------------------------------------------------------------------------


def test_a_user_manages_personal_webhooks(client, dept_head, planner):
    headers = bearer(client, "dept_head")

    created = client.post(
        "/api/v1/me/webhooks",
        {
            "kind": "feishu",
            "name": "Me on Feishu",
            "url": "https://open.feishu.cn/open-apis/bot/v2/hook/abcdef123456",
        },
        content_type=JSON,
        **headers,
    )
    listed = client.get("/api/v1/me/webhooks", **headers)
    others = client.get("/api/v1/me/webhooks", **bearer(client, "planner"))

    assert created.status_code == 201
    assert (created.json()["user"], created.json()["campaign"]) == (dept_head.pk, None)
    assert [w["name"] for w in listed.json()] == ["Me on Feishu"]
    assert others.json() == []
    assert (
        client.get(f"/api/v1/webhooks/{created.json()['id']}", **bearer(client, "planner")).status_code == 404
    )


def test_e_mail_preferences_round_trip(client, dept_head):
    headers = bearer(client, "dept_head")

    assert client.get("/api/v1/me/notification-settings", **headers).json() == {"email_off": []}
    saved = client.put(
        "/api/v1/me/notification-settings", {"email_off": ["task.due_soon"]}, content_type=JSON, **headers
    )
    bad = client.put(
        "/api/v1/me/notification-settings", {"email_off": ["nope"]}, content_type=JSON, **headers
    )

    assert saved.json() == {"email_off": ["task.due_soon"]}
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "email_off"
    assert client.get("/api/v1/me/notification-settings", **headers).json() == {
        "email_off": ["task.due_soon"]
    }
