"""POST /api/v1/campaigns/{id}/{action}: the plan's way from draft through approval to registration."""

from __future__ import annotations

import pytest
from django.utils import timezone

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns.models import Approval, Campaign, CampaignMember, Goal, RegistrationRecord
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def bearer(client, username: str) -> dict:
    """Headers carrying a token issued to the user by POST /api/v1/auth/token."""
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": PASSWORD}, content_type=JSON
    )
    assert response.status_code == 200
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}


def act(client, campaign_id: int, action: str, headers: dict, comment: str | None = None):
    body = {} if comment is None else {"comment": comment}
    return client.post(f"/api/v1/campaigns/{campaign_id}/{action}", body, content_type=JSON, **headers)


def test_it_runs_a_campaign_from_template_through_rejection_to_registration(
    client, planner, dept_head, manager, marketing
):
    # given the planner, the department head and management, each with their own API token
    as_planner = bearer(client, "planner")
    as_head = bearer(client, "dept_head")
    as_manager = bearer(client, "manager")

    # when the planner creates a campaign from the new-product-launch template
    response = client.post(
        "/api/v1/campaigns",
        {
            "name": "Spring tea launch",
            "department": marketing.pk,
            "template": "new_product_launch",
            "start_date": "2027-03-01",
            "background": "Spring sales dropped 12 %; the new tea line needs a launch.",
            "target_audience": "Women 25-35 in tier-1 cities",
            "theme": "A fresh start",
        },
        content_type=JSON,
        **as_planner,
    )

    # then a draft exists, prefilled from the template, with the end date from its duration
    assert response.status_code == 201
    created = response.json()
    campaign_id = created["id"]
    assert created["status"] == "draft"
    assert created["stage"] == "planning"
    assert created["revision"] == 1
    assert created["number"] is None
    assert created["template"] == "new_product_launch"
    assert created["start_date"] == "2027-03-01"
    assert created["end_date"] == "2027-05-29"
    assert created["owner"] == planner.pk
    assert created["department"] == marketing.pk
    assert created["budget_total"] == "1200000.00"
    assert created["allowed_actions"] == ["submit", "cancel"]
    lines = client.get(f"/api/v1/campaigns/{campaign_id}/budget-lines", **as_planner).json()
    assert {line["category"]: line["amount"] for line in lines} == {
        "labor": "240000.00",
        "materials": "180000.00",
        "promotion": "540000.00",
        "third_party": "120000.00",
        "contingency": "120000.00",
    }
    goals = client.get(f"/api/v1/campaigns/{campaign_id}/goals", **as_planner).json()
    assert [goal["metric"] for goal in goals] == ["revenue", "new_users", "cvr", "roas"]
    assert all(goal["is_smart"] for goal in goals)

    # when the planner fills in the rest of the plan and submits it
    promotion = next(line for line in lines if line["category"] == "promotion")
    response = client.patch(
        f"/api/v1/budget-lines/{promotion['id']}", {"amount": "500000.00"}, content_type=JSON, **as_planner
    )
    assert response.status_code == 200
    response = client.patch(
        f"/api/v1/campaigns/{campaign_id}/brief",
        {"requested_by": "Sales, Product", "business_need": "Launch the spring tea line"},
        content_type=JSON,
        **as_planner,
    )
    assert response.status_code == 200
    response = client.post(
        f"/api/v1/campaigns/{campaign_id}/personas",
        {"name": "Young professionals", "age_min": 25, "age_max": 35, "city_tier": "tier1"},
        content_type=JSON,
        **as_planner,
    )
    assert response.status_code == 201
    assert client.get(f"/api/v1/campaigns/{campaign_id}/plan-check", **as_planner).json()["ready"] is True
    response = act(client, campaign_id, "submit", as_planner)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["approval_level"]) == ("in_review", 1)

    # when the department head approves level 1
    response = act(client, campaign_id, "approve", as_head, "Fits the spring plan")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["approval_level"]) == ("in_review", 2)

    # and management rejects at level 2 with a comment
    response = act(client, campaign_id, "reject", as_manager, "Cut the materials budget")

    # then the plan is back in draft as revision 2
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    assert response.json()["revision"] == 2
    assert response.json()["approval_level"] == 0

    # when the planner revises and resubmits, and both levels approve
    response = client.patch(
        f"/api/v1/campaigns/{campaign_id}",
        {"core_message": "Fresh tea, fresh start"},
        content_type=JSON,
        **as_planner,
    )
    assert response.status_code == 200
    assert act(client, campaign_id, "submit", as_planner, "Materials reduced").status_code == 200
    assert act(client, campaign_id, "approve", as_head).status_code == 200
    response = act(client, campaign_id, "approve", as_manager, "Go")

    # then the campaign is approved and registered with the first number of the year
    year = timezone.localdate().year
    assert response.status_code == 200
    approved = response.json()
    assert approved["status"] == "approved"
    assert approved["number"] == f"MC-{year}-0001"
    assert approved["revision"] == 2
    assert approved["budget_total"] == "1160000.00"
    assert approved["allowed_actions"] == ["cancel"]  # management may still cancel

    response = client.get(f"/api/v1/campaigns/{campaign_id}/registration", **as_planner)
    assert response.status_code == 200
    record = response.json()
    assert record["number"] == f"MC-{year}-0001"
    assert (record["year"], record["sequence"]) == (year, 1)
    assert record["budget_total"] == "1160000.00"
    assert record["department_name"] == "Marketing"
    assert record["owner_name"] == "planner"
    assert (record["start_date"], record["end_date"]) == ("2027-03-01", "2027-05-29")
    assert record["approved_by"] == manager.pk

    # and the approvals list shows the four decisions in order
    response = client.get(f"/api/v1/campaigns/{campaign_id}/approvals", **as_planner)
    assert response.status_code == 200
    assert [
        (a["revision"], a["level"], a["decision"], a["actor"], a["actor_name"], a["comment"])
        for a in response.json()
    ] == [
        (1, 1, "approve", dept_head.pk, "dept_head", "Fits the spring plan"),
        (1, 2, "reject", manager.pk, "manager", "Cut the materials budget"),
        (2, 1, "approve", dept_head.pk, "dept_head", ""),
        (2, 2, "approve", manager.pk, "manager", "Go"),
    ]

    # and the audit trail shows who did what, newest first
    response = client.get(f"/api/v1/campaigns/{campaign_id}/audit", **as_planner)
    assert response.status_code == 200
    events = response.json()
    assert [
        (e["actor_name"], e["verb"], e["revision"], e["comment"])
        for e in events
        if e["object_type"] == "campaigns.campaign"
    ] == [
        ("manager", "campaign.registered", 2, ""),
        ("manager", "campaign.approved", 2, "Go"),
        ("dept_head", "campaign.approved", 2, ""),
        ("planner", "campaign.submitted", 2, "Materials reduced"),
        ("planner", "campaign.updated", 2, ""),
        ("manager", "campaign.rejected", 1, "Cut the materials budget"),
        ("dept_head", "campaign.approved", 1, "Fits the spring plan"),
        ("planner", "campaign.submitted", 1, ""),
        ("planner", "campaign.created", None, ""),
    ]
    update = next(e for e in events if e["verb"] == "campaign.updated")
    assert update["before"] == {"core_message": ""}
    assert update["after"] == {"core_message": "Fresh tea, fresh start"}
    assert update["actor"] == planner.pk
    assert {e["verb"] for e in events} >= {"budgetline.updated", "brief.updated", "persona.created"}

    # and the database agrees
    campaign = Campaign.objects.get(pk=campaign_id)
    assert (campaign.status, campaign.number, campaign.revision) == ("approved", f"MC-{year}-0001", 2)
    assert RegistrationRecord.objects.filter(campaign=campaign).count() == 1
    assert Approval.objects.filter(campaign=campaign).count() == 4


def test_it_starts_preparation_once_approved(client, campaign, planner, dept_head, manager):
    # given an approved campaign
    headers = {name: bearer(client, name) for name in ("planner", "dept_head", "manager")}
    act(client, campaign.pk, "submit", headers["planner"])
    act(client, campaign.pk, "approve", headers["dept_head"])
    act(client, campaign.pk, "approve", headers["manager"])

    # when the owner starts preparation through the hyphenated route
    response = act(client, campaign.pk, "start-preparation", headers["planner"])

    # then the campaign is preparing, in the execution stage
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["stage"]) == ("preparing", "execution")
    assert "launch" in response.json()["allowed_actions"]
    campaign.refresh_from_db()
    assert campaign.status == "preparing"


def test_it_accepts_an_action_without_a_body(client, campaign, planner):
    # given the owner of a draft that is ready
    client.force_login(planner)

    # when they submit with an empty body
    response = client.post(f"/api/v1/campaigns/{campaign.pk}/submit", content_type=JSON)

    # then the plan is in review
    assert response.status_code == 200
    campaign.refresh_from_db()
    assert campaign.status == "in_review"


def test_it_refuses_a_transition_from_the_wrong_state(client, campaign, planner):
    # given a draft campaign
    client.force_login(planner)
    events_before = AuditEvent.objects.count()

    # when its owner tries to launch it
    response = act(client, campaign.pk, "launch", {})

    # then 409 explains why, and nothing changed
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Cannot launch a campaign that is Draft.",
        "code": "invalid_transition",
        "errors": [],
    }
    campaign.refresh_from_db()
    assert campaign.status == "draft"
    assert AuditEvent.objects.count() == events_before


def test_it_refuses_approval_of_a_draft_with_409(client, campaign, dept_head):
    client.force_login(dept_head)

    response = act(client, campaign.pk, "approve", {})

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert Approval.objects.count() == 0


def test_it_forbids_a_level_2_approver_to_act_at_level_1(client, campaign, planner, manager):
    # given a plan waiting for the department head (level 1)
    client.force_login(planner)
    assert act(client, campaign.pk, "submit", {}).status_code == 200

    # when management tries to approve it
    client.force_login(manager)
    response = act(client, campaign.pk, "approve", {})

    # then 403, and the plan still waits at level 1
    assert response.status_code == 403
    assert response.json()["code"] == "wrong_level"
    assert response.json()["detail"] == ("This plan is waiting for approval level 1; you approve at level 2.")
    campaign.refresh_from_db()
    assert (campaign.status, campaign.approval_level) == ("in_review", 1)
    assert Approval.objects.count() == 0


def test_it_forbids_a_member_without_rights_to_submit(client, campaign, marketing):
    # given a colleague who is only a member of the campaign's team
    colleague = UserFactory(username="colleague", department=marketing, roles=["member"])
    CampaignMember.objects.create(campaign=campaign, user=colleague, role="member")
    client.force_login(colleague)

    # when they try to submit the plan
    response = act(client, campaign.pk, "submit", {})

    # then 403 and the plan is still a draft
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    campaign.refresh_from_db()
    assert campaign.status == "draft"


def test_it_requires_a_comment_to_reject(client, campaign, planner, dept_head):
    # given a plan in review at level 1
    client.force_login(planner)
    act(client, campaign.pk, "submit", {})
    client.force_login(dept_head)

    # when the department head rejects it without saying why
    response = act(client, campaign.pk, "reject", {}, comment="   ")

    # then 422 names the comment, and the plan stays in review at revision 1
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "comment", "message": "Say why the plan is rejected."}]
    campaign.refresh_from_db()
    assert (campaign.status, campaign.revision) == ("in_review", 1)
    assert Approval.objects.count() == 0


def test_it_refuses_to_submit_a_goal_without_target_and_names_it(client, campaign, planner):
    # given a plan with a goal that has no measurable target
    vague = Goal.objects.create(campaign=campaign, metric="awareness", name="Brand awareness")
    client.force_login(planner)

    # when the planner submits
    response = act(client, campaign.pk, "submit", {})

    # then 422 names the goal, and the plan stays a draft
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "plan_incomplete"
    message = "Goal “Brand awareness” is not SMART: it needs a measurable target and a deadline."
    assert body["detail"] == f"The plan is not ready to submit: {message}"
    assert body["errors"] == [{"field": f"goals.{vague.pk}", "message": message}]
    campaign.refresh_from_db()
    assert campaign.status == "draft"


def test_it_cancels_with_a_reason(client, campaign, planner):
    client.force_login(planner)

    response = act(client, campaign.pk, "cancel", {}, comment="Product launch postponed")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancel_reason"] == "Product launch postponed"
    campaign.refresh_from_db()
    assert campaign.status == "cancelled"


def test_it_answers_404_for_an_unknown_action(client, campaign, planner):
    client.force_login(planner)

    response = act(client, campaign.pk, "explode", {})

    assert response.status_code == 404
    campaign.refresh_from_db()
    assert campaign.status == "draft"


def test_it_answers_405_for_get_on_an_action(client, campaign, planner):
    client.force_login(planner)

    response = client.get(f"/api/v1/campaigns/{campaign.pk}/submit")

    assert response.status_code == 405


def test_it_hides_the_campaign_from_an_outsider_acting_on_it(client, campaign, outsider):
    client.force_login(outsider)

    response = act(client, campaign.pk, "submit", {})

    assert response.status_code == 404
    assert response.json() == {"detail": "Campaign not found.", "code": "not_found", "errors": []}
    campaign.refresh_from_db()
    assert campaign.status == "draft"


def test_it_refuses_an_oversized_comment(client, campaign, planner):
    client.force_login(planner)

    response = act(client, campaign.pk, "submit", {}, comment="x" * 2001)

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["comment"]
    campaign.refresh_from_db()
    assert campaign.status == "draft"


def test_it_requires_authentication(client, campaign):
    response = act(client, campaign.pk, "submit", {})

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_it_refuses_a_revoked_or_unknown_token(client, campaign):
    response = act(client, campaign.pk, "submit", {"HTTP_AUTHORIZATION": "Bearer cf_not-a-real-token"})

    assert response.status_code == 401
    campaign.refresh_from_db()
    assert campaign.status == "draft"
