"""The lifecycle of DESIGN §3: transition table, two-level approval, rejection, registration."""

from __future__ import annotations

import pytest
from django.utils import timezone

from campaignflow.accounts.models import Organization
from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns.choices import CampaignStatus as S
from campaignflow.campaigns.lifecycle import GUARDS, TRANSITIONS, allowed_actions, register_guard
from campaignflow.campaigns.models import Approval, CampaignMember, RegistrationRecord
from campaignflow.campaigns.services import campaign_transition
from campaignflow.core.errors import Conflict, Forbidden, NotFound, ValidationFailed


def _approve_fully(campaign, planner, dept_head, manager):
    campaign_transition(campaign=campaign, actor=planner, action="submit")
    campaign_transition(campaign=campaign, actor=dept_head, action="approve")
    return campaign_transition(campaign=campaign, actor=manager, action="approve")


def _waive_readiness(campaign, owner):
    """Launch needs the readiness checklist (seed 004, tested in test_readiness*): waive what is open."""
    from campaignflow.campaigns import readiness

    for row in readiness.evaluate(campaign):
        if row.state == "open":
            readiness.readiness_set(
                campaign=campaign, actor=owner, key=row.key, waived=True, reason="not under test here"
            )


def test_the_transition_table_matches_the_design():
    assert {a: (tuple(t.sources), t.target) for a, t in TRANSITIONS.items()} == {
        "submit": ((S.DRAFT,), S.IN_REVIEW),
        "approve": ((S.IN_REVIEW,), S.APPROVED),
        "reject": ((S.IN_REVIEW,), S.DRAFT),
        "start_preparation": ((S.APPROVED,), S.PREPARING),
        "launch": ((S.PREPARING,), S.LIVE),
        "optimize": ((S.LIVE,), S.OPTIMIZING),
        "close": ((S.LIVE, S.OPTIMIZING), S.CLOSING),
        "archive": ((S.CLOSING,), S.ARCHIVED),
        "cancel": ((S.DRAFT, S.IN_REVIEW, S.APPROVED, S.PREPARING, S.LIVE, S.OPTIMIZING), S.CANCELLED),
    }
    assert allowed_actions(S.ARCHIVED) == []
    assert allowed_actions(S.CLOSING) == ["archive"]


def test_it_runs_the_whole_scenario_with_a_rejection(campaign, planner, dept_head, manager):
    campaign_transition(campaign=campaign, actor=planner, action="submit")
    campaign.refresh_from_db()
    assert (campaign.status, campaign.approval_level) == (S.IN_REVIEW, 1)

    campaign_transition(campaign=campaign, actor=dept_head, action="approve", comment="目标合理")
    campaign.refresh_from_db()
    assert (campaign.status, campaign.approval_level) == (S.IN_REVIEW, 2)

    campaign_transition(campaign=campaign, actor=manager, action="reject", comment="推广费过高")
    campaign.refresh_from_db()
    assert (campaign.status, campaign.revision, campaign.number) == (S.DRAFT, 2, None)

    _approve_fully(campaign, planner, dept_head, manager)
    campaign.refresh_from_db()
    year = timezone.localdate().year
    assert campaign.status == S.APPROVED
    assert campaign.number == f"MC-{year}-0001"
    record = RegistrationRecord.objects.get(campaign=campaign)
    assert (record.number, str(record.budget_total), record.owner_name) == (
        campaign.number,
        "100000.00",
        "planner",
    )
    assert record.approved_by == manager
    decisions = list(
        Approval.objects.filter(campaign=campaign).values_list(
            "revision", "level", "decision", "actor__username"
        )
    )
    assert decisions == [
        (1, 1, "approve", "dept_head"),
        (1, 2, "reject", "manager"),
        (2, 1, "approve", "dept_head"),
        (2, 2, "approve", "manager"),
    ]
    verbs = list(
        AuditEvent.objects.filter(campaign=campaign).order_by("at", "id").values_list("verb", "actor_name")
    )
    assert verbs == [
        ("campaign.submitted", "planner"),
        ("campaign.approved", "dept_head"),
        ("campaign.rejected", "manager"),
        ("campaign.submitted", "planner"),
        ("campaign.approved", "dept_head"),
        ("campaign.approved", "manager"),
        ("campaign.registered", "manager"),
    ]
    rejected = AuditEvent.objects.get(verb="campaign.rejected")
    assert (rejected.comment, rejected.revision, rejected.after) == (
        "推广费过高",
        1,
        {"status": "draft", "revision": 2},
    )


def test_it_numbers_registrations_sequentially_per_year(planner, dept_head, manager, marketing):
    from tests.factories import CampaignFactory, ready_plan

    numbers = []
    for _ in range(3):
        c = ready_plan(CampaignFactory(owner=planner, department=marketing))
        _approve_fully(c, planner, dept_head, manager)
        c.refresh_from_db()
        numbers.append(c.number)
    year = timezone.localdate().year
    assert numbers == [f"MC-{year}-0001", f"MC-{year}-0002", f"MC-{year}-0003"]


def test_a_level_two_approver_cannot_act_at_level_one(campaign, planner, manager):
    campaign_transition(campaign=campaign, actor=planner, action="submit")
    with pytest.raises(Forbidden) as exc:
        campaign_transition(campaign=campaign, actor=manager, action="approve")
    assert exc.value.code == "wrong_level"
    campaign.refresh_from_db()
    assert (campaign.status, campaign.approval_level) == (S.IN_REVIEW, 1)
    assert not Approval.objects.exists()


def test_a_department_head_of_another_department_cannot_approve(campaign, planner, sales):
    from tests.factories import UserFactory

    other_head = UserFactory(username="sales_head", department=sales, roles=["department_head"])
    campaign_transition(campaign=campaign, actor=planner, action="submit")
    with pytest.raises(NotFound):
        campaign_transition(campaign=campaign, actor=other_head, action="approve")
    assert not Approval.objects.exists()


def test_reject_needs_a_comment_and_changes_nothing_without_one(campaign, planner, dept_head):
    campaign_transition(campaign=campaign, actor=planner, action="submit")
    with pytest.raises(ValidationFailed) as exc:
        campaign_transition(campaign=campaign, actor=dept_head, action="reject", comment="  ")
    assert [e.field for e in exc.value.errors] == ["comment"]
    campaign.refresh_from_db()
    assert (campaign.status, campaign.revision) == (S.IN_REVIEW, 1)
    assert not Approval.objects.exists()


@pytest.mark.parametrize(
    "action", ["approve", "reject", "launch", "optimize", "close", "archive", "start_preparation"]
)
def test_it_refuses_transitions_from_draft_with_409(campaign, planner, dept_head, action):
    actor = dept_head if action in ("approve", "reject") else planner
    CampaignMember.objects.filter(campaign=campaign, user=planner).update(role="owner")
    with pytest.raises(Conflict):
        campaign_transition(campaign=campaign, actor=actor, action=action, comment="x")
    campaign.refresh_from_db()
    assert campaign.status == S.DRAFT


def test_it_walks_the_rest_of_the_lifecycle(campaign, planner, dept_head, manager):
    _approve_fully(campaign, planner, dept_head, manager)
    for action, status in [
        ("start_preparation", S.PREPARING),
        ("launch", S.LIVE),
        ("optimize", S.OPTIMIZING),
        ("close", S.CLOSING),
        ("archive", S.ARCHIVED),
    ]:
        if action == "launch":
            _waive_readiness(campaign, planner)
        if action == "archive":  # the close-out guards: settlement and evaluation report approved
            from campaignflow.evaluation.models import EvaluationReport
            from campaignflow.expenses.models import Settlement

            Settlement.objects.create(campaign=campaign, status="approved")
            EvaluationReport.objects.create(campaign=campaign, status="approved", created_by=planner)
        campaign_transition(campaign=campaign, actor=planner, action=action)
        campaign.refresh_from_db()
        assert campaign.status == status
    with pytest.raises(Conflict):
        campaign_transition(campaign=campaign, actor=manager, action="cancel", comment="too late")


def test_cancel_requires_a_reason_and_keeps_it(campaign, planner):
    with pytest.raises(ValidationFailed):
        campaign_transition(campaign=campaign, actor=planner, action="cancel")
    campaign_transition(campaign=campaign, actor=planner, action="cancel", comment="Budget frozen")
    campaign.refresh_from_db()
    assert (campaign.status, campaign.cancel_reason) == (S.CANCELLED, "Budget frozen")


def test_a_registered_guard_blocks_the_transition_with_409(campaign, planner, dept_head, manager):
    _approve_fully(campaign, planner, dept_head, manager)
    campaign_transition(campaign=campaign, actor=planner, action="start_preparation")

    def readiness(c):
        return ["Readiness checklist incomplete"]

    register_guard("launch", readiness)
    try:
        with pytest.raises(Conflict) as exc:
            campaign_transition(campaign=campaign, actor=planner, action="launch")
        assert "Readiness checklist incomplete" in exc.value.message
    finally:
        GUARDS["launch"].remove(readiness)
    campaign.refresh_from_db()
    assert campaign.status == S.PREPARING


def test_approval_levels_are_configurable(campaign, planner, manager):
    org = Organization.current()
    org.approval_levels = ["management"]
    org.save()
    campaign_transition(campaign=campaign, actor=planner, action="submit")
    campaign_transition(campaign=campaign, actor=manager, action="approve")
    campaign.refresh_from_db()
    assert campaign.status == S.APPROVED
    assert campaign.number is not None


def test_unknown_action_is_not_found(campaign, planner):
    with pytest.raises(NotFound):
        campaign_transition(campaign=campaign, actor=planner, action="teleport")


def test_approvals_are_immutable(campaign, planner, dept_head):
    campaign_transition(campaign=campaign, actor=planner, action="submit")
    campaign_transition(campaign=campaign, actor=dept_head, action="approve")
    approval = Approval.objects.get()
    approval.comment = "changed"
    with pytest.raises(ValueError):
        approval.save()


def test_an_app_hooked_after_a_move_acts_in_the_same_transaction(campaign, planner, monkeypatch):
    from campaignflow.campaigns import lifecycle
    from campaignflow.campaigns.models import Campaign

    seen = []
    monkeypatch.setitem(lifecycle.AFTER, "cancel", [lambda **kwargs: seen.append(kwargs)])
    campaign_transition(campaign=campaign, actor=planner, action="cancel", comment="Budget frozen")
    assert [(k["campaign"].status, k["actor"], k["comment"]) for k in seen] == [
        (S.CANCELLED, planner, "Budget frozen")
    ]

    def refuse(**kwargs):
        raise Conflict("the archive is full")

    other = ready_other(campaign)
    monkeypatch.setitem(lifecycle.AFTER, "cancel", [refuse])
    with pytest.raises(Conflict):
        campaign_transition(campaign=other, actor=planner, action="cancel", comment="Budget frozen")
    assert Campaign.objects.get(pk=other.pk).status == S.DRAFT  # the move was rolled back with the hook


def ready_other(campaign):
    from tests.factories import CampaignFactory, ready_plan

    return ready_plan(CampaignFactory(owner=campaign.owner, department=campaign.department, name="Other"))
