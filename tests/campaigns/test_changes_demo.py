"""The demo's stage-2 part: launched campaigns passed the readiness checklist; change requests."""

from __future__ import annotations

import datetime as dt

import pytest

from campaignflow.campaigns import changes, readiness
from campaignflow.campaigns.models import Campaign, ChangeRequest, PlanSnapshot
from tests.conftest import module_demo

TODAY = dt.date(2026, 11, 23)
LIVE = "2026年秋季新品上市：桂花乌龙"
OPTIMIZING = "品牌焕新计划"


demo_world = module_demo(TODAY)


@pytest.fixture
def loaded(db, demo_world):
    return demo_world


def test_every_launched_campaign_passed_the_readiness_checklist(loaded):
    assert loaded.warnings == []
    launched = Campaign.objects.filter(status__in=["live", "optimizing", "closing", "archived"])
    assert launched.count() == 4
    for campaign in launched:
        rows = {row.key: row for row in readiness.evaluate(campaign)}
        seed = [rows[key] for key in ("smart_goals", "budget", "team", "target_audience", "kpis")]
        assert all(row.state == "done" for row in seed), campaign.name
        assert rows["journey_content"].item.checked_by.username == "liu.pm"
    popup = Campaign.objects.get(template="online_offline", status="closing")
    waiver = popup.readiness_items.get(key="tools_tracking")
    assert (waiver.waived, waiver.waived_by.username) == (True, "zhang.planner")


def test_the_live_campaign_moved_its_end_date_by_an_approved_change(loaded):
    campaign = Campaign.objects.get(name=LIVE)
    request = ChangeRequest.objects.get(campaign=campaign, kind="dates")

    assert (request.status, request.created_by.username, request.applied_revision) == ("applied", "liu.pm", 2)
    assert [(a.level, a.actor.username) for a in request.approvals.order_by("level")] == [
        (1, "li.head"),
        (2, "wang.manager"),
    ]
    snapshot = PlanSnapshot.objects.get(campaign=campaign)
    assert snapshot.revision == 1
    before = dt.date.fromisoformat(snapshot.data["fields"]["end_date"])
    assert campaign.end_date - before == dt.timedelta(days=7)
    assert campaign.milestones.filter(date=campaign.end_date).exists()


def test_the_optimized_campaign_has_a_budget_shift_waiting_for_the_department_head(loaded):
    from campaignflow.accounts.models import User

    request = ChangeRequest.objects.get(campaign__name=OPTIMIZING)

    assert (request.kind, request.status, request.approval_level) == ("budget", "in_review", 1)
    assert changes.change_request_inbox(user=User.objects.get(username="li.head")) == [request]
    moves = [(row.label, row.before, row.after) for row in changes.change_rows(request)[:2]]
    assert [(label.split(" · ")[-1], before, after) for label, before, after in moves] == [
        ("抖音", "165000.00", "135000.00"),
        ("小红书", "99000.00", "129000.00"),
    ]
