"""Freezing an archived campaign, labelling an entry and saving it as a template."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns import lifecycle
from campaignflow.campaigns.choices import CampaignStatus
from campaignflow.campaigns.models import Campaign
from campaignflow.campaigns.services import campaign_transition
from campaignflow.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from campaignflow.knowledge import selectors, services
from campaignflow.knowledge.models import EntryChannel, KnowledgeEntry, KnowledgeTemplate
from campaignflow.knowledge.snapshot import PARTS, register_snapshot_part

from .conftest import archive

pytestmark = pytest.mark.django_db


def test_the_snapshot_holds_the_plan_goals_with_actuals_and_channel_results(archived, planner):
    data = archived.snapshot
    assert data["campaign"]["name"] == "中国农业发展银行联名信用卡推广"
    assert data["campaign"]["owner"] == str(planner)
    goals = {goal["metric"]: goal for goal in data["goals"]}
    assert goals["ctr"]["target"] == "0.0200"
    assert Decimal(goals["ctr"]["actual"]) == Decimal("3700") / Decimal("200000")  # 1.85 %
    assert goals["ctr"]["met"] is False
    channels = {row["name"]: row for row in data["results"]["channels"]}
    assert Decimal(channels["微信朋友圈"]["ctr"]) == Decimal("0.021")
    assert Decimal(channels["抖音"]["cpa"]) == Decimal("100")
    # Ratios are stored rounded to six places (28100 / 8500 = 3.305882352…), sums as they add up.
    assert data["results"]["totals"]["roas"] == "3.305882"
    assert Decimal(data["results"]["totals"]["cost"]) == Decimal("8500")  # "8500.00" on PostgreSQL
    assert [(m["username"], m["role"]) for m in data["members"]] == [
        ("planner", "owner"),
        ("pm", "project_manager"),
    ]
    assert data["lessons"][0]["text"] == "抖音素材审核延迟 → 改投朋友圈 → 曝光恢复"
    assert (archived.number, archived.year, archived.scenario, archived.department_name) == (
        "MC-2025-0007",
        2025,
        "holiday_promotion",
        "Marketing",
    )
    assert sorted(EntryChannel.objects.filter(entry=archived).values_list("name", flat=True)) == [
        "微信朋友圈",
        "抖音",
    ]
    assert "农业发展银行" in archived.keywords


def test_it_is_idempotent(archived, pm):
    assert services.knowledge_entry_create(campaign=archived.campaign, actor=pm) == archived
    assert KnowledgeEntry.objects.count() == 1


def test_it_refuses_a_campaign_that_is_not_archived(campaign, planner):
    with pytest.raises(Conflict) as error:
        services.knowledge_entry_create(campaign=campaign, actor=planner)
    assert error.value.code == "not_archived"
    assert not KnowledgeEntry.objects.exists()


def test_the_snapshot_survives_later_edits_and_the_deletion_of_the_campaign(archived, planner):
    planner.display_name = "Renamed Person"
    planner.save()
    Campaign.objects.filter(pk=archived.campaign_id).update(name="Changed later")
    entry = KnowledgeEntry.objects.get(pk=archived.pk)
    assert entry.snapshot["members"][0]["name"] != "Renamed Person"
    assert entry.snapshot["campaign"]["name"] == "中国农业发展银行联名信用卡推广"
    with pytest.raises(ValueError):
        entry.save()  # the snapshot cannot be rewritten


def test_the_archive_transition_freezes_the_campaign(bank_campaign, pm, monkeypatch):
    monkeypatch.setitem(lifecycle.GUARDS, "archive", [])  # the close-out documents are another app's
    Campaign.objects.filter(pk=bank_campaign.pk).update(status=CampaignStatus.CLOSING)
    bank_campaign.refresh_from_db()

    campaign_transition(campaign=bank_campaign, actor=pm, action="archive", comment="done")

    entry = KnowledgeEntry.objects.get(campaign=bank_campaign)
    assert entry.snapshot["campaign"]["status"] == CampaignStatus.ARCHIVED
    assert AuditEvent.objects.filter(
        verb="knowledge.entry_created", object_id=str(entry.pk), actor=pm
    ).exists()


def test_the_sweep_freezes_archived_campaigns_without_an_entry(bank_campaign, campaign):
    Campaign.objects.filter(pk=bank_campaign.pk).update(status=CampaignStatus.ARCHIVED)
    assert services.knowledge_entries_sweep() == 1
    assert services.knowledge_entries_sweep() == 0
    assert KnowledgeEntry.objects.get().campaign == bank_campaign


def test_another_app_adds_its_part_and_its_words(bank_campaign, planner, monkeypatch):
    monkeypatch.setitem(PARTS, "evaluation", PARTS.get("evaluation"))
    register_snapshot_part(
        "evaluation", lambda campaign: {"lessons": "直播间转化率最高"}, text=lambda part: part["lessons"]
    )
    entry = archive(bank_campaign, planner)
    assert entry.snapshot["evaluation"] == {"lessons": "直播间转化率最高"}
    assert selectors.entry_search(user=planner, query="直播间").entries == [entry]


def test_a_failing_part_is_left_out_and_does_not_block(bank_campaign, planner, monkeypatch):
    monkeypatch.setitem(PARTS, "broken", None)
    register_snapshot_part("broken", lambda campaign: 1 / 0)
    entry = archive(bank_campaign, planner)
    assert entry.snapshot["missing_parts"] == ["broken"]


def test_a_core_part_cannot_be_replaced():
    with pytest.raises(ValueError):
        register_snapshot_part("goals", lambda campaign: [])


# --- labels ----------------------------------------------------------------------------------------


def test_the_team_edits_tags_and_keywords_and_search_follows(archived, pm):
    services.knowledge_entry_label(
        entry=archived, actor=pm, tags=[" 联名 ", "Credit card", "联名"], keywords="信用卡, 银行"
    )

    entry = KnowledgeEntry.objects.get(pk=archived.pk)
    assert list(entry.tags.values_list("name", flat=True)) == ["联名", "Credit card"]
    assert entry.keywords == ["信用卡", "银行"]
    assert entry.proposed_keywords == archived.proposed_keywords
    event = AuditEvent.objects.get(verb="knowledge.labelled")
    assert event.before["tags"] == [] and event.after["tags"] == ["联名", "Credit card"]
    assert selectors.entry_search(user=pm, query="credit card").entries == [entry]


def test_finance_sees_but_may_not_label(archived, finance):
    with pytest.raises(Forbidden):
        services.knowledge_entry_label(entry=archived, actor=finance, tags=["x"])
    assert not archived.tags.exists()


def test_an_outsider_cannot_find_the_entry(archived, outsider):
    with pytest.raises(NotFound):
        services.knowledge_entry_label(entry=archived, actor=outsider, tags=["x"])


def test_a_tag_too_long_is_refused_by_field(archived, pm):
    with pytest.raises(ValidationFailed) as error:
        services.knowledge_entry_label(entry=archived, actor=pm, tags=["x" * 41])
    assert error.value.errors[0].field == "tags"
    assert not archived.tags.exists()


# --- templates -------------------------------------------------------------------------------------


def test_save_as_template_keeps_goals_budget_split_milestones_and_risks(archived, pm):
    template = services.knowledge_template_create(entry=archived, actor=pm, name="联名卡推广模板")

    assert template.key == f"kb-{template.pk}"
    data = KnowledgeTemplate.objects.get().data
    assert data["name"]["zh-hans"] == "联名卡推广模板"
    assert data["duration_days"] == 30
    assert data["default_budget"] == "150000.00"  # 100,000 from ready_plan + 50,000 of channels
    assert data["budget_split"] == {"promotion": "0.9333", "contingency": "0.0667"}
    assert [goal["metric"] for goal in data["goals"]] == ["revenue", "ctr"]
    assert data["milestones"] == [
        {"name": {"en": "Launch", "zh-hans": "Launch", "zh-hant": "Launch"}, "offset_days": 0}
    ]
    assert data["risks"][0]["description"]["en"] == "Rain cancels the pop-up"
    assert AuditEvent.objects.filter(verb="knowledge.template_created").count() == 1


def test_a_template_name_must_be_new(archived, pm):
    services.knowledge_template_create(entry=archived, actor=pm, name="Bank")
    with pytest.raises(ValidationFailed) as error:
        services.knowledge_template_create(entry=archived, actor=pm, name="bank")
    assert error.value.errors[0].field == "name"
    assert KnowledgeTemplate.objects.count() == 1


def test_the_template_is_readable_like_a_scenario(archived, pm):
    from campaignflow.knowledge import scenarios

    template = services.knowledge_template_create(entry=archived, actor=pm)
    assert scenarios.get(template.key)["name"]["en"] == "中国农业发展银行联名信用卡推广 (template)"
    assert scenarios.get("holiday_promotion") is None
    assert list(scenarios.load_all()) == [template.key]


def test_year_follows_the_end_date(planner, marketing):
    from .conftest import make_campaign

    campaign = make_campaign(
        planner, marketing, "跨年活动", start_date=dt.date(2024, 12, 20), end_date=dt.date(2025, 1, 5)
    )
    assert archive(campaign, planner).year == 2025


def test_a_new_campaign_starts_from_the_saved_template(archived, pm, planner, marketing, client):
    from campaignflow.campaigns.services import campaign_create

    template = services.knowledge_template_create(entry=archived, actor=pm)
    client.force_login(planner)
    offered = [t["key"] for t in client.get("/api/v1/templates").json()]

    campaign = campaign_create(
        actor=planner,
        name="New",
        department=marketing,
        template=template.key,
        budget_total=Decimal("300000"),
        start_date=dt.date(2026, 9, 1),
    )

    assert offered[:4] == ["new_product_launch", "brand_awareness", "holiday_promotion", "online_offline"]
    assert template.key in offered
    assert campaign.template == template.key
    assert sorted(campaign.goals.values_list("metric", "target")) == [
        ("ctr", Decimal("0.0200")),
        ("revenue", Decimal("1000000.0000")),
    ]
    assert sorted(campaign.budget_lines.values_list("category", "amount")) == [
        ("contingency", Decimal("20010.00")),
        ("promotion", Decimal("279990.00")),
    ]
    assert list(campaign.milestones.values_list("date", flat=True)) == [dt.date(2026, 9, 1)]
