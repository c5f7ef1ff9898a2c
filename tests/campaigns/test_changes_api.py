"""GET|POST /campaigns/{id}/change-requests, GET|PATCH /change-requests/{id} and its actions."""

from __future__ import annotations

import pytest

from campaignflow.campaigns.models import BudgetLine, Campaign, CampaignMember, ChangeRequest
from campaignflow.campaigns.services import campaign_transition
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"
DATES = {"start_date": "2026-12-01", "end_date": "2027-01-07"}


def bearer(client, username: str) -> dict:
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": PASSWORD}, content_type=JSON
    )
    assert response.status_code == 200
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}


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


def create(client, campaign, headers, **body):
    payload = {"kind": "dates", "reason": "Supplier delay", "proposed": DATES} | body
    return client.post(
        f"/api/v1/campaigns/{campaign.pk}/change-requests", payload, content_type=JSON, **headers
    )


def act(client, request_id: int, action: str, headers: dict, comment: str | None = None):
    body = {} if comment is None else {"comment": comment}
    return client.post(f"/api/v1/change-requests/{request_id}/{action}", body, content_type=JSON, **headers)


def test_the_date_change_goes_through_both_levels_by_api(client, approved, pm, dept_head, manager):
    as_pm, as_head, as_manager = bearer(client, "pm"), bearer(client, "dept_head"), bearer(client, "manager")

    # when the project manager asks to move the end date by a week
    response = create(client, approved, as_pm, impact="Evaluation a week later")

    # then a draft exists with the contract fields, the current values and what the PM may do
    assert response.status_code == 201
    created = response.json()
    request_id = created["id"]
    assert created == {
        "id": request_id,
        "campaign": approved.pk,
        "campaign_name": "Spring tea launch",
        "kind": "dates",
        "kind_label": "Dates",
        "status": "draft",
        "status_label": "Draft",
        "reason": "Supplier delay",
        "impact": "Evaluation a week later",
        "proposed": {"start_date": "2026-12-01", "end_date": "2027-01-07", "milestones": []},
        "before": None,
        "approval_level": 0,
        "revision": 1,
        "applied_revision": None,
        "created_by": pm.pk,
        "created_by_name": "pm",
        "created_at": created["created_at"],
        "updated_at": created["updated_at"],
        "submitted_at": None,
        "decided_at": None,
        "applied_at": None,
        "current": {
            "start_date": "2026-12-01",
            "end_date": "2026-12-31",
            "milestones": [
                {
                    "id": approved.milestones.get().pk,
                    "name": "Launch",
                    "date": "2026-12-01",
                    "note": "",
                }
            ],
        },
        "approvals": [],
        "allowed_actions": ["submit", "withdraw"],
    }

    # when it is submitted, and both levels approve
    response = act(client, request_id, "submit", as_pm)
    assert (response.status_code, response.json()["status"], response.json()["approval_level"]) == (
        200,
        "in_review",
        1,
    )
    assert act(client, request_id, "approve", as_manager).status_code == 403
    response = act(client, request_id, "approve", as_head, "OK")
    assert (response.status_code, response.json()["approval_level"]) == (200, 2)
    response = act(client, request_id, "approve", as_manager, "Approved")

    # then it is applied as revision 2 and the plan shows the new end date
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["applied_revision"], body["allowed_actions"]) == ("applied", 2, [])
    assert [(a["level"], a["decision"], a["actor_name"], a["comment"]) for a in body["approvals"]] == [
        (1, "approve", "dept_head", "OK"),
        (2, "approve", "manager", "Approved"),
    ]
    assert body["before"]["end_date"] == "2026-12-31"
    campaign = client.get(f"/api/v1/campaigns/{approved.pk}", **as_pm).json()
    assert (campaign["end_date"], campaign["revision"]) == ("2027-01-07", 2)

    # and the previous baseline is served for comparison
    snapshots = client.get(f"/api/v1/campaigns/{approved.pk}/plan-snapshots", **as_pm).json()
    assert [(s["revision"], s["change_request"]) for s in snapshots] == [(1, request_id)]
    assert snapshots[0]["data"]["fields"]["end_date"] == "2026-12-31"
    listed = client.get(f"/api/v1/campaigns/{approved.pk}/change-requests", **as_pm).json()
    assert [(item["id"], item["status"]) for item in listed] == [(request_id, "applied")]


def test_it_is_409_with_the_reason_for_a_draft_plan(client, campaign, planner):
    client.force_login(planner)

    response = create(client, campaign, {})

    assert response.status_code == 409
    assert response.json() == {
        "detail": "The plan is still a draft: change it directly in the plan editor.",
        "code": "plan_in_draft",
        "errors": [],
    }
    assert not ChangeRequest.objects.exists()


def test_it_is_409_for_an_archived_campaign(client, approved, planner):
    Campaign.objects.filter(pk=approved.pk).update(status="archived")
    client.force_login(planner)

    response = create(client, approved, {})

    assert response.status_code == 409
    assert response.json()["code"] == "campaign_closed"


def test_it_is_422_naming_the_fields_of_a_bad_proposal(client, approved, planner):
    client.force_login(planner)

    response = create(client, approved, {}, proposed={"start_date": "2026-12-10", "end_date": "2026-12-01"})

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "proposed.end_date", "message": "The end date must not be before the start date."}
    ]


def test_it_is_422_when_the_reserve_would_fall_below_the_minimum(client, approved, planner):
    client.force_login(planner)
    contingency = BudgetLine.objects.get(campaign=approved, category="contingency")

    response = create(
        client, approved, {}, kind="budget", proposed={"lines": [{"id": contingency.pk, "amount": "1000.00"}]}
    )

    assert response.status_code == 422
    assert response.json()["code"] == "contingency_below_minimum"
    assert BudgetLine.objects.get(pk=contingency.pk).amount == contingency.amount


def test_it_is_422_for_an_unknown_kind_or_a_missing_reason(client, approved, planner):
    client.force_login(planner)

    assert create(client, approved, {}, kind="teleport").status_code == 422
    response = create(client, approved, {}, reason="")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "reason", "message": "Say why the plan must change."}]


def test_a_rejection_needs_a_comment(client, approved, pm, dept_head):
    client.force_login(pm)
    request_id = create(client, approved, {}).json()["id"]
    act(client, request_id, "submit", {})
    client.force_login(dept_head)

    response = act(client, request_id, "reject", {})
    assert response.status_code == 422
    response = act(client, request_id, "reject", {}, "Keep the date")
    assert (response.status_code, response.json()["status"]) == (200, "rejected")
    assert act(client, request_id, "approve", {}).status_code == 409


def test_a_draft_is_patched(client, approved, pm):
    client.force_login(pm)
    request_id = create(client, approved, {}).json()["id"]

    response = client.patch(
        f"/api/v1/change-requests/{request_id}",
        {"reason": "Two weeks", "proposed": {"start_date": "2026-12-01", "end_date": "2027-01-14"}},
        content_type=JSON,
    )

    assert response.status_code == 200
    assert (response.json()["reason"], response.json()["proposed"]["end_date"]) == ("Two weeks", "2027-01-14")


def test_an_outsider_gets_404_everywhere(client, approved, pm, outsider):
    client.force_login(pm)
    request_id = create(client, approved, {}).json()["id"]
    client.force_login(outsider)

    assert client.get(f"/api/v1/change-requests/{request_id}").status_code == 404
    assert client.get(f"/api/v1/campaigns/{approved.pk}/change-requests").status_code == 404
    assert act(client, request_id, "withdraw", {}).status_code == 404
    assert create(client, approved, {}).status_code == 404
    assert ChangeRequest.objects.get(pk=request_id).status == "draft"


def test_unknown_ids_and_actions_are_404(client, approved, pm):
    client.force_login(pm)
    request_id = create(client, approved, {}).json()["id"]

    assert client.get("/api/v1/change-requests/999999").status_code == 404
    assert client.get(f"/api/v1/change-requests/{2**63}").status_code == 404
    assert act(client, request_id, "teleport", {}).status_code == 404


def test_the_openapi_document_names_the_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    assert "/api/v1/campaigns/{campaign_id}/change-requests" in paths
    for action in ("submit", "approve", "reject", "withdraw"):
        assert f"/api/v1/change-requests/{{change_request_id}}/{action}" in paths
    assert "/api/v1/campaigns/{campaign_id}/readiness/{key}" in paths


def _many(campaign, actor, n: int) -> None:
    for day in range(n):
        ChangeRequest.objects.create(
            campaign=campaign,
            kind="dates",
            reason=f"Request {day}",
            proposed={"start_date": "2026-12-01", "end_date": f"2027-01-{day + 1:02d}", "milestones": []},
            revision=1,
            created_by=actor,
        )


def test_the_list_costs_the_same_queries_for_one_or_many_requests(
    client, approved, pm, django_assert_num_queries
):
    client.force_login(pm)
    _many(approved, pm, 1)
    url = f"/api/v1/campaigns/{approved.pk}/change-requests"
    with django_assert_num_queries(5):
        assert len(client.get(url).json()) == 1
    _many(approved, pm, 5)
    with django_assert_num_queries(5):
        assert len(client.get(url).json()) == 6


def test_the_changes_tab_costs_the_same_queries_for_one_or_many_requests(
    client, approved, pm, django_assert_num_queries
):
    from django.urls import reverse

    client.force_login(pm)
    _many(approved, pm, 1)
    url = reverse("campaigns:changes", args=[approved.pk])
    client.get(url)  # warm the per-process caches (templates, content types)
    # 11: the navigation's approvals badge asks nothing of a user who approves no level
    with django_assert_num_queries(11):
        assert client.get(url).status_code == 200
    _many(approved, pm, 5)
    with django_assert_num_queries(11):
        assert len(client.get(url).context["change_requests"]) == 6
