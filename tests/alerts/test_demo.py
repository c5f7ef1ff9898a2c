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
        alerts = Alert.objects.filter(campaign=campaign)
        escalated = alerts.get(metric="negative_comments")
        acknowledged = alerts.get(status="acknowledged")
        assert (escalated.status, escalated.escalation_level) == ("open", 1), campaign.name
        assert escalated.observed >= 57 and escalated.still_breaching
        assert acknowledged.metric == "conversions" and "负责人：刘洋" in acknowledged.response_plan
        assert acknowledged.acknowledged_by.username == "liu.pm"
        assert alerts.filter(status="open", escalation_level=0, metric="cvr").exists()
    assert not Alert.objects.exclude(campaign__in=live).exists()


def test_the_escalation_reached_the_head_of_marketing_and_management_and_was_audited(loaded):
    told = set(
        Notification.objects.filter(event="alert.escalated").values_list("recipient__username", flat=True)
    )

    assert told == {"li.head", "wang.manager"}
    assert AuditEvent.objects.filter(verb="alertrule.created", actor__username="liu.pm").count() == 4
    assert AuditEvent.objects.filter(verb="alert.acknowledged", actor__username="liu.pm").count() == 2
