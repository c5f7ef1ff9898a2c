"""The execution stage of the demo organization, made through the same services as the UI.

campaigns.demo calls `hook` before every lifecycle action of every demo campaign:

- before start_preparation the project manager adds the scenario's standard tasks, gives them to
  the team (planner: design and content; sales: channels and training; PM: the rest), with RACI,
  and records the progress that the dates imply: tasks finished before today are done,
  the channel booking two days late (平台排期冲突, as in Table 2), running ones in progress;
- before launch a stand-up is recorded with an action item, and the execution log gets an entry;
- before close everything still open is finished and a weather risk, if any, is activated.

A refused step is logged and skipped, never raised: the demo's own warnings stay about lifecycle.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone, translation

from campaignflow.campaigns.choices import RiskCategory, RiskStatus
from campaignflow.campaigns.models import Campaign, CampaignMember
from campaignflow.core.errors import ApplicationError

from . import services
from .choices import LogKind, MeetingKind, RaciRole, TaskStatus
from .models import Task

logger = logging.getLogger(__name__)

PM, PLANNER, SALES, ANALYST = "liu.pm", "zhang.planner", "sun.sales", "chen.analyst"
# Template task → who does it, first choice first (must be on the campaign's team).
OWNERS = {
    "materials_design": (PLANNER,),
    "content_creation": (PLANNER,),
    "channel_booking": (SALES, PM),
    "staff_training": (SALES, PM),
}
LATE_TASK = "channel_booking"
LATE_DAYS = 2
LATE_REASON = "平台排期冲突"


def hook(*, campaign: Campaign, action: str, users: dict) -> None:
    step = {"start_preparation": _prepare, "launch": _launch, "close": _finish}.get(action)
    if step is None:
        return
    try:
        with translation.override("zh-hans"):
            step(campaign, users)
    except ApplicationError as exc:
        logger.warning("demo execution step before %s of %s refused: %s", action, campaign, exc)


def _team(campaign: Campaign) -> set[int]:
    return set(CampaignMember.objects.filter(campaign=campaign).values_list("user_id", flat=True))


def _prepare(campaign: Campaign, users: dict) -> None:
    pm = users[PM]
    services.tasks_propose_from_template(campaign=campaign, actor=pm)
    # Progress first: a late task can only change hands once it says why it is late.
    _report_progress(campaign, pm, timezone.localdate())
    team = _team(campaign)
    for task in Task.objects.filter(campaign=campaign).select_related("owner", "campaign"):
        wanted = next(
            (users[name] for name in OWNERS.get(task.template_key, (PM,)) if users[name].pk in team), None
        )
        if wanted is not None and wanted.pk != task.owner_id:
            previous = task.owner
            task = services.task_update(task=task, actor=pm, data={"owner": wanted})
            services.raci_set(task=task, actor=pm, user=wanted, role=RaciRole.RESPONSIBLE)
            if previous.pk != campaign.owner_id:
                services.raci_remove(task=task, actor=pm, user=previous)
        if users[ANALYST].pk in team and task.template_key == "launch":
            services.raci_set(task=task, actor=pm, user=users[ANALYST], role=RaciRole.INFORMED)
        if not task.raci.filter(role=RaciRole.ACCOUNTABLE).exists():  # someone answers for each task
            accountable = campaign.owner if task.owner_id != campaign.owner_id else pm
            services.raci_set(task=task, actor=pm, user=accountable, role=RaciRole.ACCOUNTABLE)


def _report_progress(campaign: Campaign, pm, today: dt.date) -> None:
    """The project manager records what the dates imply."""
    for task in (
        Task.objects.filter(campaign=campaign)
        .select_related("owner", "campaign")
        .order_by("planned_finish", "id")
    ):
        if task.status == TaskStatus.DONE:
            continue
        if task.template_key == LATE_TASK and task.planned_finish + dt.timedelta(days=LATE_DAYS) <= today:
            data = {
                "status": TaskStatus.DONE,
                "actual_finish": task.planned_finish + dt.timedelta(days=LATE_DAYS),
                "delay_reason": LATE_REASON,
            }
        elif task.planned_finish < today:
            data = {"status": TaskStatus.DONE, "actual_finish": task.planned_finish}
        elif task.planned_start <= today:
            data = {"status": TaskStatus.IN_PROGRESS}
        else:
            continue
        services.task_update(task=task, actor=pm, data=data)


def _launch(campaign: Campaign, users: dict) -> None:
    pm = users[PM]
    team = _team(campaign)
    today = timezone.localdate()
    day = min(today, campaign.start_date - dt.timedelta(days=1)) if campaign.start_date else today
    meeting = services.meeting_create(
        campaign=campaign,
        actor=pm,
        kind=MeetingKind.STANDUP,
        date=day,
        attendees=[user for user in users.values() if user.pk in team],
        notes="上线前最后一次站会：物料样品已于T-3确认，渠道排期已落实，现场人员培训完成。",
        decisions="按计划上线；电商平台资源位改为次日，朋友圈投放补量。",
    )
    services.action_item_add(
        meeting=meeting,
        actor=pm,
        description="确认直播间备用网络与备用主播",
        owner=pm,
        due=campaign.start_date or today,
    )
    services.log_entry_create(
        campaign=campaign,
        actor=pm,
        data={
            "kind": LogKind.ISSUE,
            "description": "电商平台大促排期冲突，首页资源位推迟两天。",
            "handling": "与平台协调改为次日资源位，同时增加微信朋友圈投放补量。",
            "result": "渠道按新排期上线，未影响活动启动日。",
        },
    )


def _finish(campaign: Campaign, users: dict) -> None:
    today = timezone.localdate()
    for task in (
        Task.objects.filter(campaign=campaign)
        .exclude(status=TaskStatus.DONE)
        .select_related("owner", "campaign")
    ):
        finish = min(task.planned_finish, today)
        services.task_update(
            task=task, actor=task.owner, data={"status": TaskStatus.DONE, "actual_finish": finish}
        )
    # The campaign's own weather risk (added after the template's) is the one that happened.
    risk = (
        campaign.risks.filter(category=RiskCategory.WEATHER, status=RiskStatus.OPEN).order_by("-id").first()
    )
    if risk is not None:
        services.risk_activate(
            risk=risk, actor=users[PM], result="雨天客流下降约20%，直播与外卖券带回部分销量。"
        )
