"""Daily reports and an interim review for the demo campaigns, made through the services.

Registered with campaigns.demo.register_before_action after the metrics app's hook, which fills
the days so far before launch. Before launch the data analyst generates the daily reports of the
last three days with data; before "optimize" the project manager records the first-week interim
review the demo's optimize comment speaks of (Douyin's CTR below target, new creatives and bids)
and finalises it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import ApplicationError
from campaignflow.metrics.models import DailyMetric

from . import services
from .models import InterimReview

logger = logging.getLogger(__name__)

ANALYST, PM = "chen.analyst", "liu.pm"
REPORT_DAYS = 3
REVIEW_DAYS = 7
REVIEW_SUMMARY = (
    "首周复盘：整体曝光与销售额基本符合阶段目标；抖音点击率低于目标，素材吸引力不足。"
    "会上决定更换抖音素材并调整出价，其余渠道按计划执行。"
)
REVIEW_NOTES = {
    "ctr": (
        "抖音素材同质化，点击率低于目标",
        "更换3组新素材，调整出价至行业均值",
        "一周内点击率回升至2%以上",
    ),
    "revenue": (
        "线下门店受天气影响，客流低于预期",
        "雨天加大外卖券与直播投放",
        "下阶段销售额完成率追平时间进度",
    ),
}


def before_action(*, campaign: Campaign, action: str, users: dict) -> None:
    campaign = Campaign.objects.get(pk=campaign.pk)  # the lifecycle services saved fresh copies
    try:
        if action == "launch" and ANALYST in users:
            _daily_reports(campaign, users[ANALYST])
        elif action == "optimize" and PM in users:
            _interim_review(campaign, users[PM])
    except ApplicationError as exc:
        logger.warning("demo reports for %s refused: %s", campaign, exc)


def _daily_reports(campaign: Campaign, analyst) -> None:
    days = list(
        DailyMetric.objects.filter(campaign_id=campaign.pk, date__lte=timezone.localdate())
        .order_by("-date")
        .values_list("date", flat=True)
        .distinct()[:REPORT_DAYS]
    )
    for day in reversed(days):
        services.daily_report_generate(campaign=campaign, actor=analyst, day=day, digest=False)


def _interim_review(campaign: Campaign, pm) -> None:
    if InterimReview.objects.filter(campaign=campaign).exists() or not campaign.start_date:
        return
    last = min(
        campaign.start_date + dt.timedelta(days=REVIEW_DAYS - 1),
        timezone.localdate() - dt.timedelta(days=1),
        campaign.end_date or campaign.start_date,
    )
    if last < campaign.start_date:
        return
    review = services.interim_review_create(
        campaign=campaign, actor=pm, period_from=campaign.start_date, period_to=last, summary=REVIEW_SUMMARY
    )
    for item in review.items.all():
        if item.metric in REVIEW_NOTES:
            cause, adjustment, effect = REVIEW_NOTES[item.metric]
            services.interim_item_update(
                item=item,
                actor=pm,
                data={"cause": cause, "adjustment": adjustment, "expected_effect": effect},
            )
    services.interim_review_finalise(review=review, actor=pm)
