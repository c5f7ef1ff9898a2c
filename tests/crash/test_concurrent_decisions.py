"""Two approvers deciding the same step at the same instant: one decision counts, the other is refused.

Each approver is a thread with its own database connection, released together by a barrier, on
committed data (transactional_db): on SQLite the IMMEDIATE transaction serialises them, on
PostgreSQL the campaign's row lock (SELECT … FOR UPDATE) does. The suite runs on both.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns import services
from campaignflow.campaigns.models import Approval, Campaign
from campaignflow.core.errors import ApplicationError
from tests.factories import UserFactory

# Committed for real, so other processes and threads see the rows; data the migrations seed
# (metric definitions, default alert rules) is seeded again before each test (the `seeded` fixture).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]


def race(*decisions) -> list:
    """Run each callable in its own thread, all at once; each result is a value or the error raised."""
    barrier = threading.Barrier(len(decisions))
    results: list = [None] * len(decisions)

    def run(index, decide):
        try:
            barrier.wait(timeout=30)
            results[index] = decide()
        except Exception as exc:  # an error is an outcome; the test says which ones are right
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, decide)) for n, decide in enumerate(decisions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.fixture
def in_review(campaign, planner):
    return services.campaign_submit(campaign=campaign, actor=planner)


@pytest.fixture
def second_head(marketing):
    return UserFactory(username="dept_head_2", department=marketing, roles=["department_head"])


def fresh(campaign) -> Campaign:
    return Campaign.objects.get(pk=campaign.pk)


def test_two_heads_approving_the_same_level_at_once_record_one_approval(in_review, dept_head, second_head):
    results = race(
        lambda: services.campaign_approve(campaign=fresh(in_review), actor=dept_head),
        lambda: services.campaign_approve(campaign=fresh(in_review), actor=second_head),
    )

    won = [r for r in results if isinstance(r, Campaign)]
    lost = [r for r in results if isinstance(r, ApplicationError)]
    assert len(won) == 1 and len(lost) == 1, results
    # the loser is told the plan has moved on to the next level, not that their approval counted
    assert (lost[0].status, lost[0].code) == (403, "wrong_level")
    assert Approval.objects.filter(campaign=in_review, level=1).count() == 1
    assert AuditEvent.objects.filter(verb="campaign.approved").count() == 1
    campaign = fresh(in_review)
    assert (campaign.status, campaign.approval_level) == ("in_review", 2)


def test_an_approval_and_a_rejection_at_once_leave_one_consistent_outcome(in_review, dept_head, second_head):
    results = race(
        lambda: services.campaign_approve(campaign=fresh(in_review), actor=dept_head),
        lambda: services.campaign_reject(campaign=fresh(in_review), actor=second_head, comment="Too costly"),
    )

    approved, rejected = results
    assert [isinstance(r, ApplicationError) for r in results].count(True) == 1, results
    decisions = list(Approval.objects.filter(campaign=in_review).values_list("decision", flat=True))
    verbs = list(
        AuditEvent.objects.filter(verb__in=["campaign.approved", "campaign.rejected"]).values_list(
            "verb", flat=True
        )
    )
    campaign = fresh(in_review)
    if isinstance(approved, Campaign):  # the approval went first: the rejection found level 2
        assert (rejected.status, rejected.code) == (403, "wrong_level")
        assert decisions == ["approve"] and verbs == ["campaign.approved"]
        assert (campaign.status, campaign.approval_level, campaign.revision) == ("in_review", 2, 1)
    else:  # the rejection went first: the approval found a draft
        assert (approved.status, approved.code) == (409, "invalid_transition")
        assert decisions == ["reject"] and verbs == ["campaign.rejected"]
        assert (campaign.status, campaign.approval_level, campaign.revision) == ("draft", 0, 2)


def test_the_last_level_approved_twice_at_once_registers_one_number(in_review, dept_head, manager):
    services.campaign_approve(campaign=fresh(in_review), actor=dept_head)
    second_manager = UserFactory(username="manager_2", department=manager.department, roles=["management"])

    results = race(
        lambda: services.campaign_approve(campaign=fresh(in_review), actor=manager),
        lambda: services.campaign_approve(campaign=fresh(in_review), actor=second_manager),
    )

    lost = [r for r in results if isinstance(r, ApplicationError)]
    assert len(lost) == 1, results
    assert (lost[0].status, lost[0].code) == (409, "invalid_transition")
    campaign = fresh(in_review)
    assert campaign.status == "approved" and campaign.number
    assert AuditEvent.objects.filter(verb="campaign.registered").count() == 1
    assert Approval.objects.filter(campaign=in_review, level=2).count() == 1


# --- the expense settlement ----------------------------------------------------------------------------


@pytest.fixture
def submitted_settlement(planner, marketing, finance):
    from campaignflow.campaigns.models import BudgetLine
    from campaignflow.expenses import services as expenses
    from tests.factories import CampaignFactory

    closing = CampaignFactory(
        owner=planner, department=marketing, name="Autumn pop-up", status="closing", number="MC-2026-0031"
    )
    for category in ("promotion", "materials"):
        BudgetLine.objects.create(campaign=closing, category=category, amount="10000.00")
    explanations = {"promotion": "Not spent.", "materials": "Not spent."}
    expenses.settlement_update(campaign=closing, actor=finance, explanations=explanations)
    expenses.settlement_submit(campaign=closing, actor=finance)
    return closing


def test_two_managers_approving_the_settlement_at_once_approve_it_once(submitted_settlement, manager):
    from campaignflow.expenses import services as expenses
    from campaignflow.expenses.models import Settlement

    second_manager = UserFactory(username="manager_2", department=manager.department, roles=["management"])

    results = race(
        lambda: expenses.settlement_approve(campaign=fresh(submitted_settlement), actor=manager),
        lambda: expenses.settlement_approve(campaign=fresh(submitted_settlement), actor=second_manager),
    )

    lost = [r for r in results if isinstance(r, ApplicationError)]
    assert len(lost) == 1 and not [r for r in results if isinstance(r, Exception) and r not in lost], results
    assert (lost[0].status, lost[0].code) == (409, "settlement_not_submitted")
    assert Settlement.objects.get(campaign=submitted_settlement).status == "approved"
    assert AuditEvent.objects.filter(verb="settlement.approved").count() == 1
