"""The demo's execution stage: standard tasks, progress, a late task with its reason, a stand-up
and a log entry — made through the services, so it carries the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns.models import Campaign
from campaignflow.execution.models import LogEntry, Meeting, Task, TaskRaci
from tests.conftest import module_demo

from .conftest import TODAY

demo_world = module_demo(TODAY, "django.utils.timezone.localdate")


@pytest.fixture
def loaded(db, demo_world):
    return demo_world


def test_campaigns_past_approval_get_the_standard_tasks_and_earlier_ones_none(loaded):
    counts = {c.name: Task.objects.filter(campaign=c).count() for c in Campaign.objects.all()}

    assert counts["城市茶空间会员沙龙"] == 0  # approved, preparation not started
    assert counts["会员日积分狂欢周"] == 0
    assert counts["2026年双12年终盛典"] == 9
    assert counts["2026年秋季新品上市：桂花乌龙"] == 9
    assert counts["2026年618年中大促"] == 9


def test_the_live_campaign_shows_done_tasks_one_late_with_its_reason(loaded):
    campaign = Campaign.objects.get(name="2026年秋季新品上市：桂花乌龙")
    tasks = {t.template_key: t for t in Task.objects.filter(campaign=campaign)}

    late = tasks["channel_booking"]
    assert (late.status, late.display_status(TODAY), late.days_late(TODAY)) == ("done", "delayed", 2)
    assert late.delay_reason == "平台排期冲突"
    assert late.owner.username == "sun.sales"
    assert tasks["materials_design"].owner.username == "zhang.planner"
    assert tasks["materials_design"].display_status(TODAY) == "done"
    assert tasks["onsite_execution"].status == "in_progress"
    assert tasks["launch"].baseline_start == campaign.start_date
    assert set(tasks["materials_design"].raci.values_list("user__username", "role")) == {
        ("zhang.planner", "A")
    }
    assert TaskRaci.objects.filter(task=late, role="R").get().user.username == "sun.sales"


def test_campaigns_that_went_live_have_a_standup_and_a_log_entry(loaded):
    campaign = Campaign.objects.get(name="2026年秋季新品上市：桂花乌龙")

    standup = Meeting.objects.get(campaign=campaign)
    assert standup.kind == "standup"
    assert standup.date == campaign.start_date - dt.timedelta(days=1)
    assert [(item["name"], item["days_late"]) for item in standup.progress["done"]] == [
        ("渠道资源对接与排期", 2),
        ("内容创作（文案、视频、KOL内容）", 0),
        ("物料制作与采购入库", 0),
        ("物料样品确认（T-3）", 0),
        ("人员培训（流程、话术、应急处理）", 0),
        ("渠道上线", 0),
    ]
    assert standup.progress["late"] == []
    assert standup.action_items.count() == 1
    assert LogEntry.objects.filter(campaign=campaign, kind="issue").count() == 1
    assert AuditEvent.objects.filter(campaign=campaign, verb="tasks.proposed").count() == 1


def test_the_closed_pop_up_store_finished_its_tasks_and_activated_its_weather_plan(loaded):
    campaign = Campaign.objects.get(name="2026年秋季城市线下快闪店")

    assert Task.objects.filter(campaign=campaign).exclude(status="done").count() == 0
    entry = LogEntry.objects.get(campaign=campaign, kind="contingency_activated")
    assert entry.risk.status == "occurred"
    assert entry.handling == "备好雨棚；雨天加大直播与外卖券投放"
