"""Alert rules: the organization's seeded defaults, and what a rule must say to be saved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from campaignflow.alerts import services
from campaignflow.alerts.models import Alert, AlertRule
from campaignflow.audit.models import AuditEvent
from campaignflow.core.errors import Conflict, ValidationFailed

from .conftest import record

pytestmark = pytest.mark.django_db

VALID = {"metric": "cvr", "condition": "below_target_pct", "threshold": "0.2", "severity": "critical"}


def test_the_organization_starts_with_the_seed_defaults_cvr_30_percent_and_50_negative_comments():
    defaults = AlertRule.objects.filter(campaign__isnull=True, active=True).order_by("id")

    assert [(r.metric, r.condition, r.threshold, r.channel) for r in defaults] == [
        ("cvr", "below_target_pct", Decimal("0.3000"), None),
        ("negative_comments", "above_absolute", Decimal("50.0000"), None),
    ]
    assert [r.label for r in defaults] == [
        "CVR 30 % worse than target",
        "Negative comments above 50",
    ]


def test_a_pm_adds_a_campaign_rule_and_it_is_audited(live_campaign, pm, douyin):
    rule = services.alert_rule_create(actor=pm, campaign=live_campaign, data={**VALID, "channel": douyin.pk})

    assert (rule.campaign, rule.channel, rule.threshold, rule.window) == (
        live_campaign,
        douyin,
        Decimal("0.2"),
        "day",
    )
    assert AuditEvent.objects.filter(verb="alertrule.created", actor=pm, campaign=live_campaign).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"threshold": "-1"}, "threshold"),
        ({"threshold": ""}, "threshold"),
        ({"threshold": "30"}, "threshold"),  # 3000 %: percentages are fractions
        ({"metric": "brand_love"}, "metric"),
        ({"metric": ""}, "metric"),
        ({"condition": "sideways"}, "condition"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"channel": 987654}, "channel"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(analyst, change, field):
    with pytest.raises(ValidationFailed) as caught:
        services.alert_rule_create(actor=analyst, data={**VALID, **change})

    assert caught.value.errors[0].field == field
    assert AlertRule.objects.count() == 2  # the defaults only


def test_above_n_takes_any_non_negative_number(analyst):
    rule = services.alert_rule_create(
        actor=analyst, data={"metric": "cost", "condition": "above_absolute", "threshold": "20000"}
    )

    assert rule.threshold == Decimal("20000")


def test_editing_a_rule_keeps_the_values_its_open_alert_was_opened_with(live_campaign, moments, analyst):
    record(live_campaign, moments, dt.date(2024, 6, 10), clicks=1000, conversions=20)
    alert = services.alerts_evaluate(campaign=live_campaign).opened[0]

    services.alert_rule_update(actor=analyst, rule=alert.rule, data={"threshold": "0.5"})

    alert.refresh_from_db()
    assert (alert.rule.threshold, alert.threshold) == (Decimal("0.5"), Decimal("0.3"))


def test_a_rule_that_raised_alerts_is_kept_for_history(live_campaign, moments, analyst):
    record(live_campaign, moments, dt.date(2024, 6, 10), clicks=1000, conversions=20)
    alert = services.alerts_evaluate(campaign=live_campaign).opened[0]

    with pytest.raises(Conflict):
        services.alert_rule_delete(actor=analyst, rule=alert.rule)

    assert Alert.objects.filter(rule=alert.rule).exists()


def test_a_rule_that_never_fired_can_be_removed(live_campaign, pm):
    rule = services.alert_rule_create(actor=pm, campaign=live_campaign, data=VALID)

    pk = rule.pk

    services.alert_rule_delete(actor=pm, rule=rule)

    assert not AlertRule.objects.filter(pk=pk).exists()
    assert AuditEvent.objects.filter(verb="alertrule.deleted", object_id=str(pk)).exists()
