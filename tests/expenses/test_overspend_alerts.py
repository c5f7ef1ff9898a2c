"""Overspend raises an alert through the alerts mechanism: one per category and the total, 24 hours
to answer with a response plan, escalated like a metric alert, visible in the API and on the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from campaignflow.alerts import services as alert_services
from campaignflow.alerts.models import Alert
from campaignflow.expenses import services
from campaignflow.notifications.models import Notification
from tests.expenses.conftest import expense_data
from tests.factories import PASSWORD


def _budget_alerts(campaign):
    return Alert.objects.filter(campaign=campaign, source="budget").order_by("pk")


def test_overspending_a_category_opens_one_alert_and_tells_the_team_and_finance_once(
    live, pm, finance, planner
):
    line = live.lines["third_party"]  # 10,000

    services.expense_create(campaign=live, actor=pm, data=expense_data(line, amount="9000.00"))
    assert not _budget_alerts(live).exists()
    services.expense_create(campaign=live, actor=pm, data=expense_data(line, amount="1500.00"))
    services.expense_create(campaign=live, actor=pm, data=expense_data(line, amount="100.00"))

    (alert,) = _budget_alerts(live)
    assert (alert.subject, alert.rule, alert.status, alert.severity) == (
        "third_party",
        None,
        "open",
        "warning",
    )
    assert (alert.observed, alert.expected) == (Decimal("10600.00"), Decimal("10000.00"))  # follows the spend
    assert alert.due_at - alert.opened_at == dt.timedelta(hours=24)
    assert alert.label == "Spend above budget: Third-party services"
    notified = Notification.objects.filter(event="budget.overspent")
    assert sorted(n.recipient.username for n in notified) == ["finance", "planner", "pm"]
    assert notified[0].title == "Overspent: Third-party services of Spring tea launch"
    assert "within 24 hours" in notified[0].body


def test_the_total_budget_overspent_is_its_own_critical_alert(live, finance):
    services.expense_create(
        campaign=live, actor=finance, data=expense_data(live.lines["promotion"], amount="100000.01")
    )

    alerts = {alert.subject: alert for alert in _budget_alerts(live)}
    assert set(alerts) == {"promotion", "total"}
    assert (
        alerts["total"].severity == "critical" and alerts["total"].label == "Spend above budget: Total budget"
    )


def test_an_alert_says_when_its_category_is_back_within_budget(live, finance):
    expense = services.expense_create(
        campaign=live, actor=finance, data=expense_data(live.lines["materials"], amount="20500.00")
    )
    assert _budget_alerts(live).get().still_breaching

    services.expense_update(expense=expense, actor=finance, data={"amount": "19500.00"})

    alert = _budget_alerts(live).get()
    assert (alert.still_breaching, alert.status, alert.observed) == (False, "open", Decimal("19500.00"))


def test_a_resolved_alert_reopens_only_when_spend_grows_past_it(live, pm, finance):
    line = live.lines["materials"]
    services.expense_create(campaign=live, actor=finance, data=expense_data(line, amount="21000.00"))
    first = _budget_alerts(live).get()
    alert_services.alert_acknowledge(alert=first, actor=pm, response_plan="Cut the second print run.")
    alert_services.alert_resolve(alert=first, actor=pm, note="Vendor refund agreed.")

    extra = services.expense_create(campaign=live, actor=finance, data=expense_data(line, amount="0.01"))
    assert _budget_alerts(live).count() == 2  # 21,000.01 > 21,000: spend grew after the resolution

    alert_services.alert_resolve(alert=_budget_alerts(live).last(), actor=pm)
    services.expense_delete(expense=extra, actor=finance)
    services.expense_create(campaign=live, actor=finance, data=expense_data(line, amount="0.01"))
    assert _budget_alerts(live).count() == 2  # back at a spend already dealt with


def test_an_unanswered_budget_alert_goes_to_the_department_head_and_management(
    live, finance, dept_head, manager
):
    services.expense_create(
        campaign=live, actor=finance, data=expense_data(live.lines["materials"], amount="20500.00")
    )
    alert = _budget_alerts(live).get()

    escalated = alert_services.alerts_escalate_overdue(now=timezone.now() + dt.timedelta(hours=25))

    assert escalated == [alert.pk]
    told = Notification.objects.filter(event="alert.escalated").values_list("recipient__username", flat=True)
    assert sorted(told) == ["dept_head", "manager"]
    assert (
        "Spend above budget: Materials" in Notification.objects.filter(event="alert.escalated").first().body
    )


def test_budget_alerts_show_in_the_api_and_on_the_alerts_page(client, live, finance, planner):
    services.expense_create(
        campaign=live, actor=finance, data=expense_data(live.lines["materials"], amount="20500.00")
    )
    client.login(username="planner", password=PASSWORD)

    (row,) = client.get(f"/api/v1/campaigns/{live.pk}/alerts").json()
    assert (row["rule"], row["source"], row["subject"]) == (None, "budget", "materials")
    assert row["rule_name"] == "Spend above budget: Materials" and row["observed"] == "20500"

    page = client.get(reverse("alerts:campaign", args=[live.pk])).content.decode()
    assert "Spend above budget: Materials" in page
