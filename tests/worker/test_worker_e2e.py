"""End to end through the real worker: jobs queued after commit, run by `campaignflow worker` in
another process, messages arriving at a webhook receiver and an SMTP server on loopback.

The queue is Redis when REDIS_URL is set (the PostgreSQL CI pass) and the SQLite queue file
otherwise; the worker works on the test's own database either way.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from campaignflow.alerts.models import Alert, AlertRule
from campaignflow.campaigns import services as campaigns
from campaignflow.campaigns.models import CampaignMember, Goal
from campaignflow.metrics import services as metrics
from campaignflow.notifications.models import Delivery, Notification, Webhook
from tests.deploy.helpers import wait_for
from tests.factories import CampaignFactory, ChannelFactory, UserFactory
from tests.metrics.helpers import csv_bytes

from .harness import queue_backend

# Committed for real, so other processes and threads see the rows; data the migrations seed
# (metric definitions, default alert rules) is seeded again before each test (the `seeded` fixture).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]


def all_sent(count: int) -> bool:
    statuses = list(Delivery.objects.values_list("status", flat=True))
    return len(statuses) == count and set(statuses) == {"sent"}


@pytest.fixture
def live(planner, marketing):
    today = timezone.localdate()
    campaign = CampaignFactory(
        owner=planner,
        department=marketing,
        name="Winter tea club",
        status="live",
        number="MC-2026-0042",
        start_date=today - dt.timedelta(days=20),
        end_date=today + dt.timedelta(days=10),
    )
    pm = UserFactory(username="pm", department=marketing, roles=["member"])
    CampaignMember.objects.create(campaign=campaign, user=pm, role="project_manager")
    Goal.objects.create(
        campaign=campaign,
        metric="cvr",
        name="CVR",
        target=Decimal("0.035"),
        direction="higher",
        deadline=campaign.end_date,
    )
    AlertRule.objects.filter(campaign__isnull=True).delete()  # only this test's rule
    AlertRule.objects.create(
        campaign=campaign, metric="cvr", condition="below_target_pct", threshold=Decimal("0.3")
    )
    ChannelFactory(name="朋友圈", kind="paid_social")
    return campaign


def test_an_alert_from_an_import_reaches_the_bell_the_team_chat_and_the_inboxes(
    real_worker, smtp, receiver, live, analyst
):
    Webhook.objects.create(
        campaign=live, kind="generic", name="Team chat", url=receiver.url(), events=["alert.opened"]
    )
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    export = csv_bytes([["日期", "渠道", "点击量", "转化量"], [yesterday, "朋友圈", "1000", "20"]])  # CVR 2 %

    metrics.daily_metrics_import(
        campaign=live, actor=analyst, stream=io.BytesIO(export), filename="daily.csv"
    )

    # the worker evaluates the rules (a job queued after the import's commit), opens the alert and
    # sends its notifications: a webhook call for the team, an e-mail to the owner and the PM
    real_worker.wait_for(lambda: all_sent(3), seconds=90, what=f"3 deliveries sent on {queue_backend()}")
    alert = Alert.objects.get()
    assert (alert.campaign, alert.metric, alert.status) == (live, "cvr", "open")
    told = Notification.objects.filter(event="alert.opened")
    assert sorted(told.values_list("recipient__username", flat=True)) == ["planner", "pm"]
    [call] = receiver.requests
    assert call.headers["X-CampaignFlow-Event"] == "alert.opened"
    assert call.json["campaign"]["number"] == "MC-2026-0042"
    wait_for(lambda: len(smtp.messages) == 2, seconds=10, what="2 e-mails")
    assert sorted(message["To"] for message in smtp.messages) == ["planner@example.com", "pm@example.com"]
    assert all("Winter tea club" in message["Subject"] for message in smtp.messages)
    assert (
        "worker consuming jobs from " + ("Redis" if queue_backend() == "redis" else "SQLite")
        in real_worker.text()
    )


def test_a_plan_submitted_in_the_web_process_is_mailed_by_the_worker(
    real_worker, smtp, campaign, planner, dept_head
):
    campaigns.campaign_submit(campaign=campaign, actor=planner)

    real_worker.wait_for(lambda: all_sent(1), seconds=60, what="the approval request e-mail")
    assert Notification.objects.get(event="approval.requested").recipient == dept_head
    [message] = smtp.messages
    assert message["To"] == "dept_head@example.com"
    assert "Spring tea launch" in message["Subject"]
    assert "/notifications/" in message.get_content()  # the footer links to the e-mail settings
