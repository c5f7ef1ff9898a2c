"""The evaluation report's figures, who may write and decide it, its states and the archive guard."""

from __future__ import annotations

from decimal import Decimal

import pytest

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns.services import campaign_transition
from campaignflow.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from campaignflow.evaluation import selectors, services
from campaignflow.evaluation.models import EvaluationDimension, EvaluationReport
from campaignflow.expenses.models import Settlement
from campaignflow.notifications.models import Notification


def _rows(campaign):
    return {
        row.key if not row.goal_id else row.metric: row
        for row in selectors.evaluation_for(campaign=campaign).dimensions
    }


def test_it_prefills_every_goal_and_roi_roas_with_hand_computed_figures(closing):
    rows = _rows(closing)

    assert list(rows) == ["revenue", "new_users", "cpa", "satisfaction", "roi", "roas"]
    assert (rows["revenue"].actual, rows["revenue"].achievement, rows["revenue"].met) == (
        Decimal("1200000"),
        Decimal("1.2"),
        True,
    )
    assert (rows["new_users"].actual, rows["new_users"].achievement, rows["new_users"].met) == (
        Decimal("18000"),
        Decimal("0.9"),
        False,
    )
    # CPA is lower-is-better: 50,000 / 800 = 62.5 against a target of 50 → 50 / 62.5 = 80 %
    assert (rows["cpa"].actual, rows["cpa"].achievement, rows["cpa"].met) == (
        Decimal("62.5"),
        Decimal("0.8"),
        False,
    )
    assert (rows["satisfaction"].tracked, rows["satisfaction"].actual) == (False, None)
    # ROI = (1,200,000 − 50,000) / 50,000 = 23; ROAS = 24
    assert (rows["roi"].actual, rows["roas"].actual) == (Decimal("23"), Decimal("24"))


def test_channel_results_come_from_the_daily_data(closing):
    view = selectors.evaluation_for(campaign=closing)

    moments = next(row for row in view.channels if row["name"] == "朋友圈")
    assert (moments["cost"], moments["revenue"], moments["conversions"], moments["cpa"]) == (
        Decimal("30000"),
        Decimal("700000"),
        Decimal("500"),
        Decimal("60"),
    )
    assert view.totals["roas"] == Decimal("24")


def test_the_analyst_writes_analysis_and_a_typed_actual_for_an_untracked_goal(closing, analyst):
    services.evaluation_update(campaign=closing, actor=analyst, data={"summary": "整体达成"})
    satisfaction = EvaluationDimension.objects.get(metric="satisfaction")
    revenue = EvaluationDimension.objects.get(metric="revenue")

    services.dimension_update(
        dimension=satisfaction, actor=analyst, data={"actual": "0.92", "analysis": "体验环节设计合理"}
    )
    services.dimension_update(dimension=revenue, actor=analyst, data={"analysis": "促销力度大"})

    rows = _rows(closing)
    assert rows["satisfaction"].achievement.quantize(Decimal("0.0001")) == Decimal("1.0222")
    assert (rows["satisfaction"].met, rows["satisfaction"].analysis) == (True, "体验环节设计合理")
    assert rows["revenue"].analysis == "促销力度大"
    with pytest.raises(ValidationFailed) as caught:
        services.dimension_update(dimension=revenue, actor=analyst, data={"actual": "5"})
    assert caught.value.errors[0].field == "actual"
    assert AuditEvent.objects.filter(verb="evaluationdimension.updated").count() == 2


@pytest.mark.parametrize("persona", ["planner", "pm", "analyst"])
def test_owner_pm_and_analyst_may_write(closing, persona, request):
    report = services.evaluation_update(
        campaign=closing, actor=request.getfixturevalue(persona), data={"summary": "ok"}
    )
    assert report.summary == "ok"


@pytest.mark.parametrize(
    ("persona", "error"), [("viewer", Forbidden), ("finance", Forbidden), ("outsider", NotFound)]
)
def test_others_may_not_write_and_nothing_changes(closing, persona, error, request):
    with pytest.raises(error):
        services.evaluation_update(
            campaign=closing, actor=request.getfixturevalue(persona), data={"summary": "x"}
        )
    assert not EvaluationReport.objects.exists()


def test_submit_needs_a_summary_then_management_approves_and_it_is_immutable(closing, pm, manager):
    services.evaluation_start(campaign=closing, actor=pm)
    with pytest.raises(ValidationFailed) as caught:
        services.evaluation_submit(campaign=closing, actor=pm)
    assert caught.value.errors[0].field == "summary"

    services.evaluation_update(campaign=closing, actor=pm, data={"summary": "达成", "keep": "每日例会"})
    services.evaluation_submit(campaign=closing, actor=pm)
    assert Notification.objects.filter(recipient=manager, event="approval.requested").exists()
    with pytest.raises(Forbidden):
        services.evaluation_approve(campaign=closing, actor=pm)
    services.evaluation_approve(campaign=closing, actor=manager, comment="同意")

    report = EvaluationReport.objects.get()
    assert report.status == "approved" and report.totals["roas"] == "24.000000"
    assert Notification.objects.filter(recipient=pm, event="approval.decided").exists()
    with pytest.raises(Conflict):
        services.evaluation_update(campaign=closing, actor=pm, data={"summary": "changed"})
    with pytest.raises(Conflict):
        services.dimension_update(dimension=report.dimensions.first(), actor=pm, data={"analysis": "x"})
    report.refresh_from_db()
    assert report.summary == "达成"


def test_reject_needs_a_comment_and_returns_to_draft(closing, pm, manager):
    services.evaluation_update(campaign=closing, actor=pm, data={"summary": "达成"})
    services.evaluation_submit(campaign=closing, actor=pm)
    with pytest.raises(ValidationFailed):
        services.evaluation_reject(campaign=closing, actor=manager)

    services.evaluation_reject(campaign=closing, actor=manager, comment="补充渠道分析")

    report = EvaluationReport.objects.get()
    assert (report.status, report.revision, report.decision_comment) == ("draft", 2, "补充渠道分析")


def test_a_live_campaign_keeps_a_draft_but_cannot_submit(closing, pm):
    closing.status = "live"
    closing.save()
    services.evaluation_update(campaign=closing, actor=pm, data={"summary": "中期"})
    with pytest.raises(Conflict):
        services.evaluation_submit(campaign=closing, actor=pm)


def test_archive_is_refused_with_409_naming_the_evaluation_until_it_is_approved(closing, planner, manager):
    Settlement.objects.create(campaign=closing, status="approved")
    with pytest.raises(Conflict) as caught:
        campaign_transition(campaign=closing, actor=planner, action="archive")
    assert "evaluation report" in caught.value.message
    closing.refresh_from_db()
    assert closing.status == "closing"

    services.evaluation_update(campaign=closing, actor=planner, data={"summary": "达成"})
    services.evaluation_submit(campaign=closing, actor=planner)
    with pytest.raises(Conflict) as caught:
        campaign_transition(campaign=closing, actor=planner, action="archive")
    assert "the evaluation report is Submitted, not approved" in caught.value.message

    services.evaluation_approve(campaign=closing, actor=manager)
    campaign_transition(campaign=closing, actor=planner, action="archive")
    closing.refresh_from_db()
    assert closing.status == "archived"
