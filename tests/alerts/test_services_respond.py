"""Answering an alert: acknowledge with a response plan, resolve, and escalation after 24 hours."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from campaignflow.alerts import services, tasks
from campaignflow.alerts.models import Alert
from campaignflow.audit.models import AuditEvent
from campaignflow.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from campaignflow.notifications.models import Notification

from .conftest import NOW, record

pytestmark = pytest.mark.django_db

PLAN = "Swap the Douyin creative today; customer service answers every comment within 24 h."


@pytest.fixture
def alert(live_campaign, moments):
    record(live_campaign, moments, dt.date(2024, 6, 10), clicks=1000, conversions=20)
    return services.alerts_evaluate(campaign=live_campaign).opened[0]


def told(event: str) -> list[str]:
    return sorted(Notification.objects.filter(event=event).values_list("recipient__username", flat=True))


def test_the_pm_acknowledges_with_a_response_plan_and_the_owner_is_told(alert, pm):
    services.alert_acknowledge(alert=alert, actor=pm, response_plan=f"  {PLAN}  ")

    alert.refresh_from_db()
    assert (alert.status, alert.response_plan, alert.acknowledged_by, alert.acknowledged_at) == (
        "acknowledged",
        PLAN,
        pm,
        NOW,
    )
    assert told("alert.acknowledged") == ["planner"]
    assert AuditEvent.objects.filter(verb="alert.acknowledged", actor=pm, object_id=str(alert.pk)).exists()


@pytest.mark.parametrize("plan", ["", "   \n "])
def test_acknowledging_requires_a_response_plan_and_changes_nothing_without_one(alert, pm, plan):
    with pytest.raises(ValidationFailed) as caught:
        services.alert_acknowledge(alert=alert, actor=pm, response_plan=plan)

    assert [e.field for e in caught.value.errors] == ["response_plan"]
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == ("open", None)
    assert not AuditEvent.objects.filter(verb="alert.acknowledged").exists()


def test_an_acknowledged_alert_cannot_be_acknowledged_again(alert, pm):
    services.alert_acknowledge(alert=alert, actor=pm, response_plan=PLAN)

    with pytest.raises(Conflict):
        services.alert_acknowledge(alert=alert, actor=pm, response_plan="Another plan")
    alert.refresh_from_db()
    assert alert.response_plan == PLAN


def test_resolving_closes_the_alert_with_a_note_and_tells_nobody(alert, pm):
    services.alert_acknowledge(alert=alert, actor=pm, response_plan=PLAN)
    before = Notification.objects.count()

    services.alert_resolve(alert=alert, actor=pm, note="CVR back to 3.6 %")

    alert.refresh_from_db()
    assert (alert.status, alert.resolved_by, alert.resolution_note) == ("resolved", pm, "CVR back to 3.6 %")
    assert Notification.objects.count() == before
    with pytest.raises(Conflict):
        services.alert_resolve(alert=alert, actor=pm)


def test_a_team_member_may_not_answer_and_an_outsider_does_not_see_the_alert(alert, teammate, outsider):
    with pytest.raises(Forbidden):
        services.alert_acknowledge(alert=alert, actor=teammate, response_plan=PLAN)
    with pytest.raises(NotFound):
        services.alert_resolve(alert=alert, actor=outsider)
    alert.refresh_from_db()
    assert alert.status == "open"


# --- escalation -------------------------------------------------------------------------------------


def test_an_unanswered_alert_escalates_after_24_hours_to_department_head_and_management_once(
    alert, dept_head, manager, sales_head, clock
):
    clock.advance(hours=23, minutes=59)
    assert services.alerts_escalate_overdue() == []

    clock.advance(minutes=1)
    assert tasks.escalate_overdue.call_local() == 1
    clock.advance(minutes=5)
    assert tasks.escalate_overdue.call_local() == 0

    alert.refresh_from_db()
    assert (alert.escalation_level, alert.escalated_at) == (1, NOW + dt.timedelta(hours=24))
    assert told("alert.escalated") == ["dept_head", "manager"]
    assert AuditEvent.objects.filter(verb="alert.escalated", object_id=str(alert.pk)).count() == 1


def test_an_escalation_already_sent_is_not_sent_again_even_if_the_level_was_reset(alert, dept_head, clock):
    clock.advance(hours=25)
    services.alerts_escalate_overdue()
    Alert.objects.filter(pk=alert.pk).update(escalation_level=0)

    services.alerts_escalate_overdue()

    assert told("alert.escalated") == ["dept_head"]


def test_an_acknowledged_alert_does_not_escalate(alert, pm, dept_head, clock):
    clock.advance(hours=2)
    services.alert_acknowledge(alert=alert, actor=pm, response_plan=PLAN)
    clock.advance(hours=30)

    assert services.alerts_escalate_overdue() == []
    assert told("alert.escalated") == []


def test_acknowledging_an_escalated_alert_tells_those_it_was_escalated_to(
    alert, pm, dept_head, manager, clock
):
    clock.advance(hours=25)
    services.alerts_escalate_overdue()

    services.alert_acknowledge(alert=alert, actor=pm, response_plan=PLAN)

    assert told("alert.acknowledged") == ["dept_head", "manager", "planner"]


def test_the_observed_value_keeps_its_unit_in_the_notification(alert):
    body = Notification.objects.filter(event="alert.opened").first().body

    assert "2.00%" in body.replace(" ", "") and "3.50%" in body.replace(" ", "")
    assert alert.observed == Decimal("0.02")
