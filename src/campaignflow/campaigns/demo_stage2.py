"""The demo's stage-2 part for campaigns: the readiness checklist before launch, change requests.

Registered with demo.register_before_action (apps.py). Before `launch`, the project manager ticks
the checklist items a person ticks (on the pop-up store the owner waives one instead), so every
campaign the demo takes live passes the readiness guard. The live campaign carries a change
request approved at both levels that moved its end date by a week, and the campaign that goes on
to be optimized carries a budget shift that waits for the department head. Everything goes
through the same services as the API and the web UI.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from . import changes, demo, readiness
from .choices import BudgetCategory
from .models import Campaign, ChangeKind

PM, OWNER, HEAD, MANAGER = demo.PM, demo.PLANNER, demo.HEAD, demo.MANAGER

TICKS = {
    "journey_content": "认知：KOL种草笔记与短视频；考虑：产品对比图与试饮测评；决策：限时券与门店导购话术。",
    "tools_tracking": "各渠道追踪链接与UTM参数已测试，数据日报模板已配置。",
    "raci_timeline": "任务分工表已确认负责人与协作部门；物料T-3确认，文案与设计审批节点已排期。",
}
# The pop-up store launches on on-site QR codes; its online links follow on day two.
WAIVERS = {
    "online_offline": {
        "tools_tracking": "快闪店以现场扫码领券为主，线上追踪链接在开业次日补齐，不影响首日上线。"
    }
}

DATE_CHANGE_DAYS = 7
DATE_CHANGE = {
    "reason": "礼盒供应商交付延迟5天，门店试饮活动顺延一周，活动结束日相应顺延7天。",
    "impact": "活动结束日顺延7天；总预算不变；效果评估与费用决算相应顺延一周。",
    "approvals": ((HEAD, "同意顺延，请同步更新渠道排期。"), (MANAGER, "同意。")),
}
BUDGET_SHIFT = Decimal("30000.00")
BUDGET_CHANGE = {
    "reason": "首周复盘：抖音点击率低于目标，小红书互动率高出40%，建议将3万元推广费从抖音转投小红书。",
    "impact": "总预算不变；抖音曝光预计减少约15%，小红书种草笔记增加约20篇。",
}


def _target(campaign: Campaign, action: str) -> str | None:
    """The demo state this campaign is being walked to (its spec matched by name and template)."""
    for spec in demo.CAMPAIGNS:
        name = spec.name.format(**demo._names(campaign.start_date))
        path = [step[0] for step in demo.PATHS[spec.target]]
        if name == campaign.name and spec.template == campaign.template and action in path:
            return spec.target
    return None


def before_action(*, campaign: Campaign, action: str, users: dict) -> None:
    if action == "launch":
        _get_ready(campaign, users)
        if _target(campaign, action) == "live":
            _approved_date_change(campaign, users)
    elif action == "optimize" and _target(campaign, action) == "optimizing":
        _pending_budget_shift(campaign, users)


def _get_ready(campaign: Campaign, users: dict) -> None:
    waivers = WAIVERS.get(campaign.template, {})
    for key, note in TICKS.items():
        if readiness.CHECKS[key].automatic:
            continue  # another app checks it from its data (the RACI item, once tasks exist)
        if key in waivers:
            readiness.readiness_set(
                campaign=campaign, actor=users[OWNER], key=key, waived=True, reason=waivers[key]
            )
        else:
            readiness.readiness_set(campaign=campaign, actor=users[PM], key=key, checked=True, note=note)


def _approved_date_change(campaign: Campaign, users: dict) -> None:
    campaign.refresh_from_db()
    shift = dt.timedelta(days=DATE_CHANGE_DAYS)
    moved = [
        {"id": milestone.pk, "date": (milestone.date + shift).isoformat()}
        for milestone in campaign.milestones.filter(date=campaign.end_date)
    ]
    request = changes.change_request_create(
        campaign=campaign,
        actor=users[PM],
        kind=ChangeKind.DATES,
        reason=DATE_CHANGE["reason"],
        impact=DATE_CHANGE["impact"],
        proposed={
            "start_date": campaign.start_date.isoformat(),
            "end_date": (campaign.end_date + shift).isoformat(),
            "milestones": moved,
        },
    )
    changes.change_request_submit(change_request=request, actor=users[PM])
    for username, comment in DATE_CHANGE["approvals"]:
        changes.change_request_approve(change_request=request, actor=users[username], comment=comment)


def _pending_budget_shift(campaign: Campaign, users: dict) -> None:
    lines = {
        line.channel.name: line
        for line in campaign.budget_lines.filter(category=BudgetCategory.PROMOTION).select_related("channel")
        if line.channel_id
    }
    source, destination = lines.get("抖音"), lines.get("小红书")
    if source is None or destination is None:
        return
    request = changes.change_request_create(
        campaign=campaign,
        actor=users[PM],
        kind=ChangeKind.BUDGET,
        reason=BUDGET_CHANGE["reason"],
        impact=BUDGET_CHANGE["impact"],
        proposed={
            "lines": [
                {"id": source.pk, "amount": str(source.amount - BUDGET_SHIFT)},
                {"id": destination.pk, "amount": str(destination.amount + BUDGET_SHIFT)},
            ]
        },
    )
    changes.change_request_submit(change_request=request, actor=users[PM])
