"""Alerts for the demo's running campaigns, made through the services as the team would meet them.

Registered with campaigns.demo.register_before_action, after the metrics demo has entered the
daily data (its hook runs first: the metrics app is earlier in INSTALLED_APPS). Before a campaign
that is still running is launched, its biggest online channel gets an incident over the last two
days — a wave of negative comments, then conversions collapsing — and the alerts follow:

- "negative comments above 50" (organization default) opened 26 hours ago and nobody answered:
  escalated to the head of Marketing and management;
- the project manager's own day-over-day rules on that channel: the conversions alert is
  acknowledged with a response plan, the CVR one is still open, due within the day.

The materials invoices come in about 6 % over budget (expenses demo), which opens a budget alert
on every campaign once launched; before a campaign closes, the project manager answers it with a
response plan and resolves it, so only the running campaigns keep theirs open.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import ApplicationError
from campaignflow.metrics import calc
from campaignflow.metrics import services as metric_services
from campaignflow.metrics.models import DailyMetric

from . import services
from .choices import ACTIVE_STATUSES, AlertStatus, Condition, Severity, Source
from .models import Alert, AlertRule

logger = logging.getLogger(__name__)

PM, ANALYST = "liu.pm", "chen.analyst"
FIRST_COMMENTS, SECOND_COMMENTS = 68, 57
CONVERSION_FACTOR = Decimal("0.35")  # the second day keeps its clicks and loses 65 % of conversions
RESPONSE_PLAN = (
    "1. 今日内联系KOL发布冲泡指南与澄清视频；2. 客服24小时内逐条回复负面评论；"
    "3. 抖音素材替换为门店试饮实拍，明日复盘转化率。负责人：刘洋"
)
BUDGET_PLAN = "物料追加印刷导致超支约6%，由第三方服务的节余覆盖，决算时说明原因。负责人：刘洋"
BUDGET_NOTE = "超支已在费用决算中说明。"
UNANSWERED_HOURS = 26  # past the 24 hours: escalated
RECENT_HOURS = 5


def before_action(*, campaign: Campaign, action: str, users: dict) -> None:
    """Before launch of a campaign that is still running: the incident and its alerts; before
    close, the budget alerts answered."""
    pm, analyst = users.get(PM), users.get(ANALYST)
    if pm is None or analyst is None:
        return
    if action == "close":
        _answer_budget_alerts(campaign, pm)
    if action != "launch":
        return
    campaign = Campaign.objects.get(pk=campaign.pk)
    today = timezone.localdate()
    if campaign.start_date is None or campaign.end_date is None or campaign.end_date < today:
        return
    first, second = today - dt.timedelta(days=2), today - dt.timedelta(days=1)
    if first < campaign.start_date:
        return
    try:
        channel_id = _incident(campaign, analyst, first, second)
        if channel_id is not None:
            _alerts(campaign, pm, channel_id, first, second)
    except ApplicationError as exc:
        logger.warning("demo alerts for %s refused: %s", campaign, exc)


def _answer_budget_alerts(campaign: Campaign, pm) -> None:
    for alert in Alert.objects.filter(
        campaign_id=campaign.pk, source=Source.BUDGET, status__in=ACTIVE_STATUSES
    ):
        try:
            if alert.status == AlertStatus.OPEN:
                alert = services.alert_acknowledge(alert=alert, actor=pm, response_plan=BUDGET_PLAN)
            services.alert_resolve(alert=alert, actor=pm, note=BUDGET_NOTE)
        except ApplicationError as exc:
            logger.warning("demo budget alert %s refused: %s", alert.pk, exc)


def _row(metric: DailyMetric) -> dict:
    return {"date": metric.date, "channel": metric.channel_id, **metric.measures, "note": metric.note}


def _incident(campaign: Campaign, analyst, first: dt.date, second: dt.date) -> int | None:
    """Rewrite the two days of the busiest online channel, as the analyst's corrected import."""
    busiest = (
        DailyMetric.objects.filter(campaign_id=campaign.pk, date=first, impressions__gt=0)
        .order_by("-impressions", "channel_id")
        .first()
    )
    if busiest is None:
        return None
    day_one = _row(busiest)
    # The notes stay as the analyst wrote them: the alerts tell this story, and the metrics demo
    # keeps one noted anomaly per campaign.
    day_one.update(negative_comments=FIRST_COMMENTS)
    later = DailyMetric.objects.filter(
        campaign_id=campaign.pk, channel_id=busiest.channel_id, date=second
    ).first()
    day_two = dict(day_one, date=second, negative_comments=SECOND_COMMENTS, note=later.note if later else "")
    conversions = int((Decimal(day_one["conversions"]) * CONVERSION_FACTOR).to_integral_value(ROUND_HALF_UP))
    share = calc.ratio(conversions, day_one["conversions"]) or Decimal(0)
    day_two.update(
        conversions=conversions,
        new_users=int(Decimal(day_one["new_users"]) * share),
        revenue=(Decimal(day_one["revenue"]) * share).quantize(Decimal("0.01")),
    )
    metric_services.daily_metrics_upsert(campaign=campaign, actor=analyst, rows=[day_one, day_two])
    return busiest.channel_id


def _alerts(campaign: Campaign, pm, channel_id: int, first: dt.date, second: dt.date) -> None:
    now = timezone.now()
    comments_rule = AlertRule.objects.filter(
        campaign__isnull=True, metric="negative_comments", condition=Condition.ABOVE_ABSOLUTE, active=True
    ).first()
    if comments_rule is not None:
        opened = services.alerts_evaluate(
            campaign=campaign,
            now=now - dt.timedelta(hours=UNANSWERED_HOURS),
            as_of=first,
            rules=[comments_rule],
        ).opened
        for alert in opened:
            services.alert_escalate(alert_id=alert.pk, now=now)
    conversions_rule = services.alert_rule_create(
        actor=pm,
        campaign=campaign,
        data={
            "name": "主投渠道转化量日环比下跌50%",
            "metric": "conversions",
            "channel": channel_id,
            "condition": Condition.DAY_OVER_DAY_CHANGE_PCT,
            "threshold": Decimal("0.5"),
            "severity": Severity.CRITICAL,
        },
    )
    services.alert_rule_create(
        actor=pm,
        campaign=campaign,
        data={
            "name": "主投渠道转化率日环比下跌30%",
            "metric": "cvr",
            "channel": channel_id,
            "condition": Condition.DAY_OVER_DAY_CHANGE_PCT,
            "threshold": Decimal("0.3"),
            "severity": Severity.WARNING,
        },
    )
    evaluation = services.alerts_evaluate(
        campaign=campaign, now=now - dt.timedelta(hours=RECENT_HOURS), as_of=second
    )
    for alert in evaluation.opened:
        if alert.rule_id == conversions_rule.pk:
            services.alert_acknowledge(alert=alert, actor=pm, response_plan=RESPONSE_PLAN)
