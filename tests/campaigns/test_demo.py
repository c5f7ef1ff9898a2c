"""The demo organization: built through the services, so its states, approvals and audit are real."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate

from campaignflow.accounts.models import Department, Organization, User
from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns import demo
from campaignflow.campaigns.models import Campaign
from campaignflow.campaigns.services import plan_problems
from campaignflow.metrics.models import Channel
from tests.conftest import module_demo

TODAY = dt.date(2026, 11, 23)


demo_world = module_demo(TODAY)


@pytest.fixture
def loaded(db, demo_world):
    return demo_world


def by_name(name: str) -> Campaign:
    return Campaign.objects.get(name=name)


def test_it_sets_up_the_organization_departments_and_channels(loaded):
    org = Organization.current()
    assert (org.name, org.currency, org.timezone) == (demo.ORG_NAME, "CNY", "Asia/Shanghai")
    assert org.approval_levels == ["department_head", "management"]
    assert set(Department.objects.values_list("name", flat=True)) == {"市场部", "销售部", "产品部", "财务部"}
    assert dict(Channel.objects.values_list("name", "kind")) == {
        "微信朋友圈": "paid_social",
        "抖音": "paid_social",
        "小红书": "kol",
        "百度搜索": "search",
        "天猫旗舰店": "ecommerce",
        "线下门店": "offline_store",
    }


def test_every_demo_user_signs_in_with_the_demo_password_and_has_their_role(loaded):
    for spec in demo.USERS:
        user = authenticate(username=spec.username, password=demo.DEMO_PASSWORD)
        assert user is not None, spec.username
        assert user.display_name == spec.display_name
        assert set(spec.roles) <= user.role_set
    assert User.objects.get(username="li.head").department.name == "市场部"
    assert User.objects.get(username="admin").is_superuser


def test_each_campaign_reaches_its_state_through_the_lifecycle(loaded):
    states = {c.name: (c.status, c.approval_level, c.revision) for c in Campaign.objects.all()}

    assert states == {
        "2027年冬季新品上市：红茶暖饮": ("draft", 0, 1),
        "会员日积分狂欢周": ("in_review", 1, 1),
        "小红书茶生活种草计划": ("in_review", 2, 1),
        "城市茶空间会员沙龙": ("approved", 0, 1),
        "2026年双12年终盛典": ("preparing", 0, 1),
        "2026年秋季新品上市：桂花乌龙": ("live", 0, 2),  # revision 2: its approved date change
        "品牌焕新计划": ("optimizing", 0, 1),
        "2026年秋季城市线下快闪店": ("closing", 0, 1),
        "2026年618年中大促": ("archived", 0, 1),
        "高校茶文化大使招募": ("cancelled", 0, 1),
        "花果茶系列新品上市": ("in_review", 1, 2),
    }


def test_registration_numbers_follow_the_campaign_calendar(loaded):
    registered = Campaign.objects.exclude(number=None).order_by("start_date")

    assert [c.number for c in registered] == [f"MC-{TODAY.year}-{n:04d}" for n in range(1, 8)]


def test_the_archived_campaign_went_through_every_step_with_the_right_people(loaded):
    campaign = by_name("2026年618年中大促")

    trail = [
        (e.verb, e.actor_name)
        for e in AuditEvent.objects.filter(campaign=campaign, verb__startswith="campaign.").order_by("id")
    ]
    assert trail == [
        ("campaign.created", "zhang.planner"),
        ("campaign.submitted", "zhang.planner"),
        ("campaign.approved", "li.head"),
        ("campaign.approved", "wang.manager"),
        ("campaign.registered", "wang.manager"),
        ("campaign.start_preparation", "liu.pm"),
        ("campaign.launch", "liu.pm"),
        ("campaign.optimize", "liu.pm"),
        ("campaign.close", "liu.pm"),
        ("campaign.archive", "liu.pm"),
    ]
    roles = dict(campaign.members.values_list("user__username", "role"))
    assert roles["zhang.planner"] == "owner"
    assert roles["liu.pm"] == "project_manager"


def test_the_rejected_plan_was_revised_and_resubmitted(loaded):
    campaign = by_name("花果茶系列新品上市")

    decisions = [(a.revision, a.level, a.decision, a.actor.username) for a in campaign.approvals.all()]
    assert decisions == [(1, 1, "approve", "li.head"), (1, 2, "reject", "wang.manager")]
    assert "抖音投放占推广费过半" in campaign.approvals.get(decision="reject").comment
    douyin = campaign.budget_lines.get(channel__name="抖音")
    assert douyin.amount == Decimal("182000.00")
    assert campaign.budget_total == Decimal("930000.00")
    assert "修订（第2版）" in campaign.background
    assert AuditEvent.objects.filter(campaign=campaign, verb="campaign.submitted", revision=2).exists()


def test_plans_split_promotion_by_channel_and_keep_the_contingency_rule(loaded):
    for campaign in Campaign.objects.all():
        errors, warnings = plan_problems(campaign)
        assert errors == [], campaign.name
        assert warnings == [], campaign.name
        assert campaign.budget_lines.filter(category="promotion", channel=None).count() == 0
    assert by_name("2026年双12年终盛典").budget_total == Decimal("800000.00")


def test_a_second_load_finds_the_marker_and_creates_nothing(loaded):
    events = AuditEvent.objects.count()

    again = demo.demo_load(today=TODAY + dt.timedelta(days=200))

    assert again.created is False
    assert again.campaigns == []
    assert AuditEvent.objects.count() == events
    assert Campaign.objects.count() == 11
