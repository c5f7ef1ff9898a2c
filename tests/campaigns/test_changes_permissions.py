"""Who may ask for, edit, submit, withdraw and decide change requests; a refused call changes nothing."""

from __future__ import annotations

import pytest

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns import changes
from campaignflow.campaigns.models import Approval, Campaign, CampaignMember, ChangeRequest
from campaignflow.campaigns.services import campaign_transition
from campaignflow.core.errors import Forbidden, NotFound
from tests.factories import UserFactory

PERSONAS = [
    "planner",
    "pm",
    "team_member",
    "colleague",
    "dept_head",
    "manager",
    "finance",
    "analyst",
    "outsider",
    "admin",
]
OK, DENY, HIDDEN = "ok", "forbidden", "not_found"
PROPOSED = {"start_date": "2026-12-01", "end_date": "2027-01-07"}


def _matrix(allowed: set[str]) -> dict[str, str]:
    return {p: OK if p in allowed else (HIDDEN if p == "outsider" else DENY) for p in PERSONAS}


@pytest.fixture
def people(planner, dept_head, manager, finance, analyst, outsider, admin_user, marketing, campaign):
    pm = UserFactory(username="pm", department=marketing, roles=["member"])
    team_member = UserFactory(username="team_member", department=marketing, roles=["member"])
    colleague = UserFactory(username="colleague", department=marketing, roles=["member"])
    CampaignMember.objects.create(campaign=campaign, user=pm, role="project_manager")
    CampaignMember.objects.create(campaign=campaign, user=team_member, role="member", group="物料组")
    campaign_transition(campaign=campaign, actor=planner, action="submit")
    campaign_transition(campaign=campaign, actor=dept_head, action="approve")
    campaign_transition(campaign=campaign, actor=manager, action="approve")
    return {
        "planner": planner,
        "pm": pm,
        "team_member": team_member,
        "colleague": colleague,
        "dept_head": dept_head,
        "manager": manager,
        "finance": finance,
        "analyst": analyst,
        "outsider": outsider,
        "admin": admin_user,
    }


def _draft(campaign, people):
    return changes.change_request_create(
        campaign=campaign, actor=people["pm"], kind="dates", reason="Supplier delay", proposed=PROPOSED
    )


def _in_review(campaign, people, level=1):
    request = _draft(campaign, people)
    changes.change_request_submit(change_request=request, actor=people["pm"])
    if level == 2:
        changes.change_request_approve(change_request=request, actor=people["dept_head"])
    request.refresh_from_db()
    return request


ACTIONS = {
    # name: (setup returning the change request or None, call, expectation)
    "create": (
        None,
        lambda c, r, u: changes.change_request_create(
            campaign=c, actor=u, kind="dates", reason="Supplier delay", proposed=PROPOSED
        ),
        _matrix({"planner", "pm", "admin"}),
    ),
    "update_draft": (
        _draft,
        lambda c, r, u: changes.change_request_update(change_request=r, actor=u, data={"reason": "Longer"}),
        _matrix({"planner", "pm", "admin"}),
    ),
    "submit": (
        _draft,
        lambda c, r, u: changes.change_request_submit(change_request=r, actor=u),
        _matrix({"planner", "pm", "admin"}),
    ),
    "withdraw": (
        _in_review,
        lambda c, r, u: changes.change_request_withdraw(change_request=r, actor=u),
        _matrix({"planner", "pm", "admin"}),
    ),
    "approve_level_1": (
        _in_review,
        lambda c, r, u: changes.change_request_approve(change_request=r, actor=u),
        _matrix({"dept_head"}),
    ),
    "reject_level_1": (
        _in_review,
        lambda c, r, u: changes.change_request_reject(change_request=r, actor=u, comment="no"),
        _matrix({"dept_head"}),
    ),
    "approve_level_2": (
        lambda c, p: _in_review(c, p, level=2),
        lambda c, r, u: changes.change_request_approve(change_request=r, actor=u),
        _matrix({"manager"}),
    ),
}


def _state(campaign):
    campaign = Campaign.objects.get(pk=campaign.pk)
    return (
        campaign.revision,
        campaign.end_date,
        list(ChangeRequest.objects.values_list("status", "approval_level", "reason")),
        Approval.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_change_request_permission_matrix(action, persona, people, campaign):
    setup, call, expected = ACTIONS[action]
    request = setup(campaign, people) if setup else None
    before = _state(campaign)
    user = people[persona]
    if expected[persona] == OK:
        call(campaign, request, user)
        assert _state(campaign) != before
        return
    error = NotFound if expected[persona] == HIDDEN else Forbidden
    with pytest.raises(error):
        call(campaign, request, user)
    assert _state(campaign) == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_allowed_actions_follow_the_same_policy(persona, people, campaign):
    request = _in_review(campaign, people)
    actions = changes.allowed_change_actions(people[persona], request)

    expected = {
        "dept_head": ["approve", "reject"],
        "planner": ["withdraw"],
        "pm": ["withdraw"],
        "admin": ["withdraw"],
    }.get(persona, [])
    assert actions == expected


def test_a_requester_who_left_the_team_can_no_longer_manage_the_request(people, campaign):
    request = _draft(campaign, people)
    CampaignMember.objects.filter(campaign=campaign, user=people["pm"]).delete()

    with pytest.raises(Forbidden):
        changes.change_request_submit(change_request=request, actor=people["pm"])
    assert ChangeRequest.objects.get(pk=request.pk).status == "draft"
