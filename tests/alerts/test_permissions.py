"""Who may see and answer alerts and manage rules: one matrix per decision, per persona."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from campaignflow.alerts import permissions, services
from campaignflow.alerts.models import Alert, AlertRule
from campaignflow.core.errors import Forbidden, NotFound

from .conftest import record

pytestmark = pytest.mark.django_db

PERSONAS = (
    "planner",
    "pm",
    "teammate",
    "viewer",
    "dept_head",
    "manager",
    "analyst",
    "admin_user",
    "outsider",
)

#                     view   respond  campaign rules  org rules
MATRIX = {
    "planner": (True, True, True, False),  # the owner
    "pm": (True, True, True, False),
    "teammate": (True, False, False, False),
    "viewer": (True, False, False, False),
    "dept_head": (True, False, False, False),
    "manager": (True, False, False, False),
    "analyst": (True, False, True, True),
    "admin_user": (True, True, True, True),
    "outsider": (False, False, False, False),
}


@pytest.fixture
def people(request, live_campaign, dept_head, manager, analyst, admin_user, outsider):
    return {name: request.getfixturevalue(name) for name in PERSONAS}


@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(people, live_campaign, persona):
    user = people[persona]
    view, respond, campaign_rules, org_rules = MATRIX[persona]

    assert permissions.can_view_alerts(user, live_campaign) is view
    assert permissions.can_respond(user, live_campaign) is respond
    assert permissions.can_manage_campaign_rules(user, live_campaign) is campaign_rules
    assert permissions.can_manage_org_rules(user) is org_rules


@pytest.mark.parametrize("persona", PERSONAS)
def test_refused_rule_writes_change_nothing(people, live_campaign, persona):
    user = people[persona]
    _view, _respond, campaign_rules, org_rules = MATRIX[persona]
    data = {"metric": "ctr", "condition": "above_absolute", "threshold": "1"}
    before = AlertRule.objects.count()

    if not org_rules:
        with pytest.raises(Forbidden):
            services.alert_rule_create(actor=user, data=data)
    if not campaign_rules:
        with pytest.raises(NotFound if persona == "outsider" else Forbidden):
            services.alert_rule_create(actor=user, campaign=live_campaign, data=data)
    if org_rules:
        services.alert_rule_create(actor=user, data=data)
    if campaign_rules:
        services.alert_rule_create(actor=user, campaign=live_campaign, data=data)

    assert AlertRule.objects.count() == before + org_rules + campaign_rules


def test_the_alert_list_holds_only_visible_campaigns(live_campaign, moments, outsider, viewer):
    record(live_campaign, moments, dt.date(2024, 6, 10), clicks=1000, conversions=20)
    services.alerts_evaluate(campaign=live_campaign)

    assert permissions.visible_alerts(viewer).count() == 1
    assert permissions.visible_alerts(outsider).count() == 0


def test_the_badge_counts_open_alerts_of_ones_own_campaigns_and_escalated_ones_for_heads(
    live_campaign, moments, pm, planner, teammate, dept_head, manager, sales_head, clock
):
    record(live_campaign, moments, dt.date(2024, 6, 10), clicks=1000, conversions=20, negative_comments=60)
    services.alerts_evaluate(campaign=live_campaign)
    counts = lambda: {  # noqa: E731
        u.username: permissions.concerning(u).count()
        for u in (pm, planner, teammate, dept_head, manager, sales_head)
    }

    assert counts() == {"pm": 2, "planner": 2, "teammate": 0, "dept_head": 0, "manager": 0, "sales_head": 0}

    clock.advance(hours=25)
    services.alerts_escalate_overdue()
    services.alert_acknowledge(alert=Alert.objects.filter(metric="cvr").get(), actor=pm, response_plan="Fix")

    assert counts() == {"pm": 1, "planner": 1, "teammate": 0, "dept_head": 1, "manager": 1, "sales_head": 0}
    assert Alert.objects.filter(threshold=Decimal("50")).get().escalation_level == 1
