"""The demo's evaluation reports, written through the services like the data analyst would.

Registered with campaigns.demo.register_before_action. The report is submitted at close-out, which
the demo only reaches through the `close` action itself: before `close` this module notes the
campaign, and its `after_close` lifecycle hook (a no-op for any campaign the demo did not note)
writes the analysis and lessons and submits the report in the same transaction. Before `archive`,
management approves it, so the archived campaign passes the archive guard.
"""

from __future__ import annotations

import logging

from django.db import transaction

from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import ApplicationError

from . import selectors, services

logger = logging.getLogger(__name__)

ANALYST, MANAGER = "chen.analyst", "wang.manager"
_PENDING_SUBMIT: dict[int, tuple[str, object]] = {}

REPORT = {
    "summary": "活动整体达成预期，线上渠道转化表现突出，线下引流略低于目标。",
    "what_worked": "社交媒体话题传播效果好；促销力度大，用户复购超预期。",
    "what_did_not": "线下引流渠道效果未达预期，部分渠道投放未达排期。",
    "keep": "提前一周完成物料确认；每日例会跟踪渠道数据。",
    "change": "线下门店引流话术与排班需提前演练。",
    "try_next": "尝试直播间专属优惠券，测试小红书达人合作。",
    "meeting_notes": "总结会：市场部、销售部、数据组参加，确认以上经验并更新活动管理手册。",
}
APPROVE_COMMENT = "评估数据与日报一致，经验总结充分，同意归档。"


def _analysis(row: selectors.DimensionRow) -> str:
    if row.achievement is None:
        return "按全周期数据计算，供后续活动参考。"
    verdict = "达成目标" if row.met else "未达目标"
    return f"达成率{row.achievement:.0%}，{verdict}。"


def before_action(*, campaign: Campaign, action: str, users: dict) -> None:
    """Note the campaign before close; approve its report before archive."""
    analyst = users.get(ANALYST)
    if analyst is None:
        return
    if action == "close":
        _PENDING_SUBMIT[campaign.pk] = (campaign.name, analyst)
    elif action == "archive" and MANAGER in users:
        try:
            with transaction.atomic():
                services.evaluation_approve(
                    campaign=Campaign.objects.get(pk=campaign.pk),
                    actor=users[MANAGER],
                    comment=APPROVE_COMMENT,
                )
        except ApplicationError as exc:
            logger.warning("demo evaluation for %s refused: %s", campaign, exc)


def after_close(*, campaign: Campaign, actor, comment: str = "") -> None:
    """Lifecycle hook after `close`: write and submit the report of a campaign the demo noted."""
    pending = _PENDING_SUBMIT.pop(campaign.pk, None)
    if pending is None or pending[0] != campaign.name:
        return
    analyst = pending[1]
    try:
        with transaction.atomic():
            services.evaluation_update(campaign=campaign, actor=analyst, data=REPORT)
            view = selectors.evaluation_for(campaign=campaign)
            for row in view.dimensions:
                dimension = selectors.dimension_get(user=analyst, pk=row.id)
                services.dimension_update(
                    dimension=dimension, actor=analyst, data={"analysis": _analysis(row)}
                )
            services.evaluation_submit(
                campaign=campaign, actor=analyst, comment="终期效果评估完成，提交审核。"
            )
    except ApplicationError as exc:
        logger.warning("demo evaluation for %s refused: %s", campaign, exc)
