"""Recording expenses: the rules of one expense, freezing, the audit trail and the overspend alert."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns.models import BudgetLine
from campaignflow.core.errors import Conflict, ValidationFailed
from campaignflow.expenses import services
from campaignflow.expenses.models import Expense, Settlement
from tests.expenses.conftest import expense_data


def test_it_records_an_expense_whose_category_follows_the_budget_line(live, finance):
    expense = services.expense_create(
        campaign=live, actor=finance, data=expense_data(live.lines["materials"])
    )

    expense.refresh_from_db()
    assert (expense.category, expense.amount, expense.vendor) == (
        "materials",
        Decimal("1200.00"),
        "上海印象印务有限公司",
    )
    assert expense.created_by == finance
    event = AuditEvent.objects.get(verb="expense.created")
    assert event.campaign == live and event.after["amount"] == "1200.00"


def test_moving_an_expense_to_another_line_moves_its_category(live, pm):
    expense = services.expense_create(campaign=live, actor=pm, data=expense_data(live.lines["materials"]))

    services.expense_update(expense=expense, actor=pm, data={"budget_line": live.lines["third_party"].pk})

    expense.refresh_from_db()
    assert expense.category == "third_party"
    event = AuditEvent.objects.get(verb="expense.updated")
    assert (event.before["category"], event.after["category"]) == ("materials", "third_party")


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1e20", None])
def test_the_amount_must_be_a_positive_number(live, finance, amount):
    with pytest.raises(ValidationFailed) as error:
        services.expense_create(
            campaign=live, actor=finance, data=expense_data(live.lines["materials"], amount=amount)
        )

    assert [e.field for e in error.value.errors] == ["amount"]
    assert not Expense.objects.exists()


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2026, 9, 1),  # 61 days before the start
        dt.date(2026, 11, 24),  # tomorrow
        "11/10/2026",
    ],
)
def test_the_date_lies_within_the_grace_period_and_not_in_the_future(live, finance, day):
    with pytest.raises(ValidationFailed) as error:
        services.expense_create(
            campaign=live, actor=finance, data=expense_data(live.lines["materials"], date=day)
        )

    assert error.value.errors[0].field == "date"


def test_a_deposit_paid_before_the_start_is_within_the_grace_period(live, finance):
    day = live.start_date - dt.timedelta(days=services.EXPENSE_DATE_GRACE_DAYS)

    expense = services.expense_create(
        campaign=live, actor=finance, data=expense_data(live.lines["materials"], date=day)
    )

    assert expense.date == dt.date(2026, 9, 2)


def test_the_budget_line_must_belong_to_the_campaign(live, closing, finance):
    with pytest.raises(ValidationFailed) as error:
        services.expense_create(campaign=live, actor=finance, data=expense_data(closing.lines["materials"]))

    assert error.value.errors[0].field == "budget_line"


def test_the_vendor_is_required(live, finance):
    with pytest.raises(ValidationFailed) as error:
        services.expense_create(
            campaign=live, actor=finance, data=expense_data(live.lines["materials"], vendor="  ")
        )

    assert error.value.errors[0].field == "vendor"


@pytest.mark.parametrize("status", ["draft", "in_review", "archived", "cancelled"])
def test_expenses_are_recorded_only_between_approval_and_close_out(live, finance, status):
    live.status = status
    live.save()

    with pytest.raises(Conflict):
        services.expense_create(campaign=live, actor=finance, data=expense_data(live.lines["materials"]))

    assert not Expense.objects.exists()


@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_expenses_are_frozen_while_the_settlement_is_submitted_and_once_approved(closing, finance, status):
    expense = services.expense_create(
        campaign=closing, actor=finance, data=expense_data(closing.lines["materials"])
    )
    Settlement.objects.create(campaign=closing, status=status)

    with pytest.raises(Conflict) as error:
        services.expense_create(
            campaign=closing, actor=finance, data=expense_data(closing.lines["materials"])
        )
    assert error.value.code == f"settlement_{status}"
    with pytest.raises(Conflict):
        services.expense_update(expense=expense, actor=finance, data={"amount": "1.00"})
    with pytest.raises(Conflict):
        services.expense_delete(expense=expense, actor=finance)

    expense.refresh_from_db()
    assert expense.amount == Decimal("1200.00")
    assert Expense.objects.count() == 1


def test_deleting_an_expense_is_audited_with_what_it_was(live, finance):
    expense = services.expense_create(
        campaign=live, actor=finance, data=expense_data(live.lines["materials"])
    )

    services.expense_delete(expense=expense, actor=finance)

    assert not Expense.objects.exists()
    assert AuditEvent.objects.get(verb="expense.deleted").before["vendor"] == "上海印象印务有限公司"


def test_an_expense_keeps_its_category_when_a_change_removes_its_budget_line(live, finance):
    expense = services.expense_create(
        campaign=live, actor=finance, data=expense_data(live.lines["third_party"])
    )

    BudgetLine.objects.filter(pk=live.lines["third_party"].pk).delete()

    expense.refresh_from_db()
    assert (expense.budget_line, expense.category) == (None, "third_party")
