"""Evaluating rules against a campaign's data: which alerts open, and that they never duplicate."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from campaignflow.alerts import services
from campaignflow.alerts.models import Alert, AlertRule
from campaignflow.audit.models import AuditEvent
from campaignflow.metrics import services as metric_services
from campaignflow.notifications.models import Notification
from tests.metrics.helpers import csv_bytes

from .conftest import NOW, record

pytestmark = pytest.mark.django_db

JUNE_9, JUNE_10, JUNE_11 = dt.date(2024, 6, 9), dt.date(2024, 6, 10), dt.date(2024, 6, 11)


def rule(campaign=None, **fields) -> AlertRule:
    return AlertRule.objects.create(campaign=campaign, **fields)


def evaluate(campaign):
    return services.alerts_evaluate(campaign=campaign)


def test_cvr_30_percent_below_target_opens_an_alert_due_in_24_hours_and_tells_pm_and_owner(
    live_campaign, moments, pm, planner, dept_head
):
    record(live_campaign, moments, JUNE_10, clicks=1000, conversions=20)  # CVR 2 % against 3.5 %

    result = evaluate(live_campaign)

    alert = Alert.objects.get()
    assert result.opened == [alert]
    assert (alert.metric, alert.channel, alert.day, alert.status) == ("cvr", None, JUNE_10, "open")
    assert (alert.observed, alert.expected) == (Decimal("0.02"), Decimal("0.035"))
    assert alert.opened_at == NOW
    assert alert.due_at == NOW + dt.timedelta(hours=24)
    told = Notification.objects.filter(event="alert.opened")
    assert sorted(told.values_list("recipient__username", flat=True)) == ["planner", "pm"]
    assert "618 tea festival" in told.first().title
    assert AuditEvent.objects.filter(
        verb="alert.opened", object_id=str(alert.pk), campaign=live_campaign
    ).exists()


def test_cvr_less_than_30_percent_below_target_opens_nothing(live_campaign, moments):
    record(live_campaign, moments, JUNE_10, clicks=1000, conversions=25)  # 2.5 % ≥ 2.45 %

    assert evaluate(live_campaign).opened == []
    assert not Alert.objects.exists()


def test_the_latest_day_with_data_is_judged_not_an_earlier_bad_one(live_campaign, moments):
    record(live_campaign, moments, JUNE_9, clicks=1000, conversions=5, negative_comments=80)
    record(live_campaign, moments, JUNE_10, clicks=1000, conversions=40, negative_comments=10)

    assert evaluate(live_campaign).opened == []


def test_cpa_is_lower_is_better_so_it_fires_when_it_rises_above_target(live_campaign, moments):
    cpa_rule = rule(live_campaign, metric="cpa", condition="below_target_pct", threshold=Decimal("0.3"))
    record(live_campaign, moments, JUNE_10, clicks=2000, conversions=100, cost=Decimal("5300"))  # CPA 53

    alert = evaluate(live_campaign).opened[0]

    assert (alert.rule, alert.observed, alert.expected) == (cpa_rule, Decimal("53"), Decimal("40"))


def test_a_cheap_cpa_is_no_alert(live_campaign, moments):
    rule(live_campaign, metric="cpa", condition="below_target_pct", threshold=Decimal("0.3"))
    record(live_campaign, moments, JUNE_10, clicks=2000, conversions=100, cost=Decimal("1000"))  # CPA 10

    assert evaluate(live_campaign).opened == []


def test_negative_comments_above_50_on_a_day_are_summed_over_channels(live_campaign, moments, douyin):
    record(live_campaign, moments, JUNE_10, negative_comments=30)
    record(live_campaign, douyin, JUNE_10, negative_comments=25)

    alert = evaluate(live_campaign).opened[0]

    assert (alert.metric, alert.observed, alert.expected, alert.severity) == (
        "negative_comments",
        Decimal("55"),
        Decimal("50"),
        "critical",
    )


def test_a_day_over_day_fall_on_one_channel_opens_an_alert_for_that_channel(live_campaign, moments, douyin):
    rule(
        live_campaign,
        metric="conversions",
        channel=douyin,
        condition="day_over_day_change_pct",
        threshold=Decimal("0.5"),
    )
    record(live_campaign, douyin, JUNE_9, clicks=3000, conversions=100)
    record(live_campaign, douyin, JUNE_10, clicks=3000, conversions=40)
    record(live_campaign, moments, JUNE_10, clicks=3000, conversions=300)  # the total barely moves

    alert = evaluate(live_campaign).opened[0]

    assert (alert.channel, alert.observed, alert.expected) == (douyin, Decimal("40"), Decimal("100"))


def test_to_date_window_judges_a_count_against_the_target_spread_over_the_period(live_campaign, moments):
    rule(
        live_campaign,
        metric="revenue",
        condition="below_target_pct",
        threshold=Decimal("0.3"),
        window="to_date",
    )
    # 10 days of a 30-day ¥300,000 goal: ¥100,000 expected, ¥60,000 is 40 % short
    record(live_campaign, moments, dt.date(2024, 6, 1), revenue=Decimal("30000"), clicks=10, conversions=1)
    record(live_campaign, moments, JUNE_10, revenue=Decimal("30000"), clicks=10, conversions=1)

    alert = Alert.objects.get(pk=evaluate(live_campaign).opened[0].pk, metric="revenue")

    assert (alert.observed, alert.expected) == (Decimal("60000"), Decimal("100000"))


def test_a_rule_on_a_metric_without_a_goal_is_skipped(live_campaign, moments):
    rule(live_campaign, metric="ctr", condition="below_target_pct", threshold=Decimal("0"))
    record(live_campaign, moments, JUNE_10, impressions=100000, clicks=1, conversions=1)

    assert [a.metric for a in evaluate(live_campaign).opened] == []


def test_reevaluation_updates_the_open_alert_instead_of_opening_another(live_campaign, moments, clock):
    record(live_campaign, moments, JUNE_10, clicks=1000, conversions=20)
    evaluate(live_campaign)
    evaluate(live_campaign)
    first = Alert.objects.get()

    clock.advance(days=1)
    record(live_campaign, moments, JUNE_11, clicks=1000, conversions=10)
    result = evaluate(live_campaign)

    alert = Alert.objects.get()
    assert result.opened == [] and result.updated == [alert]
    assert (alert.pk, alert.day, alert.observed) == (first.pk, JUNE_11, Decimal("0.01"))
    assert alert.due_at == NOW + dt.timedelta(hours=24)  # the clock of the first breach keeps running
    assert Notification.objects.filter(event="alert.opened").count() == 2  # pm and owner, once


def test_an_alert_whose_breach_is_gone_stays_for_a_person_to_resolve(live_campaign, moments, clock):
    record(live_campaign, moments, JUNE_10, clicks=1000, conversions=20)
    evaluate(live_campaign)

    clock.advance(days=1)
    record(live_campaign, moments, JUNE_11, clicks=1000, conversions=40)
    evaluate(live_campaign)

    alert = Alert.objects.get()
    assert (alert.status, alert.still_breaching, alert.observed) == ("open", False, Decimal("0.04"))


def test_a_resolved_breach_does_not_reopen_for_the_same_day_but_the_next_day_opens_anew(
    live_campaign, moments, pm, clock
):
    record(live_campaign, moments, JUNE_10, clicks=1000, conversions=20)
    alert = evaluate(live_campaign).opened[0]
    services.alert_resolve(alert=alert, actor=pm, note="Landing page fixed")

    assert evaluate(live_campaign).opened == []

    clock.advance(days=1)
    record(live_campaign, moments, JUNE_11, clicks=1000, conversions=15)
    reopened = evaluate(live_campaign).opened

    assert [(a.day, a.status) for a in reopened] == [(JUNE_11, "open")]
    assert Alert.objects.count() == 2


def test_disabled_rules_are_not_evaluated(live_campaign, moments):
    AlertRule.objects.filter(metric="cvr").update(active=False)
    record(live_campaign, moments, JUNE_10, clicks=1000, conversions=5)

    assert evaluate(live_campaign).opened == []


# --- after an import, and periodically ----------------------------------------------------------------


IMPORT = [
    ["日期", "渠道", "点击量", "转化量", "负面评论"],
    ["2024-06-10", "朋友圈", "1000", "20", "3"],
]


def test_an_import_through_the_real_service_evaluates_the_rules_after_commit(
    live_campaign, moments, analyst, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        metric_services.daily_metrics_import(
            campaign=live_campaign, actor=analyst, stream=io.BytesIO(csv_bytes(IMPORT)), filename="daily.csv"
        )

    alert = Alert.objects.get()
    assert (alert.metric, alert.observed, alert.day) == ("cvr", Decimal("0.02"), JUNE_10)


def test_a_failed_import_evaluates_nothing(
    live_campaign, moments, analyst, django_capture_on_commit_callbacks
):
    bad = [*IMPORT, ["2024-06-10", "朋友圈", "-5", "20", "3"]]

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(metric_services.ImportFailed):
        metric_services.daily_metrics_import(
            campaign=live_campaign, actor=analyst, stream=io.BytesIO(csv_bytes(bad)), filename="daily.csv"
        )

    assert not Alert.objects.exists()


def test_data_of_a_campaign_in_preparation_raises_no_alert(
    live_campaign, moments, analyst, django_capture_on_commit_callbacks
):
    live_campaign.status = "preparing"
    live_campaign.save()

    with django_capture_on_commit_callbacks(execute=True):
        metric_services.daily_metrics_upsert(
            campaign=live_campaign,
            actor=analyst,
            rows=[{"date": JUNE_10, "channel": moments.pk, "clicks": 1000, "conversions": 5}],
        )

    assert not Alert.objects.exists()


def test_the_hourly_job_evaluates_live_campaigns_only(live_campaign, moments, planner, marketing):
    from campaignflow.alerts import tasks
    from tests.factories import CampaignFactory

    closed = CampaignFactory(
        owner=planner, department=marketing, status="closing", start_date=dt.date(2024, 6, 1)
    )
    record(live_campaign, moments, JUNE_10, clicks=1000, conversions=5)
    record(closed, moments, JUNE_10, clicks=1000, conversions=5)
    closed.goals.create(metric="cvr", target=Decimal("0.035"), deadline=dt.date(2024, 6, 30))

    opened = tasks.evaluate_live.call_local()

    assert opened == 1
    assert list(Alert.objects.values_list("campaign", flat=True)) == [live_campaign.pk]
