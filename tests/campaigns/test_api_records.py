"""Read-only views of a campaign: approvals, audit, registration, plan check; and GET /templates."""

from __future__ import annotations

import pytest

from campaignflow.campaigns.models import Goal
from campaignflow.campaigns.services import campaign_approve, campaign_submit

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def registered(campaign, planner, dept_head, manager):
    """The fixture campaign, submitted and approved at both levels."""
    campaign_submit(campaign=campaign, actor=planner)
    campaign_approve(campaign=campaign, actor=dept_head, comment="OK")
    campaign_approve(campaign=campaign, actor=manager)
    campaign.refresh_from_db()
    return campaign


# --- approvals ------------------------------------------------------------------------------------


def test_it_lists_no_approvals_for_a_draft(client, campaign, planner):
    client.force_login(planner)

    response = client.get(f"/api/v1/campaigns/{campaign.pk}/approvals")

    assert response.status_code == 200
    assert response.json() == []


def test_it_lists_approvals_with_the_contract_fields(client, registered, finance, dept_head):
    client.force_login(finance)

    response = client.get(f"/api/v1/campaigns/{registered.pk}/approvals")

    assert response.status_code == 200
    first = response.json()[0]
    assert set(first) == {
        "id",
        "revision",
        "level",
        "role",
        "decision",
        "actor",
        "actor_name",
        "comment",
        "at",
    }
    assert (first["level"], first["role"], first["decision"]) == (1, "department_head", "approve")
    assert (first["actor"], first["actor_name"], first["comment"]) == (dept_head.pk, "dept_head", "OK")
    assert first["at"].endswith("Z") or "+" in first["at"]


def test_it_hides_approvals_from_an_outsider(client, registered, outsider):
    client.force_login(outsider)

    assert client.get(f"/api/v1/campaigns/{registered.pk}/approvals").status_code == 404


# --- audit ------------------------------------------------------------------------------------------


def test_it_shows_the_audit_trail_newest_first(client, campaign, planner):
    client.force_login(planner)
    client.patch(f"/api/v1/campaigns/{campaign.pk}", {"theme": "Tea time"}, content_type=JSON)

    response = client.get(f"/api/v1/campaigns/{campaign.pk}/audit")

    assert response.status_code == 200
    newest = response.json()[0]
    assert set(newest) == {
        "id", "at", "actor", "actor_name", "verb", "object_type", "object_id", "object_repr",
        "comment", "revision", "before", "after",
    }  # fmt: skip
    assert (newest["actor"], newest["actor_name"], newest["verb"]) == (
        planner.pk,
        "planner",
        "campaign.updated",
    )
    assert (newest["object_type"], newest["object_id"]) == ("campaigns.campaign", str(campaign.pk))
    assert (newest["before"], newest["after"], newest["revision"]) == (
        {"theme": "Spring tea festival"},
        {"theme": "Tea time"},
        1,
    )


def test_it_pages_the_audit_trail(client, campaign, planner):
    client.force_login(planner)
    for theme in ("One", "Two", "Three"):
        client.patch(f"/api/v1/campaigns/{campaign.pk}", {"theme": theme}, content_type=JSON)

    response = client.get(f"/api/v1/campaigns/{campaign.pk}/audit?limit=2&offset=1")

    assert response.status_code == 200
    assert [event["after"] for event in response.json()] == [{"theme": "Two"}, {"theme": "One"}]


def test_it_hides_the_audit_trail_from_an_outsider(client, campaign, outsider):
    client.force_login(outsider)

    assert client.get(f"/api/v1/campaigns/{campaign.pk}/audit").status_code == 404


# --- registration ----------------------------------------------------------------------------------


def test_it_answers_404_for_the_registration_of_a_draft(client, campaign, planner):
    client.force_login(planner)

    response = client.get(f"/api/v1/campaigns/{campaign.pk}/registration")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "This campaign is not registered yet.",
        "code": "not_found",
        "errors": [],
    }


def test_it_shows_the_registration_record(client, registered, planner, manager):
    client.force_login(planner)

    response = client.get(f"/api/v1/campaigns/{registered.pk}/registration")

    assert response.status_code == 200
    body = response.json()
    assert body["number"] == registered.number
    assert body["campaign"] == registered.pk
    assert body["budget_total"] == "100000.00"
    assert (body["approved_by"], body["approved_by_name"]) == (manager.pk, "manager")


def test_it_hides_the_registration_from_an_outsider(client, registered, outsider):
    client.force_login(outsider)

    assert client.get(f"/api/v1/campaigns/{registered.pk}/registration").status_code == 404


# --- plan check -------------------------------------------------------------------------------------


def test_it_reports_a_ready_plan(client, campaign, planner):
    client.force_login(planner)

    response = client.get(f"/api/v1/campaigns/{campaign.pk}/plan-check")

    assert response.status_code == 200
    assert response.json() == {"ready": True, "errors": [], "warnings": []}


def test_it_reports_what_blocks_submission(client, campaign, planner):
    vague = Goal.objects.create(campaign=campaign, metric="awareness", name="Awareness")
    campaign.risks.all().delete()
    client.force_login(planner)

    response = client.get(f"/api/v1/campaigns/{campaign.pk}/plan-check")

    assert response.status_code == 200
    assert response.json() == {
        "ready": False,
        "errors": [
            {
                "field": f"goals.{vague.pk}",
                "message": "Goal “Awareness” is not SMART: it needs a measurable target and a deadline.",
            }
        ],
        "warnings": ["No risks are listed; consider weather, traffic and supply risks."],
    }


def test_it_hides_the_plan_check_from_an_outsider(client, campaign, outsider):
    client.force_login(outsider)

    assert client.get(f"/api/v1/campaigns/{campaign.pk}/plan-check").status_code == 404


# --- templates ---------------------------------------------------------------------------------------


def test_it_lists_the_four_templates(client, planner):
    client.force_login(planner)

    response = client.get("/api/v1/templates")

    assert response.status_code == 200
    templates = response.json()
    assert [t["key"] for t in templates] == [
        "new_product_launch",
        "brand_awareness",
        "holiday_promotion",
        "online_offline",
    ]
    launch = templates[0]
    assert (launch["name"], launch["duration_days"], launch["default_budget"]) == (
        "New product launch",
        90,
        "1200000.00",
    )
    assert launch["budget_split"]["contingency"] == "0.10"
    assert launch["goals"][2] == {
        "metric": "cvr",
        "name": "Conversion rate",
        "unit": "ratio",
        "direction": "higher",
        "target": "0.035",
    }
    assert launch["milestones"][0] == {"name": "Materials designed", "offset_days": -10, "offset": None}
    assert {"category", "probability", "impact", "description", "response"} == set(launch["risks"][0])


@pytest.mark.parametrize(
    ("language", "name"), [("zh-hans", "新品上市"), ("zh-hant", "新品上市"), ("en", "New product launch")]
)
def test_it_localizes_templates_to_the_request_language(client, planner, language, name):
    client.force_login(planner)

    response = client.get("/api/v1/templates", HTTP_ACCEPT_LANGUAGE=language)

    assert response.json()[0]["name"] == name


def test_it_localizes_template_text_to_traditional_chinese(client, planner):
    client.force_login(planner)

    response = client.get("/api/v1/templates", HTTP_ACCEPT_LANGUAGE="zh-hant")

    assert response.json()[0]["format"] == "線上直播+線下體驗店"


def test_it_requires_sign_in_for_templates(client):
    assert client.get("/api/v1/templates").status_code == 401
