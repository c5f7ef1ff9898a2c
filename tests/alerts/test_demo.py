"""The demo's running campaigns carry alerts in each state, made through the services."""

from __future__ import annotations

import pytest

from campaignflow.alerts.models import Alert
from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns import demo
from campaignflow.campaigns.models import Campaign
from campaignflow.notifications.models import Notification

from .conftest import NOW


@pytest.fixture
def loaded(db):
    return demo.demo_load(today=NOW.date())


def test_each_live_campaign_has_an_open_an_acknowledged_and_an_escalated_alert(loaded):
    live = Campaign.objects.filter(status__in=["live", "optimizing"])
    assert live.count() == 2

    for campaign in live:
        alerts = Alert.objects.filter(campaign=campaign, source="rule")
        escalated = alerts.get(metric="negative_comments")
        acknowledged = alerts.get(status="acknowledged")
        assert (escalated.status, escalated.escalation_level) == ("open", 1), campaign.name
        assert escalated.observed >= 57 and escalated.still_breaching
        assert acknowledged.metric == "conversions" and "负责人：刘洋" in acknowledged.response_plan
        assert acknowledged.acknowledged_by.username == "liu.pm"
        assert alerts.filter(status="open", escalation_level=0, metric="cvr").exists()
    assert not Alert.objects.exclude(campaign__in=live).filter(source="rule").exists()


def test_materials_over_budget_leave_running_campaigns_a_budget_alert_and_closed_ones_an_answered_one(loaded):
    budget = Alert.objects.filter(source="budget")
    running = budget.filter(campaign__status__in=["live", "optimizing"])
    assert running.count() == 2
    assert set(running.values_list("subject", "status")) == {("materials", "open")}
    done = budget.exclude(campaign__status__in=["live", "optimizing"])
    assert done.exists()
    assert set(done.values_list("status", flat=True)) == {"resolved"}
    assert all("负责人：刘洋" in alert.response_plan for alert in done)


def test_the_escalation_reached_the_head_of_marketing_and_management_and_was_audited(loaded):
    told = set(
        Notification.objects.filter(event="alert.escalated").values_list("recipient__username", flat=True)
    )

    assert told == {"li.head", "wang.manager"}
    assert AuditEvent.objects.filter(verb="alertrule.created", actor__username="liu.pm").count() == 4
    acknowledged = AuditEvent.objects.filter(verb="alert.acknowledged", actor__username="liu.pm")
    budget_answered = Alert.objects.filter(source="budget", status="resolved").count()
    assert acknowledged.count() == 2 + budget_answered
