"""The demo's campaigns that ran carry expenses; the closing one a submitted settlement, the
archived one an approved settlement (so it passes the archive guard)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns import demo
from campaignflow.campaigns.models import Approval, Campaign
from campaignflow.expenses import demo as expense_demo
from campaignflow.expenses import selectors
from campaignflow.expenses.models import Expense, Settlement

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def loaded(db, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    return demo.demo_load(today=TODAY)


def test_campaigns_that_ran_have_expenses_recorded_by_finance_with_one_pdf_each(loaded):
    with_expenses = set(Campaign.objects.filter(expenses__isnull=False).values_list("status", flat=True))

    assert with_expenses == {"live", "optimizing", "closing", "archived"}
    assert (
        not AuditEvent.objects.filter(verb="expense.created").exclude(actor__username="zhao.finance").exists()
    )
    for campaign in Campaign.objects.filter(status__in=with_expenses):
        vouchers = Expense.objects.filter(campaign=campaign).exclude(attachment="")
        assert vouchers.count() == 1, campaign.name
        voucher = vouchers.get()
        assert voucher.category == "materials" and voucher.attachment_type == "pdf"
        assert Path(voucher.attachment.path).read_bytes().startswith(b"%PDF-")
        budget = selectors.budget_for(campaign=campaign)
        assert [row.category for row in budget.overspent_categories] == ["materials"]
        assert budget.reconciliation.has_metrics
        # the platforms' invoices are rounded to hundreds: within 50 yuan per channel
        assert all(abs(row.difference) <= 50 for row in budget.reconciliation.rows)


def test_the_closing_campaign_waits_for_approval_and_the_archived_one_is_settled(loaded):
    closing = Campaign.objects.get(status="closing")
    archived = Campaign.objects.get(status="archived")

    submitted = Settlement.objects.get(campaign=closing)
    assert submitted.status == "submitted" and submitted.submitted_by.username == "zhao.finance"
    approved = Settlement.objects.get(campaign=archived)
    assert approved.status == "approved"
    decision = Approval.objects.get(settlement=approved)
    assert (decision.decision, decision.actor.username) == ("approve", "wang.manager")
    view = selectors.settlement_for(campaign=archived)
    assert view.missing == []
    assert {row.category for row in view.rows if row.explanation_required} >= {"materials", "contingency"}
    assert not expense_demo._PENDING_SUBMIT
