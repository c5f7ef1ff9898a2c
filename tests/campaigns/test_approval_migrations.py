"""The data migrations into the one approval record: SettlementApproval rows become campaigns.Approval
rows on the settlement (expenses 0002), and reports decided before the engine get their last
decision recorded (evaluation 0002)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from campaignflow.campaigns.models import Approval
from campaignflow.evaluation.models import EvaluationReport
from campaignflow.expenses.models import Settlement

BEFORE = [("expenses", "0001_initial"), ("evaluation", "0001_initial")]
AT = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.migrate(targets)


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _old_data(apps) -> dict:
    Department = apps.get_model("accounts", "Department")
    User = apps.get_model("accounts", "User")
    UserRole = apps.get_model("accounts", "UserRole")
    Campaign = apps.get_model("campaigns", "Campaign")
    Settlement = apps.get_model("expenses", "Settlement")
    SettlementApproval = apps.get_model("expenses", "SettlementApproval")
    EvaluationReport = apps.get_model("evaluation", "EvaluationReport")
    marketing = Department.objects.create(name="Marketing", code="marketing")
    owner = User.objects.create(username="planner", department=marketing)
    manager = User.objects.create(username="manager", department=marketing)
    UserRole.objects.create(user=manager, role="management")
    admin = User.objects.create(username="admin", department=marketing)
    UserRole.objects.create(user=admin, role="admin")
    campaigns = [
        Campaign.objects.create(
            name=name, department=marketing, owner=owner, created_by=owner, status="closing"
        )
        for name in ("Autumn pop-up", "Winter fair", "Spring tea")
    ]
    settlement = Settlement.objects.create(campaign=campaigns[0], status="approved", revision=2)
    SettlementApproval.objects.create(
        settlement=settlement,
        revision=1,
        role="management",
        decision="reject",
        actor=manager,
        comment="附合同。",
        at=AT,
    )
    SettlementApproval.objects.create(
        settlement=settlement, revision=2, role="admin", decision="approve", actor=admin, comment="", at=AT
    )
    approved = EvaluationReport.objects.create(
        campaign=campaigns[0], status="approved", created_by=owner, decided_by=manager, decided_at=AT
    )
    sent_back = EvaluationReport.objects.create(
        campaign=campaigns[1],
        status="draft",
        revision=2,
        created_by=owner,
        decided_by=admin,
        decided_at=AT,
        decision_comment="补充渠道分析",
    )
    undecided = EvaluationReport.objects.create(campaign=campaigns[2], status="submitted", created_by=owner)
    return {
        "settlement": settlement.pk,
        "approved": approved.pk,
        "sent_back": sent_back.pk,
        "undecided": undecided.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_old_decisions_move_into_the_one_approval_record():
    try:
        state = _migrate(BEFORE)
        ids = _old_data(state.apps)

        _migrate(_latest())

        settlement = Settlement.objects.get(pk=ids["settlement"])
        copied = [
            (a.revision, a.level, a.role, a.decision, a.actor.username, a.comment, a.at)
            for a in settlement.approvals.all()
        ]
        assert copied == [
            (1, 1, "management", "reject", "manager", "附合同。", AT),
            (2, 1, "admin", "approve", "admin", "", AT),
        ]
        approved = EvaluationReport.objects.get(pk=ids["approved"])
        assert [(a.revision, a.role, a.decision, a.actor.username) for a in approved.approvals.all()] == [
            (1, "management", "approve", "manager")
        ]
        sent_back = EvaluationReport.objects.get(pk=ids["sent_back"])
        assert [(a.revision, a.role, a.decision, a.comment) for a in sent_back.approvals.all()] == [
            (1, "admin", "reject", "补充渠道分析")
        ]
        assert not EvaluationReport.objects.get(pk=ids["undecided"]).approvals.exists()
        assert Approval.objects.filter(campaign__isnull=False).count() == 0

        # and back: the settlement's decisions return to SettlementApproval
        state = _migrate(BEFORE)
        SettlementApproval = state.apps.get_model("expenses", "SettlementApproval")
        assert sorted(SettlementApproval.objects.values_list("revision", "decision")) == [
            (1, "reject"),
            (2, "approve"),
        ]
    finally:
        _migrate(_latest())
