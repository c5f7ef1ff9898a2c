"""GET /campaigns/{id}/readiness, POST /campaigns/{id}/readiness/{key} and launch's 409."""

from __future__ import annotations

import pytest

from campaignflow.campaigns import readiness
from campaignflow.campaigns.models import CampaignMember, ReadinessItem
from campaignflow.campaigns.services import campaign_transition
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"
SEED_ITEMS = (
    "smart_goals",
    "budget",
    "team",
    "target_audience",
    "journey_content",
    "tools_tracking",
    "raci_timeline",
    "kpis",
)


@pytest.fixture(autouse=True)
def seed_items_only(monkeypatch):
    monkeypatch.setattr(readiness, "CHECKS", {key: readiness.CHECKS[key] for key in SEED_ITEMS})


@pytest.fixture
def pm(marketing, campaign):
    user = UserFactory(username="pm", department=marketing, roles=["member"])
    CampaignMember.objects.create(campaign=campaign, user=user, role="project_manager")
    return user


@pytest.fixture
def preparing(campaign, planner, dept_head, manager):
    campaign_transition(campaign=campaign, actor=planner, action="submit")
    campaign_transition(campaign=campaign, actor=dept_head, action="approve")
    campaign_transition(campaign=campaign, actor=manager, action="approve")
    campaign_transition(campaign=campaign, actor=planner, action="start_preparation")
    return campaign


def post(client, campaign, key: str, body: dict):
    return client.post(f"/api/v1/campaigns/{campaign.pk}/readiness/{key}", body, content_type=JSON)


def test_it_serves_the_checklist_with_live_automatic_items(client, preparing, pm):
    client.force_login(pm)

    response = client.get(f"/api/v1/campaigns/{preparing.pk}/readiness")

    assert response.status_code == 200
    body = response.json()
    assert (body["campaign"], body["ready"]) == (preparing.pk, False)
    assert body["missing"] == [
        "Team roles and skills (No team member with a group (such as materials or channels))",
        "Content per journey stage (not ticked or waived)",
        "Tools and tracking ready (not ticked or waived)",
        "RACI and approval timeline (not ticked or waived)",
    ]
    team = next(item for item in body["items"] if item["key"] == "team")
    assert team == {
        "key": "team",
        "label": "Team roles and skills",
        "description": "Owner, project manager and the working groups are on the team.",
        "automatic": True,
        "state": "open",
        "problems": ["No team member with a group (such as materials or channels)."],
        "checked_by": None,
        "checked_by_name": None,
        "checked_at": None,
        "waived": False,
        "waiver_reason": "",
        "waived_by": None,
        "waived_by_name": None,
        "waived_at": None,
        "note": "",
    }


def test_launch_answers_409_listing_the_open_items_until_they_are_done(client, preparing, pm, planner):
    client.force_login(pm)

    response = client.post(f"/api/v1/campaigns/{preparing.pk}/launch", {}, content_type=JSON)

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "guard_failed"
    assert [error["message"] for error in body["errors"]] == client.get(
        f"/api/v1/campaigns/{preparing.pk}/readiness"
    ).json()["missing"]

    # when the PM ticks the manual items and the owner waives the team item
    for key in ("journey_content", "tools_tracking", "raci_timeline"):
        response = post(client, preparing, key, {"checked": True, "note": "checked at stand-up"})
        assert response.status_code == 200
        assert (response.json()["state"], response.json()["checked_by_name"]) == ("done", "pm")
    client.force_login(planner)
    response = post(client, preparing, "team", {"waived": True, "reason": "Agency provides the crew"})
    assert (response.status_code, response.json()["state"]) == (200, "waived")

    # then the campaign launches
    assert client.get(f"/api/v1/campaigns/{preparing.pk}/readiness").json()["ready"] is True
    response = client.post(f"/api/v1/campaigns/{preparing.pk}/launch", {}, content_type=JSON)
    assert (response.status_code, response.json()["status"]) == (200, "live")


def test_a_waiver_by_anyone_but_the_owner_is_403(client, preparing, pm):
    client.force_login(pm)

    response = post(client, preparing, "journey_content", {"waived": True, "reason": "no time"})

    assert response.status_code == 403
    assert response.json()["detail"] == "Only the campaign owner may waive a checklist item."
    assert not ReadinessItem.objects.exists()


def test_bad_input_is_422_and_unknown_items_404(client, preparing, planner, outsider):
    client.force_login(planner)

    assert post(client, preparing, "journey_content", {"waived": True}).json()["errors"] == [
        {"field": "reason", "message": "Give the reason for launching without this item."}
    ]
    assert post(client, preparing, "team", {"checked": True}).status_code == 422
    assert post(client, preparing, "journey_content", {"checked": "maybe"}).status_code == 422
    assert post(client, preparing, "journey_content", {"note": "x" * 1001}).status_code == 422
    assert post(client, preparing, "astrology", {"checked": True}).status_code == 404
    client.force_login(outsider)
    assert post(client, preparing, "journey_content", {"checked": True}).status_code == 404
    assert client.get(f"/api/v1/campaigns/{preparing.pk}/readiness").status_code == 404
    assert not ReadinessItem.objects.exists()
