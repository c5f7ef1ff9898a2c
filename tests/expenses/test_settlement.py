"""The expense settlement (活动费用决算表): explanations past the threshold, approval, immutability,
and the archive guard."""

from __future__ import annotations

from decimal import Decimal

import pytest

from campaignflow.accounts.models import Organization
from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns import services as campaign_services
from campaignflow.campaigns.models import Approval
from campaignflow.core.errors import Conflict, Forbidden, ValidationFailed
from campaignflow.expenses import selectors, services
from campaignflow.expenses.models import Expense, Settlement
from campaignflow.notifications.models import Notification
from tests.expenses.conftest import expense_data

EXPLAINED = {
    "promotion": "抖音投放未达排期，节余。",
    "materials": "客流高于预期，物料追加印制。",
    "third_party": "场地谈得折扣。",
    "contingency": "未动用应急预备金。",
}


@pytest.fixture
def spent(closing, finance):
    """Promotion 57,600 (−4 %), materials 21,500 (+7.5 %), third-party 9,000 (−10 %), no contingency."""
    for category, amount in (
        ("promotion", "57600.00"),
        ("materials", "21500.00"),
        ("third_party", "9000.00"),
    ):
        services.expense_create(
            campaign=closing, actor=finance, data=expense_data(closing.lines[category], amount=amount)
        )
    return closing


@pytest.fixture
def submitted(spent, finance, manager):
    services.settlement_update(campaign=spent, actor=finance, explanations=EXPLAINED)
    services.settlement_submit(campaign=spent, actor=finance)
    return spent


def test_it_computes_budget_actual_and_variance_per_category(spent):
    view = selectors.settlement_for(campaign=spent)

    rows = {
        row.category: (row.budget, row.actual, row.variance, row.variance_pct, row.explanation_required)
        for row in view.rows
    }
    assert rows == {
        "promotion": (
            Decimal("60000.00"),
            Decimal("57600.00"),
            Decimal("-2400.00"),
            Decimal("-0.0400"),
            False,
        ),
        "materials": (Decimal("20000.00"), Decimal("21500.00"), Decimal("1500.00"), Decimal("0.0750"), True),
        "third_party": (
            Decimal("10000.00"),
            Decimal("9000.00"),
            Decimal("-1000.00"),
            Decimal("-0.1000"),
            True,
        ),
        "contingency": (Decimal("10000.00"), Decimal("0.00"), Decimal("-10000.00"), Decimal("-1.0000"), True),
    }
    assert view.status == "draft" and view.settlement is None


def test_submitting_without_a_required_explanation_is_a_422_naming_the_category(spent, finance):
    services.settlement_update(campaign=spent, actor=finance, explanations={"materials": "追加印制。"})

    with pytest.raises(ValidationFailed) as error:
        services.settlement_submit(campaign=spent, actor=finance)

    assert [e.field for e in error.value.errors] == ["explanations.third_party", "explanations.contingency"]
    assert "“Third-party services”" in error.value.message and "“Contingency reserve”" in error.value.message
    assert Settlement.objects.get(campaign=spent).status == "draft"


def test_the_threshold_is_the_organizations(spent, finance):
    org = Organization.current()
    org.variance_threshold = Decimal("0.08")
    org.save()

    view = selectors.settlement_for(campaign=spent)

    assert [row.category for row in view.rows if row.explanation_required] == ["third_party", "contingency"]


def test_submission_freezes_the_figures_and_asks_management(submitted, finance, manager):
    settlement = Settlement.objects.get(campaign=submitted)
    assert (settlement.status, settlement.submitted_by) == ("submitted", finance)
    assert settlement.rows[0] == {
        "category": "materials",
        "label": "Materials",
        "budget": "20000.00",
        "actual": "21500.00",
        "explanation": "客流高于预期，物料追加印制。",
        "explanation_required": True,
    }
    request = Notification.objects.get(event="approval.requested")
    assert request.recipient == manager and request.title == "Settlement approval requested: Autumn pop-up"
    assert AuditEvent.objects.filter(verb="settlement.submitted", campaign=submitted).exists()


def test_the_settlement_is_submitted_only_at_close_out(live, finance):
    with pytest.raises(Conflict) as error:
        services.settlement_submit(campaign=live, actor=finance)

    assert error.value.code == "campaign_not_closing"
    assert not Settlement.objects.filter(campaign=live, status="submitted").exists()


def test_management_approves_with_an_immutable_record(submitted, manager, finance, planner):
    services.settlement_approve(campaign=submitted, actor=manager, comment="同意。")

    settlement = Settlement.objects.get(campaign=submitted)
    assert settlement.status == "approved" and settlement.approved_at is not None
    approval = Approval.objects.get(settlement=settlement)
    assert (approval.decision, approval.actor, approval.role, approval.comment, approval.revision) == (
        "approve",
        manager,
        "management",
        "同意。",
        1,
    )
    with pytest.raises(ValueError):
        approval.save()
    decided = Notification.objects.filter(event="approval.decided")
    assert sorted(n.recipient.username for n in decided) == ["finance", "planner"]


def test_a_rejection_returns_it_to_draft_with_the_comment_and_a_new_revision(submitted, manager, finance):
    with pytest.raises(ValidationFailed):
        services.settlement_reject(campaign=submitted, actor=manager, comment="  ")

    services.settlement_reject(campaign=submitted, actor=manager, comment="物料超支请附追加合同。")

    view = selectors.settlement_for(campaign=submitted)
    assert (view.status, view.settlement.revision, view.settlement.rows) == ("draft", 2, [])
    assert view.last_rejection.comment == "物料超支请附追加合同。"
    # back in draft, expenses may change again and the figures are live
    services.expense_create(
        campaign=submitted, actor=finance, data=expense_data(submitted.lines["contingency"], amount="500.00")
    )
    assert {row.category: row.actual for row in selectors.settlement_for(campaign=submitted).rows}[
        "contingency"
    ] == Decimal("500.00")


@pytest.mark.parametrize("who", ["finance", "planner", "dept_head", "analyst"])
def test_only_management_and_admins_decide(submitted, request, who):
    actor = request.getfixturevalue(who)

    with pytest.raises(Forbidden):
        services.settlement_approve(campaign=submitted, actor=actor)

    assert Settlement.objects.get(campaign=submitted).status == "submitted"


def test_an_admin_may_decide(submitted, admin_user):
    services.settlement_approve(campaign=submitted, actor=admin_user)

    assert Approval.objects.get(settlement__campaign=submitted).role == "admin"


def test_a_draft_cannot_be_decided(spent, manager):
    with pytest.raises(Conflict):
        services.settlement_approve(campaign=spent, actor=manager)


def test_an_approved_settlement_is_immutable(submitted, manager, finance):
    services.settlement_approve(campaign=submitted, actor=manager)
    expense = Expense.objects.filter(campaign=submitted).first()

    for attempt in (
        lambda: services.settlement_update(
            campaign=submitted, actor=finance, explanations={"promotion": "x"}
        ),
        lambda: services.settlement_submit(campaign=submitted, actor=finance),
        lambda: services.settlement_approve(campaign=submitted, actor=manager),
        lambda: services.settlement_reject(campaign=submitted, actor=manager, comment="no"),
        lambda: services.expense_update(expense=expense, actor=finance, data={"amount": "1.00"}),
        lambda: services.expense_delete(expense=expense, actor=finance),
    ):
        with pytest.raises(Conflict):
            attempt()

    settlement = Settlement.objects.get(campaign=submitted)
    assert settlement.status == "approved" and settlement.explanations["promotion"] == EXPLAINED["promotion"]
    assert Approval.objects.filter(settlement__campaign=submitted).count() == 1


def test_unknown_categories_and_overlong_explanations_are_refused(spent, finance):
    with pytest.raises(ValidationFailed) as error:
        services.settlement_update(campaign=spent, actor=finance, explanations={"travel": "x"})
    assert error.value.errors[0].field == "explanations.travel"

    with pytest.raises(ValidationFailed) as error:
        services.settlement_update(campaign=spent, actor=finance, explanations={"promotion": "x" * 2001})
    assert error.value.errors[0].field == "explanations.promotion"


# --- archive guard -------------------------------------------------------------------------------------


def test_archive_is_refused_until_the_settlement_is_approved(submitted, planner, manager):
    with pytest.raises(Conflict) as error:
        campaign_services.campaign_transition(campaign=submitted, actor=planner, action="archive")

    assert "expense settlement is Submitted, not approved" in error.value.message
    assert any("expense settlement" in e.message for e in error.value.errors)
    submitted.refresh_from_db()
    assert submitted.status == "closing"

    services.settlement_approve(campaign=submitted, actor=manager)
    from campaignflow.evaluation.models import EvaluationReport

    EvaluationReport.objects.create(campaign=submitted, status="approved", created_by=manager)  # other guard
    campaign_services.campaign_transition(campaign=submitted, actor=planner, action="archive")
    submitted.refresh_from_db()
    assert submitted.status == "archived"


def test_archive_without_any_settlement_names_it(closing, planner):
    with pytest.raises(Conflict) as error:
        campaign_services.campaign_transition(campaign=closing, actor=planner, action="archive")

    assert "the expense settlement has not been prepared and approved" in error.value.message


def test_a_submitted_settlement_waits_in_managements_approval_inbox(client, submitted, manager, finance):
    client.force_login(manager)

    page = client.get("/approvals/")

    rows = page.context["closeout_rows"]
    assert [(str(row["kind"]), row["document"].campaign) for row in rows] == [
        ("Expense settlement", submitted)
    ]
    assert f'href="/expenses/campaigns/{submitted.pk}/#settlement"' in page.content.decode()
    assert page.context["approvals_waiting"] == 1

    client.force_login(finance)  # prepares the settlement, does not decide it
    assert client.get("/approvals/").context["closeout_rows"] == []

    services.settlement_approve(campaign=submitted, actor=manager)
    client.force_login(manager)
    assert client.get("/approvals/").context["closeout_rows"] == []
