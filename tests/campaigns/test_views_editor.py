"""The plan editor: Table 1 fields, the brief, inline rows, the plan check and submission."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns.forms import PlanForm
from campaignflow.campaigns.models import BudgetLine, Campaign, Goal, Milestone, Persona, Risk
from campaignflow.campaigns.services import PLAN_FIELDS
from tests.web.helpers import HTMX, submit

pytestmark = pytest.mark.django_db


def edit_url(campaign, *parts) -> str:
    return reverse("campaigns:edit", args=[campaign.pk]) + "".join(f"{part}/" for part in parts)


def plan_data(campaign: Campaign, **changes) -> dict:
    values = {
        "name": campaign.name,
        "planned_on": campaign.planned_on.isoformat(),
        "theme": campaign.theme,
        "start_date": campaign.start_date.isoformat() if campaign.start_date else "",
        "format": campaign.format,
        "end_date": campaign.end_date.isoformat() if campaign.end_date else "",
        "background": campaign.background,
        "target_audience": campaign.target_audience,
        "core_message": campaign.core_message,
    } | changes
    return {f"plan-{key}": value for key, value in values.items()}


def budget_data(prefix="budget-new", **values) -> dict:
    base = {"category": "custom", "label": "Gifts", "channel": "", "amount": "1000", "note": ""} | values
    return {f"{prefix}-{key}": value for key, value in base.items()}


# --- opening the editor -------------------------------------------------------------------------


def test_the_plan_form_offers_exactly_the_plan_fields():
    assert set(PlanForm.base_fields) == set(PLAN_FIELDS)


def test_it_renders_the_editor_for_the_planner(client, planner, campaign):
    client.force_login(planner)

    response = client.get(edit_url(campaign))

    assert response.status_code == 200
    html = response.content.decode()
    for section in ("plan", "brief", "goals", "budget", "risks", "milestones", "personas"):
        assert f'id="section-{section}"' in html
    assert 'id="plan-check"' in html
    assert "Ready to submit" in html


def test_it_is_404_for_the_outsider(client, outsider, campaign):
    client.force_login(outsider)

    assert client.get(edit_url(campaign)).status_code == 404
    assert client.post(edit_url(campaign, "budget"), budget_data(), headers=HTMX).status_code == 404
    assert client.post(edit_url(campaign, "plan"), plan_data(campaign, name="Hacked")).status_code == 404
    campaign.refresh_from_db()
    assert campaign.name == "Spring tea launch"
    assert campaign.budget_lines.count() == 2


def test_it_is_404_for_a_missing_campaign_or_kind(client, planner, campaign):
    client.force_login(planner)

    assert client.get(reverse("campaigns:edit", args=[999999])).status_code == 404
    assert client.get(edit_url(campaign, "expenses"), headers=HTMX).status_code == 404
    assert client.get(edit_url(campaign, "goals", 999999), headers=HTMX).status_code == 404


def test_it_sends_a_campaign_in_review_to_its_plan_page_with_a_message(client, planner, campaign):
    submit(campaign, planner)
    client.force_login(planner)

    response = client.get(edit_url(campaign), follow=True)

    assert response.redirect_chain == [(reverse("campaigns:detail", args=[campaign.pk]), 302)]
    assert "The plan can only be edited in draft" in response.content.decode()


def test_it_sends_a_reader_who_may_not_edit_to_the_plan_page(client, dept_head, campaign):
    client.force_login(dept_head)

    response = client.get(edit_url(campaign))

    assert response.status_code == 302
    assert response.url == reverse("campaigns:detail", args=[campaign.pk])


# --- Table 1 fields and the brief ---------------------------------------------------------------


def test_it_saves_the_plan_fields(client, planner, campaign):
    client.force_login(planner)

    response = client.post(
        edit_url(campaign, "plan"),
        plan_data(
            campaign, theme="Fresh tea, fresh start", background="Sales dropped 12 %.", end_date="2026-12-20"
        ),
        headers=HTMX,
    )

    assert response.status_code == 200
    campaign.refresh_from_db()
    assert (campaign.theme, campaign.background, campaign.end_date) == (
        "Fresh tea, fresh start",
        "Sales dropped 12 %.",
        dt.date(2026, 12, 20),
    )
    html = response.content.decode()
    assert 'id="plan-check" hx-swap-oob="true"' in html
    assert AuditEvent.objects.filter(campaign=campaign, verb="campaign.updated").count() == 1


def test_it_refreshes_the_plan_check_after_a_plan_change(client, planner, campaign):
    client.force_login(planner)

    response = client.post(edit_url(campaign, "plan"), plan_data(campaign, theme=""), headers=HTMX)

    assert response.status_code == 200
    assert "Give the campaign a theme." in response.content.decode()


def test_it_shows_the_service_error_beside_the_field_and_saves_nothing(client, planner, campaign):
    client.force_login(planner)

    response = client.post(
        edit_url(campaign, "plan"),
        plan_data(campaign, name="Renamed", start_date="2026-12-10", end_date="2026-12-01"),
        headers=HTMX,
    )

    assert response.status_code == 422
    assert response.context["plan_form"].errors["end_date"] == [
        "The end date must not be before the start date."
    ]
    campaign.refresh_from_db()
    assert (campaign.name, campaign.end_date) == ("Spring tea launch", dt.date(2026, 12, 31))


def test_it_renders_the_whole_editor_with_the_error_without_htmx(client, planner, campaign):
    client.force_login(planner)

    response = client.post(edit_url(campaign, "plan"), plan_data(campaign, name=""))

    assert response.status_code == 422
    assert "<html" in response.content.decode()
    assert "name" in response.context["plan_form"].errors


def test_it_redirects_to_the_editor_after_a_plain_post(client, planner, campaign):
    client.force_login(planner)

    response = client.post(edit_url(campaign, "plan"), plan_data(campaign, name="Spring tea 2026"))

    assert response.status_code == 302
    assert response.url == edit_url(campaign) + "#section-plan"
    campaign.refresh_from_db()
    assert campaign.name == "Spring tea 2026"


def test_it_saves_the_requirements_brief(client, planner, campaign):
    client.force_login(planner)

    response = client.post(
        edit_url(campaign, "brief"),
        {"brief-requested_by": "Sales, Product", "brief-objectives": "Sell 50 % more in 3 months"},
        headers=HTMX,
    )

    assert response.status_code == 200
    campaign.brief.refresh_from_db()
    assert (campaign.brief.requested_by, campaign.brief.objectives) == (
        "Sales, Product",
        "Sell 50 % more in 3 months",
    )


# --- inline rows ------------------------------------------------------------------------------


def test_it_adds_a_budget_line_and_shows_the_total_and_shares(client, planner, campaign):
    client.force_login(planner)

    response = client.post(
        edit_url(campaign, "budget"), budget_data(amount="25000", note="Tea sets"), headers=HTMX
    )

    assert response.status_code == 200
    line = BudgetLine.objects.get(campaign=campaign, category="custom")
    assert (line.label, line.amount, line.note) == ("Gifts", Decimal("25000.00"), "Tea sets")
    summary = response.context["budget"]
    assert summary.total == Decimal("125000.00")
    assert summary.contingency_share == Decimal("0.0800")
    assert {c.category: c.share for c in summary.categories} == {
        "promotion": Decimal("0.7200"),
        "custom": Decimal("0.2000"),
        "contingency": Decimal("0.0800"),
    }
    html = response.content.decode()
    assert "125,000.00" in html
    assert "at least 10% is required" in html  # the plan check, refreshed out of band


def test_it_refuses_a_negative_budget_amount_and_writes_nothing(client, planner, campaign):
    client.force_login(planner)
    events_before = AuditEvent.objects.count()

    response = client.post(edit_url(campaign, "budget"), budget_data(amount="-5"), headers=HTMX)

    assert response.status_code == 422
    html = response.content.decode()
    assert "Ensure this value is greater than or equal to 0." in html
    assert response.context["add_form"].errors["amount"] == [
        "Ensure this value is greater than or equal to 0."
    ]
    assert BudgetLine.objects.filter(campaign=campaign).count() == 2
    assert AuditEvent.objects.count() == events_before


def test_it_shows_a_duplicate_category_error_from_the_service(client, planner, campaign):
    client.force_login(planner)

    response = client.post(edit_url(campaign, "budget"), budget_data(category="promotion"), headers=HTMX)

    assert response.status_code == 422
    assert response.context["add_form"].errors["category"][0].startswith("There is already a")
    assert BudgetLine.objects.filter(campaign=campaign).count() == 2


def test_it_opens_a_row_for_editing_and_saves_it(client, planner, campaign):
    goal = campaign.goals.get()
    client.force_login(planner)

    opened = client.get(edit_url(campaign, "goals", goal.pk), headers=HTMX)
    assert opened.status_code == 200
    assert f'name="goals-{goal.pk}-target" value="1000000"' in opened.content.decode()

    response = client.post(
        edit_url(campaign, "goals", goal.pk),
        {
            f"goals-{goal.pk}-metric": "revenue",
            f"goals-{goal.pk}-name": "Sales revenue",
            f"goals-{goal.pk}-baseline": "400000",
            f"goals-{goal.pk}-target": "1200000",
            f"goals-{goal.pk}-unit": "CNY",
            f"goals-{goal.pk}-direction": "higher",
            f"goals-{goal.pk}-deadline": "2026-12-31",
            f"goals-{goal.pk}-parent": "",
            f"goals-{goal.pk}-owner": planner.pk,
        },
        headers=HTMX,
    )

    assert response.status_code == 200
    goal.refresh_from_db()
    assert (goal.name, goal.baseline, goal.target, goal.owner) == (
        "Sales revenue",
        Decimal("400000"),
        Decimal("1200000"),
        planner,
    )


def test_it_keeps_a_failed_row_edit_open_with_its_error(client, planner, campaign):
    risk = campaign.risks.get()
    client.force_login(planner)

    response = client.post(
        edit_url(campaign, "risks", risk.pk),
        {
            f"risks-{risk.pk}-category": "weather",
            f"risks-{risk.pk}-description": "Rain",
            f"risks-{risk.pk}-probability": "9",
            f"risks-{risk.pk}-impact": "3",
            f"risks-{risk.pk}-response": "",
            f"risks-{risk.pk}-owner": "",
            f"risks-{risk.pk}-status": "open",
        },
        headers=HTMX,
    )

    assert response.status_code == 422
    assert response.context["edit_item"] == risk.pk
    assert "probability" in response.context["edit_form"].errors
    risk.refresh_from_db()
    assert (risk.description, risk.probability) == ("Rain cancels the pop-up", 3)


def test_it_deletes_a_row(client, planner, campaign):
    risk = campaign.risks.get()
    client.force_login(planner)

    response = client.post(edit_url(campaign, "risks", risk.pk, "delete"), headers=HTMX)

    assert response.status_code == 200
    assert not Risk.objects.filter(pk=risk.pk).exists()
    assert "No risks are listed" in response.content.decode()


def test_it_adds_a_milestone_and_a_persona(client, planner, campaign):
    client.force_login(planner)

    client.post(
        edit_url(campaign, "milestones"),
        {
            "milestones-new-name": "Interim review",
            "milestones-new-date": "2026-12-15",
            "milestones-new-note": "",
        },
        headers=HTMX,
    )
    client.post(
        edit_url(campaign, "personas"),
        {
            "personas-new-name": "Urban women",
            "personas-new-age_min": "25",
            "personas-new-age_max": "35",
            "personas-new-gender": "female",
            "personas-new-city_tier": "tier1",
        },
        headers=HTMX,
    )

    assert list(Milestone.objects.filter(campaign=campaign).values_list("name", flat=True)) == [
        "Launch",
        "Interim review",
    ]
    persona = Persona.objects.get(campaign=campaign)
    assert (persona.name, persona.age_min, persona.age_max, persona.gender) == (
        "Urban women",
        25,
        35,
        "female",
    )


def test_it_answers_403_to_a_reader_who_posts_a_row(client, dept_head, campaign):
    client.force_login(dept_head)

    response = client.post(edit_url(campaign, "budget"), budget_data(), headers=HTMX)

    assert response.status_code == 403
    assert "Only the campaign owner and planners may change the plan." in response.content.decode()
    assert BudgetLine.objects.filter(campaign=campaign).count() == 2


def test_it_answers_409_to_a_row_change_after_submission(client, planner, campaign):
    submit(campaign, planner)
    line = campaign.budget_lines.get(category="contingency")
    client.force_login(planner)

    response = client.post(edit_url(campaign, "budget", line.pk, "delete"), headers=HTMX)

    assert response.status_code == 409
    assert "The plan can only be changed in draft" in response.content.decode()
    assert BudgetLine.objects.filter(pk=line.pk).exists()


def test_it_answers_405_to_a_get_on_delete(client, planner, campaign):
    client.force_login(planner)
    line = campaign.budget_lines.first()

    assert client.get(edit_url(campaign, "budget", line.pk, "delete")).status_code == 405


# --- plan check and submission --------------------------------------------------------------------


def test_it_renders_the_plan_check_panel(client, planner, campaign):
    Goal.objects.create(campaign=campaign, metric="new_users", name="New users")
    client.force_login(planner)

    response = client.get(reverse("campaigns:plan_check", args=[campaign.pk]), headers=HTMX)

    assert response.status_code == 200
    assert "is not SMART" in response.content.decode()
    assert 'href="#section-goals"' in response.content.decode()


def test_it_submits_the_plan_from_the_editor(client, planner, campaign):
    client.force_login(planner)

    response = client.post(
        reverse("campaigns:action", args=[campaign.pk, "submit"]), {"comment": "Ready"}, headers=HTMX
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("campaigns:detail", args=[campaign.pk])
    campaign.refresh_from_db()
    assert (campaign.status, campaign.approval_level) == ("in_review", 1)
    assert AuditEvent.objects.get(campaign=campaign, verb="campaign.submitted").comment == "Ready"


def test_it_shows_why_an_incomplete_plan_cannot_be_submitted(client, planner, campaign):
    campaign.budget_lines.filter(category="contingency").delete()
    Campaign.objects.filter(pk=campaign.pk).update(theme="")
    client.force_login(planner)

    response = client.post(reverse("campaigns:action", args=[campaign.pk, "submit"]), headers=HTMX)

    assert response.status_code == 422
    html = response.content.decode()
    assert "Give the campaign a theme." in html
    assert "The contingency reserve is 0.0% of the budget" in html
    assert "<html" not in html
    campaign.refresh_from_db()
    assert campaign.status == "draft"


def test_it_sends_a_row_edit_of_a_submitted_plan_to_the_plan_page(client, planner, campaign):
    submit(campaign, planner)
    goal = campaign.goals.get()
    client.force_login(planner)

    response = client.get(edit_url(campaign, "goals", goal.pk), headers=HTMX)

    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("campaigns:detail", args=[campaign.pk])
