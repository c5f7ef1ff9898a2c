"""Creating a campaign from a scenario template or blank."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from campaignflow.campaigns.models import BudgetLine, Campaign, CampaignMember

pytestmark = pytest.mark.django_db
URL = reverse("campaigns:create")


def test_it_offers_the_four_scenario_templates_and_a_blank_plan(client, planner):
    client.force_login(planner)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    for key in ("new_product_launch", "brand_awareness", "holiday_promotion", "online_offline"):
        assert f'value="{key}"' in html
    assert "New product launch" in html
    assert "Blank plan" in html


def test_it_names_the_templates_in_the_users_language(client, planner):
    client.force_login(planner)

    response = client.get(URL, headers={"accept-language": "zh-hans"})

    assert "新品上市" in response.content.decode()


def test_it_defaults_the_department_to_the_users_own(client, planner, marketing, sales):
    client.force_login(planner)

    form = client.get(URL).context["form"]

    assert form["department"].value() == marketing.pk
    assert list(form.fields["department"].queryset) == [marketing]


def test_it_creates_from_a_template_with_goals_budget_and_milestones(client, planner, marketing):
    client.force_login(planner)

    response = client.post(
        URL,
        {
            "template": "new_product_launch",
            "name": "Oolong launch",
            "department": marketing.pk,
            "start_date": "2026-06-10",
            "budget_total": "800000",
        },
    )

    campaign = Campaign.objects.get(name="Oolong launch")
    assert response.status_code == 302
    assert response.url == reverse("campaigns:edit", args=[campaign.pk])
    assert campaign.template == "new_product_launch"
    assert campaign.end_date == dt.date(2026, 9, 7)  # the template's 90 days
    assert campaign.goals.count() == 4
    assert campaign.milestones.count() == 6
    assert campaign.risks.count() == 2
    assert sum(line.amount for line in campaign.budget_lines.all()) == Decimal("800000.00")
    assert campaign.budget_lines.get(category="contingency").amount == Decimal("80000.00")
    assert CampaignMember.objects.get(campaign=campaign, user=planner).role == "owner"


def test_it_creates_a_blank_plan(client, planner, marketing):
    client.force_login(planner)

    response = client.post(
        URL, {"template": "", "name": "Blank one", "department": marketing.pk, "start_date": "2026-07-01"}
    )

    campaign = Campaign.objects.get(name="Blank one")
    assert response.status_code == 302
    assert (
        campaign.template,
        campaign.goals.count(),
        BudgetLine.objects.filter(campaign=campaign).count(),
    ) == (
        "",
        0,
        0,
    )


def test_it_shows_the_service_error_for_an_end_before_the_start(client, planner, marketing):
    client.force_login(planner)

    response = client.post(
        URL,
        {
            "name": "Backwards",
            "department": marketing.pk,
            "start_date": "2026-07-10",
            "end_date": "2026-07-01",
        },
    )

    assert response.status_code == 422
    assert "The end date must not be before the start date." in response.content.decode()
    assert response.context["form"].errors["end_date"] == ["The end date must not be before the start date."]
    assert not Campaign.objects.filter(name="Backwards").exists()


def test_it_shows_the_service_error_for_a_negative_budget(client, planner, marketing):
    client.force_login(planner)

    response = client.post(
        URL,
        {
            "template": "brand_awareness",
            "name": "Negative",
            "department": marketing.pk,
            "start_date": "2026-07-10",
            "budget_total": "-1",
        },
    )

    assert response.status_code == 422
    assert response.context["form"].errors["budget_total"] == ["The budget must not be negative."]
    assert not Campaign.objects.filter(name="Negative").exists()


def test_it_refuses_another_departments_campaign_for_a_member(client, planner, sales):
    client.force_login(planner)

    response = client.post(URL, {"name": "Not mine", "department": sales.pk, "start_date": "2026-07-10"})

    assert response.status_code == 422
    assert "department" in response.context["form"].errors
    assert not Campaign.objects.filter(name="Not mine").exists()


def test_it_lets_an_administrator_create_for_any_department(client, admin_user, sales):
    client.force_login(admin_user)

    response = client.post(URL, {"name": "For sales", "department": sales.pk, "start_date": "2026-07-10"})

    assert response.status_code == 302
    assert Campaign.objects.get(name="For sales").department == sales


def test_it_requires_a_name_and_a_start_date(client, planner, marketing):
    client.force_login(planner)

    response = client.post(URL, {"department": marketing.pk})

    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"name", "start_date"}
    assert not Campaign.objects.exists()
