"""Each platform's exact wire format and signature, as received by a real HTTP server on loopback."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus

import pytest

from campaignflow.notifications.delivery import delivery_attempt
from campaignflow.notifications.models import Delivery
from campaignflow.notifications.services import notify

from .conftest import make_webhook

pytestmark = pytest.mark.django_db

BASE = "https://campaigns.example.com"
TITLE = "Approval requested: Spring tea launch"
BODY = "Planner submitted revision 1 for approval."


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.CAMPAIGNFLOW_BASE_URL = BASE


def post_to_team_chat(campaign, planner, webhook) -> Delivery:
    """An event of the campaign, delivered to its one team webhook; returns the delivery."""
    notify(
        event="approval.requested",
        recipients=[],
        title=TITLE,
        body=BODY,
        campaign=campaign,
        actor=planner,
    )
    delivery = Delivery.objects.get(webhook=webhook)
    assert delivery_attempt(delivery.pk) == "sent"
    delivery.refresh_from_db()
    return delivery


def link(campaign) -> str:
    return f"{BASE}/campaigns/{campaign.pk}/"


def test_dingtalk_gets_a_signed_markdown_message(receiver, campaign, planner):
    # given a DingTalk robot with signing switched on
    secret = "SEC0123456789abcdef0123456789abcdef"
    webhook = make_webhook(
        kind="dingtalk",
        url=receiver.url("/robot/send", "access_token=tok123"),
        secret=secret,
        campaign=campaign,
    )

    # when an event of the campaign is delivered
    before_ms = int(time.time() * 1000)
    post_to_team_chat(campaign, planner, webhook)
    after_ms = int(time.time() * 1000)

    # then the robot got DingTalk's markdown message ...
    (received,) = receiver.requests
    assert received.path == "/robot/send"
    assert received.headers["Content-Type"] == "application/json; charset=utf-8"
    assert received.json == {
        "msgtype": "markdown",
        "markdown": {
            "title": TITLE,
            "text": f"#### {TITLE}\n\n> Spring tea launch\n\n{BODY}\n\n[Open in CampaignFlow]({link(campaign)})",
        },
    }
    # ... with the token kept and timestamp + sign appended, the sign URL-encoded in the query
    assert received.query["access_token"] == "tok123"
    timestamp = received.query["timestamp"]
    assert before_ms <= int(timestamp) <= after_ms
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert received.query["sign"] == expected
    assert f"sign={quote_plus(expected)}" in received.raw_query


def test_dingtalk_without_a_secret_is_not_signed(receiver, campaign, planner):
    webhook = make_webhook(
        kind="dingtalk", url=receiver.url("/robot/send", "access_token=t"), campaign=campaign
    )

    post_to_team_chat(campaign, planner, webhook)

    assert receiver.requests[0].query == {"access_token": "t"}


def test_dingtalk_answering_an_error_code_with_200_is_a_failed_attempt(receiver, campaign, planner):
    # given a DingTalk robot that refuses the signature (it answers HTTP 200 with an error code)
    webhook = make_webhook(
        kind="dingtalk", url=receiver.url("/robot/send"), secret="x" * 20, campaign=campaign
    )
    receiver.answer(200, b'{"errcode":310000,"errmsg":"sign not match"}')
    notify(event="approval.requested", recipients=[], title=TITLE, campaign=campaign, actor=planner)
    delivery = Delivery.objects.get(webhook=webhook)

    # when it is attempted
    status = delivery_attempt(delivery.pk)

    # then the attempt failed, with DingTalk's reason kept
    delivery.refresh_from_db()
    assert status == "failed"
    assert delivery.status == "failed"
    assert "310000" in delivery.last_error
    assert "sign not match" in delivery.last_error


def test_feishu_gets_a_signed_rich_text_post(receiver, campaign, planner):
    secret = "feishu-secret-0123456789"
    webhook = make_webhook(
        kind="feishu", url=receiver.url("/open-apis/bot/v2/hook/abc"), secret=secret, campaign=campaign
    )
    receiver.default = (200, b'{"code":0,"data":{},"msg":"success"}')

    before = int(time.time())
    post_to_team_chat(campaign, planner, webhook)
    after = int(time.time())

    (received,) = receiver.requests
    body = received.json
    timestamp = body["timestamp"]
    assert before <= int(timestamp) <= after
    # Feishu: the string "timestamp\nsecret" is the HMAC key, the message is empty
    expected_sign = base64.b64encode(
        hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    ).decode()
    assert body == {
        "timestamp": timestamp,
        "sign": expected_sign,
        "msg_type": "post",
        "content": {
            "post": {
                "en_us": {
                    "title": TITLE,
                    "content": [
                        [{"tag": "text", "text": "Spring tea launch"}],
                        [{"tag": "text", "text": BODY}],
                        [{"tag": "a", "text": "Open in CampaignFlow", "href": link(campaign)}],
                    ],
                }
            }
        },
    }


def test_feishu_error_code_fails_the_attempt(receiver, campaign, planner):
    webhook = make_webhook(kind="feishu", url=receiver.url(), secret="s" * 20, campaign=campaign)
    receiver.answer(200, b'{"code":19021,"msg":"sign match fail or timestamp is not within one hour"}')
    notify(event="approval.requested", recipients=[], title=TITLE, campaign=campaign, actor=planner)

    status = delivery_attempt(Delivery.objects.get(webhook=webhook).pk)

    assert status == "failed"
    assert "19021" in Delivery.objects.get(webhook=webhook).last_error


def test_feishu_post_uses_the_chinese_key_for_a_chinese_team(receiver, campaign, planner):
    webhook = make_webhook(kind="feishu", url=receiver.url(), campaign=campaign, language="zh-hans")

    post_to_team_chat(campaign, planner, webhook)

    body = receiver.requests[0].json
    assert "timestamp" not in body and "sign" not in body
    assert list(body["content"]["post"]) == ["zh_cn"]


def test_wecom_gets_a_markdown_message(receiver, campaign, planner):
    webhook = make_webhook(
        kind="wecom", url=receiver.url("/cgi-bin/webhook/send", "key=k1"), campaign=campaign
    )

    post_to_team_chat(campaign, planner, webhook)

    (received,) = receiver.requests
    assert received.query == {"key": "k1"}
    assert received.json == {
        "msgtype": "markdown",
        "markdown": {
            "content": f"**{TITLE}**\n> Spring tea launch\n{BODY}\n[Open in CampaignFlow]({link(campaign)})"
        },
    }


def test_wecom_content_stays_within_4096_bytes(receiver, campaign, planner):
    webhook = make_webhook(kind="wecom", url=receiver.url(), campaign=campaign)
    notify(event="approval.requested", recipients=[], title=TITLE, body="预算" * 3000, campaign=campaign)

    assert delivery_attempt(Delivery.objects.get(webhook=webhook).pk) == "sent"

    content = receiver.requests[0].json["markdown"]["content"]
    assert len(content.encode()) <= 4096
    assert content.startswith(f"**{TITLE}**") and content.endswith(f"({link(campaign)})")


def test_slack_gets_text_and_blocks_with_escaped_text(receiver, campaign, planner):
    webhook = make_webhook(kind="slack", url=receiver.url("/services/T0/B0/X0"), campaign=campaign)
    receiver.default = (200, b"ok")
    notify(
        event="approval.requested",
        recipients=[],
        title="Budget <over> & under",
        body=BODY,
        campaign=campaign,
        actor=planner,
    )

    assert delivery_attempt(Delivery.objects.get(webhook=webhook).pk) == "sent"

    assert receiver.requests[0].json == {
        "text": f"Budget <over> & under: {BODY}",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*<{link(campaign)}|Budget &lt;over&gt; &amp; under>*\n{BODY}",
                },
            },
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "Spring tea launch · CampaignFlow"}]},
        ],
    }


def test_generic_webhook_gets_json_with_a_verifiable_hmac_signature(receiver, campaign, planner):
    secret = "generic-shared-secret-42"
    webhook = make_webhook(
        kind="generic", url=receiver.url("/campaignflow"), secret=secret, campaign=campaign
    )

    delivery = post_to_team_chat(campaign, planner, webhook)

    (received,) = receiver.requests
    assert received.json == {
        "event": "approval.requested",
        "title": TITLE,
        "body": BODY,
        "url": link(campaign),
        "campaign": {"id": campaign.pk, "number": None, "name": "Spring tea launch"},
        "occurred_at": delivery.payload["occurred_at"],
        "id": str(delivery.uid),
    }
    headers = received.headers
    assert headers["X-CampaignFlow-Event"] == "approval.requested"
    assert headers["X-CampaignFlow-Delivery"] == str(delivery.uid)
    timestamp = headers["X-CampaignFlow-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    # the receiver's check: HMAC-SHA256(secret, timestamp + "." + raw body), hex, "sha256=" prefix
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + received.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(headers["X-CampaignFlow-Signature"], f"sha256={expected}")


def test_generic_webhook_without_a_secret_carries_no_signature(receiver, campaign, planner):
    webhook = make_webhook(kind="generic", url=receiver.url(), campaign=campaign)

    post_to_team_chat(campaign, planner, webhook)

    assert "X-CampaignFlow-Signature" not in receiver.requests[0].headers
    assert receiver.requests[0].headers["X-CampaignFlow-Event"] == "approval.requested"


def test_a_redirect_is_not_followed(receiver, campaign, planner):
    webhook = make_webhook(kind="generic", url=receiver.url(), campaign=campaign)
    receiver.answer(302, b"")
    notify(event="approval.requested", recipients=[], title=TITLE, campaign=campaign)

    assert delivery_attempt(Delivery.objects.get(webhook=webhook).pk) == "failed"

    assert len(receiver.requests) == 1
    assert "HTTP 302" in Delivery.objects.get(webhook=webhook).last_error
