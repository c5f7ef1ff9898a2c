"""Writing the plan: templates, SMART goals, contingency rules, bad input leaves nothing behind."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns import services
from campaignflow.campaigns.choices import CampaignStatus
from campaignflow.campaigns.models import BudgetLine, Campaign, Goal, Milestone, Risk
from campaignflow.core.errors import Conflict, Forbidden, ValidationFailed
from tests.factories import ChannelFactory


@pytest.mark.parametrize(
    "template", ["new_product_launch", "brand_awareness", "holiday_promotion", "online_offline"]
)
def test_it_prefills_a_plan_from_each_template(planner, marketing, template):
    campaign = services.campaign_create(
        actor=planner,
        name="Test",
        department=marketing,
        template=template,
        budget_total=Decimal("500000.00"),
        start_date=dt.date(2026, 12, 1),
    )
    assert campaign.template == template
    assert campaign.budget_total == Decimal("500000.00")
    contingency = campaign.budget_lines.get(category="contingency").amount
    assert contingency == Decimal("50000.00")
    assert campaign.goals.count() >= 3
    assert all(goal.deadline == campaign.end_date for goal in campaign.goals.all())
    assert campaign.milestones.count() >= 4
    assert campaign.risks.count() >= 2
    assert campaign.members.get(user=planner).role == "owner"
    assert AuditEvent.objects.filter(campaign=campaign, verb="campaign.created").count() == 1


def test_the_template_end_date_follows_its_duration(planner, marketing):
    campaign = services.campaign_create(
        actor=planner,
        name="618",
        department=marketing,
        template="holiday_promotion",
        start_date=dt.date(2026, 6, 1),
    )
    assert campaign.end_date == dt.date(2026, 6, 21)
    assert campaign.milestones.order_by("date").first().date == dt.date(2026, 5, 18)  # T-14


def test_an_unknown_template_writes_nothing(planner, marketing):
    with pytest.raises(ValidationFailed) as exc:
        services.campaign_create(actor=planner, name="X", department=marketing, template="mystery")
    assert [e.field for e in exc.value.errors] == ["template"]
    assert Campaign.objects.count() == 0


def test_end_before_start_is_refused(planner, marketing):
    with pytest.raises(ValidationFailed) as exc:
        services.campaign_create(
            actor=planner,
            name="X",
            department=marketing,
            start_date=dt.date(2026, 5, 2),
            end_date=dt.date(2026, 5, 1),
        )
    assert [e.field for e in exc.value.errors] == ["end_date"]
    assert Campaign.objects.count() == 0


def test_an_oversized_name_is_refused(planner, marketing):
    with pytest.raises(ValidationFailed) as exc:
        services.campaign_create(actor=planner, name="长" * 201, department=marketing)
    assert [e.field for e in exc.value.errors] == ["name"]


def test_oversized_background_text_is_refused(campaign, planner):
    with pytest.raises(ValidationFailed) as exc:
        services.campaign_update(campaign=campaign, actor=planner, data={"background": "x" * 5001})
    assert [e.field for e in exc.value.errors] == ["background"]
    campaign.refresh_from_db()
    assert campaign.background.startswith("Spring sales")


def test_a_member_cannot_create_for_another_department(planner, sales):
    with pytest.raises(Forbidden):
        services.campaign_create(actor=planner, name="X", department=sales)


def test_a_goal_without_target_or_deadline_blocks_submission_naming_it(campaign, planner):
    services.plan_item_create(
        campaign=campaign, actor=planner, model=Goal, data={"metric": "new_users", "name": "新增用户"}
    )
    with pytest.raises(ValidationFailed) as exc:
        services.campaign_transition(campaign=campaign, actor=planner, action="submit")
    assert "新增用户" in exc.value.message
    assert any(e.field.startswith("goals.") and "新增用户" in e.message for e in exc.value.errors)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_contingency_below_the_minimum_blocks_submission(planner, marketing):
    from tests.factories import CampaignFactory, ready_plan

    campaign = ready_plan(CampaignFactory(owner=planner, department=marketing), contingency_share="0.05")
    errors, _warnings = services.plan_problems(campaign)
    assert [e.field for e in errors] == ["budget_lines.contingency"]
    assert "5.0%" in errors[0].message and "10%" in errors[0].message
    with pytest.raises(ValidationFailed):
        services.campaign_transition(campaign=campaign, actor=planner, action="submit")


def test_contingency_above_the_maximum_only_warns(planner, marketing):
    from tests.factories import CampaignFactory, ready_plan

    campaign = ready_plan(CampaignFactory(owner=planner, department=marketing), contingency_share="0.20")
    errors, warnings = services.plan_problems(campaign)
    assert errors == []
    assert len(warnings) == 1 and "20.0%" in warnings[0]
    services.campaign_transition(campaign=campaign, actor=planner, action="submit")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.IN_REVIEW


@pytest.mark.parametrize("amount", ["-1", "abc", "1e400"])
def test_bad_amounts_are_refused_and_nothing_is_written(campaign, planner, amount):
    before = BudgetLine.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.plan_item_create(
            campaign=campaign,
            actor=planner,
            model=BudgetLine,
            data={"category": "materials", "amount": amount},
        )
    assert "amount" in [e.field for e in exc.value.errors]
    assert BudgetLine.objects.count() == before


def test_duplicate_standard_categories_are_refused_but_custom_lines_are_not(campaign, planner):
    with pytest.raises(ValidationFailed) as exc:
        services.plan_item_create(
            campaign=campaign, actor=planner, model=BudgetLine, data={"category": "promotion", "amount": "10"}
        )
    assert [e.field for e in exc.value.errors] == ["category"]
    douyin = ChannelFactory(name="抖音")
    services.plan_item_create(
        campaign=campaign,
        actor=planner,
        model=BudgetLine,
        data={"category": "promotion", "amount": "10", "channel": douyin},
    )
    services.plan_item_create(
        campaign=campaign,
        actor=planner,
        model=BudgetLine,
        data={"category": "custom", "label": "Gifts", "amount": "5"},
    )
    with pytest.raises(ValidationFailed):
        services.plan_item_create(
            campaign=campaign, actor=planner, model=BudgetLine, data={"category": "custom", "amount": "5"}
        )
    assert campaign.budget_total == Decimal("100015.00")


def test_goal_decomposition_stays_inside_the_campaign_and_has_no_cycles(campaign, planner, marketing):
    from tests.factories import CampaignFactory

    parent = campaign.goals.get()
    child = services.plan_item_create(
        campaign=campaign,
        actor=planner,
        model=Goal,
        data={
            "metric": "revenue_online",
            "target": "600000",
            "deadline": campaign.end_date,
            "parent": parent,
        },
    )
    assert list(parent.children.all()) == [child]
    with pytest.raises(ValidationFailed):
        services.plan_item_update(item=parent, actor=planner, data={"parent": child})
    other = CampaignFactory(owner=planner, department=marketing)
    foreign = Goal.objects.create(campaign=other, metric="x", target=1, deadline=dt.date(2026, 12, 1))
    with pytest.raises(ValidationFailed) as exc:
        services.plan_item_update(item=child, actor=planner, data={"parent": foreign})
    assert [e.field for e in exc.value.errors] == ["parent"]


def test_the_plan_is_frozen_outside_draft(campaign, planner):
    services.campaign_transition(campaign=campaign, actor=planner, action="submit")
    with pytest.raises(Conflict):
        services.campaign_update(campaign=campaign, actor=planner, data={"name": "Changed"})
    with pytest.raises(Conflict):
        services.plan_item_create(campaign=campaign, actor=planner, model=Risk, data={"description": "late"})
    risk = campaign.risks.first()
    with pytest.raises(Conflict):
        services.plan_item_delete(item=risk, actor=planner)
    assert Risk.objects.filter(pk=risk.pk).exists()


def test_every_plan_write_is_audited_with_before_and_after(campaign, planner):
    milestone = services.plan_item_create(
        campaign=campaign,
        actor=planner,
        model=Milestone,
        data={"name": "物料设计完成", "date": dt.date(2026, 11, 25)},
    )
    services.plan_item_update(item=milestone, actor=planner, data={"date": dt.date(2026, 11, 26)})
    services.plan_item_delete(item=milestone, actor=planner)
    events = list(AuditEvent.objects.filter(object_type="campaigns.milestone").order_by("id"))
    assert [e.verb for e in events] == ["milestone.created", "milestone.updated", "milestone.deleted"]
    assert (events[1].before["date"], events[1].after["date"]) == ("2026-11-25", "2026-11-26")
    assert all(e.actor == planner and e.campaign == campaign for e in events)


def test_audit_events_are_append_only(campaign, planner):
    services.campaign_update(campaign=campaign, actor=planner, data={"theme": "New"})
    event = AuditEvent.objects.get()
    event.verb = "forged"
    with pytest.raises(Exception, match="append-only"):
        event.save()
    with pytest.raises(Exception, match="append-only"):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().verb == "campaign.updated"


def test_the_last_owner_cannot_be_removed(campaign, planner):
    owner = campaign.members.get(user=planner)
    with pytest.raises(Conflict):
        services.member_remove(member=owner, actor=planner)
    assert campaign.members.filter(pk=owner.pk).exists()
