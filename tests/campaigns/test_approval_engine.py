"""The approval engine (campaigns.approvals): one decider check, one comment rule, one immutable
record and one audit trail for the plan, change requests, the expense settlement and the evaluation
report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from campaignflow.accounts.models import Organization
from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns import approvals, changes
from campaignflow.campaigns.models import Approval, Campaign
from campaignflow.campaigns.services import campaign_transition
from campaignflow.core.errors import Conflict, Forbidden, ValidationFailed
from campaignflow.evaluation import services as evaluation_services
from campaignflow.evaluation.models import EvaluationReport
from campaignflow.expenses import services as expense_services
from campaignflow.expenses.models import Settlement
from campaignflow.notifications.models import Notification
from tests.factories import CampaignFactory


@pytest.fixture
def closing(planner, marketing):
    """A closing campaign with no budget lines and no goals: its settlement needs no explanation."""
    return CampaignFactory(
        owner=planner,
        department=marketing,
        name="Autumn pop-up",
        status="closing",
        number="MC-2026-0031",
        start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2026, 10, 31),
    )


@pytest.fixture
def settlement(closing, planner):
    expense_services.settlement_submit(campaign=closing, actor=planner)
    return Settlement.objects.get(campaign=closing)


@pytest.fixture
def report(closing, planner):
    evaluation_services.evaluation_update(campaign=closing, actor=planner, data={"summary": "客流超预期。"})
    evaluation_services.evaluation_submit(campaign=closing, actor=planner)
    return EvaluationReport.objects.get(campaign=closing)


@pytest.fixture
def approved(campaign, planner, dept_head, manager):
    campaign_transition(campaign=campaign, actor=planner, action="submit")
    campaign_transition(campaign=campaign, actor=dept_head, action="approve")
    campaign_transition(campaign=campaign, actor=manager, action="approve")
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def change_request(approved, planner):
    request = changes.change_request_create(
        campaign=approved,
        actor=planner,
        kind="dates",
        reason="Gift boxes arrive late.",
        proposed={"start_date": "2026-12-01", "end_date": "2027-01-07"},
    )
    changes.change_request_submit(change_request=request, actor=planner)
    request.refresh_from_db()
    return request


def audit(verb: str) -> AuditEvent:
    return AuditEvent.objects.get(verb=verb)


# --- levels --------------------------------------------------------------------------------------


def test_the_plan_advances_level_by_level_with_one_record_per_decision(campaign, planner, dept_head, manager):
    campaign_transition(campaign=campaign, actor=planner, action="submit")

    campaign_transition(campaign=campaign, actor=dept_head, action="approve", comment="OK")

    campaign.refresh_from_db()
    assert (campaign.status, campaign.approval_level) == ("in_review", 2)
    first = audit("campaign.approved")
    assert (first.before, first.after, first.comment) == (
        {"status": "in_review", "revision": 1, "level": 1},
        {"status": "in_review", "revision": 1, "level": 2},
        "OK",
    )

    campaign_transition(campaign=campaign, actor=manager, action="approve")

    campaign.refresh_from_db()
    assert campaign.status == "approved" and campaign.number
    rows = list(campaign.approvals.values_list("level", "role", "decision", "actor__username"))
    assert rows == [
        (1, "department_head", "approve", "dept_head"),
        (2, "management", "approve", "manager"),
    ]


def test_a_sign_off_takes_as_many_levels_as_configured(settlement, closing, admin_user, manager):
    """The settlement is a flow with levels ["management"]; given two levels, it waits for both."""
    flow = expense_services.SettlementFlow(settlement, closing, levels=["admin", "management"])
    with pytest.raises(Forbidden) as error:
        approvals.approve(flow, manager)
    assert error.value.code == "wrong_level"

    approvals.approve(flow, admin_user, "财务核对无误。")

    settlement.refresh_from_db()
    assert settlement.status == "submitted"
    flow = expense_services.SettlementFlow(settlement, closing, levels=["admin", "management"])
    assert flow.level == 2
    approvals.approve(flow, manager)
    settlement.refresh_from_db()
    assert settlement.status == "approved" and settlement.approved_at is not None
    assert [(a.level, a.role, a.actor) for a in settlement.approvals.all()] == [
        (1, "admin", admin_user),
        (2, "management", manager),
    ]


def test_a_decider_of_another_level_is_refused_with_wrong_level(campaign, planner, manager):
    campaign_transition(campaign=campaign, actor=planner, action="submit")

    with pytest.raises(Forbidden) as error:
        campaign_transition(campaign=campaign, actor=manager, action="approve")

    assert error.value.code == "wrong_level"
    assert error.value.message == "This plan is waiting for approval level 1; you approve at level 2."
    assert not Approval.objects.exists()


def test_someone_who_decides_no_level_is_refused(settlement, closing, finance, planner):
    with pytest.raises(Forbidden) as error:
        expense_services.settlement_approve(campaign=closing, actor=planner)

    assert error.value.message == "Only management may approve or reject the expense settlement."
    assert not settlement.approvals.exists()


def test_deciding_what_is_not_in_review_is_a_conflict(closing, manager):
    with pytest.raises(Conflict) as settlement_error:
        expense_services.settlement_approve(campaign=closing, actor=manager)
    with pytest.raises(Conflict) as evaluation_error:
        evaluation_services.evaluation_reject(campaign=closing, actor=manager, comment="no")

    assert settlement_error.value.code == "settlement_not_submitted"
    assert "this one is Draft" in settlement_error.value.message
    assert not Settlement.objects.filter(campaign=closing).exists()
    assert evaluation_error.value.code == "evaluation_not_submitted"
    assert "this one is Draft" in evaluation_error.value.message


# --- comments --------------------------------------------------------------------------------------


def _rejection_without_comment(request, subject: str, planner, dept_head, manager):
    """The subject waiting for a decision, a rejection of it with a blank comment, and its status."""
    if subject == "plan":
        campaign = request.getfixturevalue("campaign")
        campaign_transition(campaign=campaign, actor=planner, action="submit")
        return (
            lambda: campaign_transition(campaign=campaign, actor=dept_head, action="reject", comment=" "),
            lambda: Campaign.objects.get(pk=campaign.pk).status,
        )
    if subject == "change":
        change = request.getfixturevalue("change_request")
        return (
            lambda: changes.change_request_reject(change_request=change, actor=dept_head, comment=""),
            lambda: type(change).objects.get(pk=change.pk).status,
        )
    if subject == "settlement":
        closing = request.getfixturevalue("settlement").campaign
        return (
            lambda: expense_services.settlement_reject(campaign=closing, actor=manager, comment="\n"),
            lambda: Settlement.objects.get(campaign=closing).status,
        )
    closing = request.getfixturevalue("report").campaign
    return (
        lambda: evaluation_services.evaluation_reject(campaign=closing, actor=manager),
        lambda: EvaluationReport.objects.get(campaign=closing).status,
    )


@pytest.mark.parametrize(
    ("subject", "message"),
    [
        ("plan", "Say why the plan is rejected."),
        ("change", "Say why the change is rejected."),
        ("settlement", "Say why the settlement is rejected."),
        ("evaluation", "Say why the evaluation report is rejected."),
    ],
)
def test_a_rejection_needs_a_comment_in_every_flow(request, subject, message, planner, dept_head, manager):
    attempt, status = _rejection_without_comment(request, subject, planner, dept_head, manager)
    before, decisions = status(), Approval.objects.count()

    with pytest.raises(ValidationFailed) as error:
        attempt()

    assert (error.value.message, error.value.errors[0].field) == (message, "comment")
    waiting = "in_review" if subject in ("plan", "change") else "submitted"
    assert status() == before == waiting
    assert Approval.objects.count() == decisions


def test_a_comment_is_at_most_2000_characters(campaign, planner, dept_head):
    campaign_transition(campaign=campaign, actor=planner, action="submit")

    with pytest.raises(ValidationFailed) as error:
        campaign_transition(campaign=campaign, actor=dept_head, action="approve", comment="x" * 2001)

    assert error.value.message == "Keep the comment under 2000 characters."
    campaign_transition(campaign=campaign, actor=dept_head, action="approve", comment="x" * 2000)
    assert len(Approval.objects.get().comment) == 2000


# --- the record --------------------------------------------------------------------------------------


def test_a_decision_is_immutable(settlement, closing, manager):
    expense_services.settlement_approve(campaign=closing, actor=manager, comment="同意。")
    decision = Approval.objects.get(settlement=settlement)

    decision.comment = "changed"
    with pytest.raises(ValueError):
        decision.save()
    with pytest.raises(ValueError):
        decision.delete()

    assert Approval.objects.get(pk=decision.pk).comment == "同意。"


def test_a_decision_decides_exactly_one_subject(approved, settlement, manager):
    with pytest.raises(IntegrityError), transaction.atomic():
        Approval.objects.create(
            campaign=approved,
            subject=settlement,
            revision=1,
            level=1,
            role="management",
            decision="approve",
            actor=manager,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Approval.objects.create(revision=1, level=1, role="management", decision="approve", actor=manager)


def test_one_engine_records_all_four_flows(change_request, settlement, report, dept_head, manager):
    campaign = change_request.campaign
    changes.change_request_approve(change_request=change_request, actor=dept_head)
    changes.change_request_approve(change_request=change_request, actor=manager)
    expense_services.settlement_approve(campaign=settlement.campaign, actor=manager, comment="同意。")
    evaluation_services.evaluation_reject(campaign=report.campaign, actor=manager, comment="补充渠道分析")

    plan = Approval.objects.filter(campaign=campaign)
    change = Approval.objects.filter(change_request=change_request)
    on_settlement = Approval.objects.get(settlement=settlement)
    on_report = Approval.objects.get(evaluation_report=report)
    assert [a.level for a in plan] == [1, 2] and [a.level for a in change] == [1, 2]
    assert on_settlement.subject == settlement and on_settlement.campaign is None
    assert (on_settlement.level, on_settlement.role, on_settlement.comment) == (1, "management", "同意。")
    assert on_report.subject == report and (on_report.decision, on_report.revision) == ("reject", 1)
    report.refresh_from_db()
    assert (report.status, report.revision, report.decided_by, report.decision_comment) == (
        "draft",
        2,
        manager,
        "补充渠道分析",
    )
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {
        "campaign.approved",
        "change_request.approved",
        "change_request.applied",
        "settlement.submitted",
        "settlement.approved",
        "evaluation.submitted",
        "evaluation.rejected",
    } <= verbs
    rejected = audit("evaluation.rejected")
    assert (rejected.before, rejected.after, rejected.revision) == (
        {"status": "submitted", "revision": 1, "level": 1},
        {"status": "draft", "revision": 2},
        None,
    )


# --- who is asked ------------------------------------------------------------------------------------


def test_with_nobody_in_management_the_administrators_are_asked_and_decide(closing, planner, admin_user):
    expense_services.settlement_submit(campaign=closing, actor=planner)

    asked = Notification.objects.get(event="approval.requested")
    assert asked.recipient == admin_user
    expense_services.settlement_approve(campaign=closing, actor=admin_user)
    assert Approval.objects.get(settlement__campaign=closing).role == "admin"


def test_with_no_approval_level_a_submitted_plan_is_registered_at_once(campaign, planner):
    org = Organization.current()
    org.approval_levels = []
    org.save()

    campaign_transition(campaign=campaign, actor=planner, action="submit")

    campaign.refresh_from_db()
    assert campaign.status == "approved" and campaign.number
    assert not Approval.objects.exists()
    assert list(
        AuditEvent.objects.filter(campaign=campaign).order_by("at", "id").values_list("verb", flat=True)
    ) == [
        "campaign.submitted",
        "campaign.registered",
    ]


# --- the evaluation's decisions in the API and on the page -------------------------------------------


def test_the_evaluation_shows_its_decisions_in_the_api_and_on_the_page(client, report, manager):
    closing = report.campaign
    evaluation_services.evaluation_reject(campaign=closing, actor=manager, comment="补充渠道分析")
    client.force_login(manager)

    body = client.get(f"/api/v1/campaigns/{closing.pk}/evaluation").json()
    html = client.get(reverse("evaluation:campaign", args=[closing.pk])).content.decode()

    assert [
        (a["revision"], a["level"], a["decision"], a["actor_name"], a["comment"]) for a in body["approvals"]
    ] == [(1, 1, "reject", "manager", "补充渠道分析")]
    assert "Decisions" in html and "“补充渠道分析”" in html
