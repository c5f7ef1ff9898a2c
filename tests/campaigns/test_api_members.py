"""The campaign team: GET|POST /api/v1/campaigns/{id}/members and GET|PATCH|DELETE /api/v1/members/{id}."""

from __future__ import annotations

import pytest

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns.models import CampaignMember
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def designer(sales):
    """Someone from another department, not yet on the team."""
    return UserFactory(username="designer", department=sales, display_name="Dana Designer")


def test_it_lists_the_team(client, campaign, planner):
    client.force_login(planner)

    response = client.get(f"/api/v1/campaigns/{campaign.pk}/members")

    assert response.status_code == 200
    owner = CampaignMember.objects.get(campaign=campaign)
    assert response.json() == [
        {
            "id": owner.pk,
            "campaign": campaign.pk,
            "user": planner.pk,
            "username": "planner",
            "user_name": "planner",
            "role": "owner",
            "group": "",
        }
    ]


def test_it_adds_a_member_who_then_sees_the_campaign(client, campaign, planner, designer):
    client.force_login(planner)

    response = client.post(
        f"/api/v1/campaigns/{campaign.pk}/members",
        {"user": designer.pk, "role": "member", "group": "物料组"},
        content_type=JSON,
    )

    assert response.status_code == 201
    member = CampaignMember.objects.get(campaign=campaign, user=designer)
    assert response.json() == {
        "id": member.pk,
        "campaign": campaign.pk,
        "user": designer.pk,
        "username": "designer",
        "user_name": "Dana Designer",
        "role": "member",
        "group": "物料组",
    }
    assert AuditEvent.objects.filter(verb="member.added").count() == 1
    client.force_login(designer)
    assert client.get(f"/api/v1/campaigns/{campaign.pk}").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"user": 987654}, "user"),
        ({"user": None}, "user"),
        ({"role": "boss"}, "role"),
        ({"group": "x" * 61}, "group"),
    ],
)
def test_it_refuses_an_invalid_member(client, campaign, planner, designer, body, field):
    client.force_login(planner)

    response = client.post(
        f"/api/v1/campaigns/{campaign.pk}/members", {"user": designer.pk} | body, content_type=JSON
    )

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert CampaignMember.objects.filter(campaign=campaign).count() == 1


def test_it_refuses_someone_already_on_the_team(client, campaign, planner):
    client.force_login(planner)

    response = client.post(
        f"/api/v1/campaigns/{campaign.pk}/members", {"user": planner.pk}, content_type=JSON
    )

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["user"]


def test_it_forbids_a_plain_member_to_change_the_team(client, campaign, marketing, designer):
    colleague = UserFactory(username="colleague", department=marketing)
    CampaignMember.objects.create(campaign=campaign, user=colleague, role="member")
    client.force_login(colleague)

    response = client.post(
        f"/api/v1/campaigns/{campaign.pk}/members", {"user": designer.pk}, content_type=JSON
    )

    assert response.status_code == 403
    assert not CampaignMember.objects.filter(user=designer).exists()


def test_it_changes_a_role(client, campaign, planner, designer):
    member = CampaignMember.objects.create(campaign=campaign, user=designer, role="member")
    client.force_login(planner)

    response = client.patch(f"/api/v1/members/{member.pk}", {"role": "planner"}, content_type=JSON)

    assert response.status_code == 200
    assert (response.json()["role"], response.json()["group"]) == ("planner", "")
    member.refresh_from_db()
    assert member.role == "planner"


def test_it_removes_a_member(client, campaign, planner, designer):
    member = CampaignMember.objects.create(campaign=campaign, user=designer, role="member")
    client.force_login(planner)

    response = client.delete(f"/api/v1/members/{member.pk}")

    assert response.status_code == 204
    assert not CampaignMember.objects.filter(pk=member.pk).exists()


def test_it_keeps_the_last_owner(client, campaign, planner):
    owner = CampaignMember.objects.get(campaign=campaign, user=planner)
    client.force_login(planner)

    removed = client.delete(f"/api/v1/members/{owner.pk}")
    demoted = client.patch(f"/api/v1/members/{owner.pk}", {"role": "viewer"}, content_type=JSON)

    assert (removed.status_code, demoted.status_code) == (409, 409)
    assert removed.json()["code"] == "last_owner"
    owner.refresh_from_db()
    assert owner.role == "owner"


def test_it_hides_the_team_from_an_outsider(client, campaign, outsider, planner):
    owner = CampaignMember.objects.get(campaign=campaign, user=planner)
    client.force_login(outsider)

    assert client.get(f"/api/v1/campaigns/{campaign.pk}/members").status_code == 404
    assert client.get(f"/api/v1/members/{owner.pk}").status_code == 404
    assert client.delete(f"/api/v1/members/{owner.pk}").status_code == 404
    response = client.post(
        f"/api/v1/campaigns/{campaign.pk}/members", {"user": outsider.pk}, content_type=JSON
    )
    assert response.status_code == 404
    assert list(CampaignMember.objects.filter(campaign=campaign)) == [owner]
