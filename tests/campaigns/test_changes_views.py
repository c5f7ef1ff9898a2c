"""The Changes tab, the htmx form per kind, the request page, the inbox and the baseline comparison."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from campaignflow.campaigns import changes
from campaignflow.campaigns.models import BudgetLine, Campaign, CampaignMember, ChangeRequest, Goal
from campaignflow.campaigns.services import campaign_transition
from tests.factories import UserFactory
from tests.web.helpers import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm(marketing, campaign):
    user = UserFactory(username="pm", department=marketing, roles=["member"])
    CampaignMember.objects.create(campaign=campaign, user=user, role="project_manager")
    return user


@pytest.fixture
def approved(campaign, planner, dept_head, manager):
    campaign_transition(campaign=campaign, actor=planner, action="submit")
    campaign_transition(campaign=campaign, actor=dept_head, action="approve")
    campaign_transition(campaign=campaign, actor=manager, action="approve")
    campaign.refresh_from_db()
    return campaign


def in_review(campaign, actor, end="2027-01-07") -> ChangeRequest:
    request = changes.change_request_create(
        campaign=campaign,
        actor=actor,
        kind="dates",
        reason="Supplier delay",
        proposed={"start_date": "2026-12-01", "end_date": end},
    )
    changes.change_request_submit(change_request=request, actor=actor)
    request.refresh_from_db()
    return request


def dates_form(**values) -> dict:
    return {
        "start_date": "2026-12-01",
        "end_date": "2027-01-07",
        "reason": "Supplier delay",
        "impact": "",
    } | values


def test_the_changes_tab_lists_requests_and_offers_a_form_per_kind(client, approved, pm):
    request = in_review(approved, pm)
    client.force_login(pm)

    response = client.get(reverse("campaigns:changes", args=[approved.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-current="page">Changes</a>' in html
    assert "Readiness</a>" in html
    assert f"#{request.pk}" in html and "Supplier delay" in html
    for kind in ("dates", "budget", "goals", "scope"):
        assert reverse("campaigns:change_new", args=[approved.pk, kind]) in html


def test_a_draft_plan_explains_why_there_is_no_change_request(client, campaign, planner):
    client.force_login(planner)

    response = client.get(reverse("campaigns:changes", args=[campaign.pk]))

    assert response.context["can_request"] is False
    assert "change it directly in the plan editor" in response.content.decode()


def test_the_htmx_form_is_prefilled_with_the_plan(client, approved, pm):
    client.force_login(pm)

    response = client.get(reverse("campaigns:change_new", args=[approved.pk, "dates"]), headers=HTMX)

    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    form = response.context["form"]
    assert (form["start_date"].value(), form["end_date"].value()) == (
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 31),
    )


def test_saving_and_submitting_the_form_opens_the_request(client, approved, pm):
    client.force_login(pm)

    response = client.post(
        reverse("campaigns:change_new", args=[approved.pk, "dates"]), dates_form(then="submit"), headers=HTMX
    )

    request = ChangeRequest.objects.get()
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("campaigns:change_detail", args=[approved.pk, request.pk])
    assert (request.status, request.proposed["end_date"], request.created_by) == (
        "in_review",
        "2027-01-07",
        pm,
    )


def test_service_errors_come_back_beside_the_inputs(client, approved, pm):
    client.force_login(pm)

    response = client.post(
        reverse("campaigns:change_new", args=[approved.pk, "dates"]),
        dates_form(start_date="2027-02-01"),
        headers=HTMX,
    )

    assert response.status_code == 422
    assert response.context["form"].errors["end_date"] == ["The end date must not be before the start date."]
    assert not ChangeRequest.objects.exists()


def test_a_budget_form_below_the_reserve_minimum_is_refused(client, approved, planner):
    client.force_login(planner)
    contingency = BudgetLine.objects.get(campaign=approved, category="contingency")
    promotion = BudgetLine.objects.get(campaign=approved, category="promotion")

    response = client.post(
        reverse("campaigns:change_new", args=[approved.pk, "budget"]),
        {
            f"line_{promotion.pk}_amount": "90000.00",
            f"line_{contingency.pk}_amount": "2000.00",
            "reason": "More for ads",
        },
        headers=HTMX,
    )

    assert response.status_code == 422
    assert "at least 10% is required" in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_the_goals_form_builds_the_proposal_from_what_changed(client, approved, planner):
    client.force_login(planner)
    goal = Goal.objects.get(campaign=approved)

    response = client.post(
        reverse("campaigns:change_new", args=[approved.pk, "goals"]),
        {
            f"goal_{goal.pk}_target": "1200000",
            f"goal_{goal.pk}_deadline": "2026-12-31",
            "new_0_metric": "leads",
            "new_0_target": "5000",
            "new_0_deadline": "2026-12-31",
            "reason": "Week one sold above plan",
        },
    )

    request = ChangeRequest.objects.get()
    assert response.status_code == 302
    assert request.status == "draft"
    assert request.proposed == {
        "goals": [
            {"id": goal.pk, "target": "1200000"},
            {
                "name": "",
                "baseline": None,
                "unit": "",
                "direction": "higher",
                "metric": "leads",
                "target": "5000",
                "deadline": "2026-12-31",
            },
        ]
    }


def test_the_request_page_shows_proposed_next_to_current_and_the_approval_box(
    client, approved, pm, dept_head
):
    request = in_review(approved, pm)
    client.force_login(dept_head)

    response = client.get(reverse("campaigns:change_detail", args=[approved.pk, request.pk]))

    assert response.status_code == 200
    rows = [(row.label, row.before, row.after, row.state) for row in response.context["rows"]]
    assert rows == [
        ("Start date", "2026-12-01", "2026-12-01", "same"),
        ("End date", "2026-12-31", "2027-01-07", "changed"),
    ]
    assert [row["waiting"] for row in response.context["approval_rows"]] == [True, False]
    assert [action["action"] for action in response.context["actions"]] == ["approve", "reject"]
    html = response.content.decode()
    assert "2027-01-07" in html and "Waiting for decision" in html


def test_approving_from_the_request_page_moves_it_on(client, approved, pm, dept_head):
    request = in_review(approved, pm)
    client.force_login(dept_head)

    response = client.post(
        reverse("campaigns:change_action", args=[approved.pk, request.pk, "approve"]),
        {"comment": "OK"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("campaigns:change_detail", args=[approved.pk, request.pk])
    assert ChangeRequest.objects.get(pk=request.pk).approval_level == 2


def test_a_refused_action_shows_the_reason_and_changes_nothing(client, approved, pm, manager):
    request = in_review(approved, pm)
    client.force_login(manager)

    response = client.post(
        reverse("campaigns:change_action", args=[approved.pk, request.pk, "approve"]), {}, headers=HTMX
    )

    assert response.status_code == 403
    assert "waiting for approval level 1" in response.content.decode()
    assert ChangeRequest.objects.get(pk=request.pk).approval_level == 1


def test_the_inbox_lists_change_requests_and_decides_them_inline(client, approved, pm, dept_head, manager):
    request = in_review(approved, pm)
    client.force_login(dept_head)

    response = client.get(reverse("web:approvals"))
    assert [row["change"].pk for row in response.context["change_rows"]] == [request.pk]
    assert response.context["approvals_waiting"] == 1
    assert "Level 1 · Department head" in response.content.decode()

    url = reverse("campaigns:change_action", args=[approved.pk, request.pk, "reject"])
    response = client.post(url, {"from": "inbox", "comment": ""}, headers=HTMX)
    assert response.status_code == 422
    assert 'id="inbox-change-' in response.content.decode()
    assert "Say why the change is rejected." in response.content.decode()

    url = reverse("campaigns:change_action", args=[approved.pk, request.pk, "approve"])
    response = client.post(url, {"from": "inbox", "comment": "OK"}, headers=HTMX)
    assert response.status_code == 200
    assert "forwarded to the next level" in response.content.decode()

    client.force_login(manager)
    response = client.post(url, {"from": "inbox", "comment": "Go"}, headers=HTMX)
    assert response.status_code == 200
    assert "the plan is now revision 2" in response.content.decode()
    assert Campaign.objects.get(pk=approved.pk).end_date == dt.date(2027, 1, 7)


def test_the_comparison_shows_the_previous_baseline_next_to_the_current_plan(
    client, approved, pm, dept_head, manager
):
    request = in_review(approved, pm)
    changes.change_request_approve(change_request=request, actor=dept_head)
    changes.change_request_approve(change_request=request, actor=manager)
    client.force_login(pm)

    response = client.get(reverse("campaigns:plan_compare", args=[approved.pk]))

    assert response.status_code == 200
    assert response.context["snapshot"].revision == 1
    changed = [
        (row.label, row.before, row.after)
        for row in response.context["comparison"]["fields"]
        if row.state != "same"
    ]
    assert changed == [("End date", "2026-12-31", "2027-01-07")]
    html = response.content.decode()
    assert "Revision 1" in html and "Revision 2 (current)" in html
    assert response.context["comparison"]["budget_total"][0].after == "100000.00"
    assert Decimal(response.context["comparison"]["budget_total"][0].before) == Decimal("100000")


def test_the_comparison_before_any_change(client, approved, pm):
    client.force_login(pm)

    response = client.get(reverse("campaigns:plan_compare", args=[approved.pk]))

    assert response.status_code == 200
    assert "the approved plan is the baseline" in response.content.decode()


@pytest.mark.parametrize("name", ["changes", "plan_compare"])
def test_an_outsider_gets_404(client, approved, outsider, name):
    client.force_login(outsider)

    assert client.get(reverse(f"campaigns:{name}", args=[approved.pk])).status_code == 404


def test_the_edit_form_rewrites_a_draft(client, approved, pm):
    request = changes.change_request_create(
        campaign=approved,
        actor=pm,
        kind="scope",
        reason="Gift angle",
        proposed={"theme": "Tea as a gift"},
    )
    client.force_login(pm)
    url = reverse("campaigns:change_edit", args=[approved.pk, request.pk])

    assert client.get(url).context["form"]["theme"].value() == "Tea as a gift"
    data = {
        "theme": "Tea for two",
        "format": approved.format,
        "core_message": approved.core_message,
        "target_audience": approved.target_audience,
        "background": approved.background,
        "reason": "Gift angle, for couples",
    }
    response = client.post(url, data)

    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.proposed, request.reason, request.status) == (
        {"theme": "Tea for two"},
        "Gift angle, for couples",
        "draft",
    )


def test_a_decision_on_a_change_request_is_not_shown_as_one_on_the_plan(client, approved, pm, dept_head):
    request = in_review(approved, pm)
    changes.change_request_approve(change_request=request, actor=dept_head, comment="Change OK")
    client.force_login(pm)

    response = client.get(reverse("campaigns:detail", args=[approved.pk]))

    comments = [row["approval"].comment for row in response.context["approval_rows"]]
    assert "Change OK" not in comments
    assert [a.change_request_id for a in response.context["approvals"]] == [None, None]
    api = client.get(f"/api/v1/campaigns/{approved.pk}/approvals").json()
    assert [a["comment"] for a in api] == ["", ""]
