"""Per-role permission matrix for every campaign action; a refused call changes nothing."""

from __future__ import annotations

import pytest

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns import permissions, services
from campaignflow.campaigns.models import Approval, Campaign, CampaignMember, Goal
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


def _matrix(allowed: set[str], default=DENY) -> dict[str, str]:
    return {p: OK if p in allowed else (HIDDEN if p == "outsider" else default) for p in PERSONAS}


@pytest.fixture
def people(planner, dept_head, manager, finance, analyst, outsider, admin_user, marketing, campaign):
    pm = UserFactory(username="pm", department=marketing, roles=["member"])
    team_member = UserFactory(username="team_member", department=marketing, roles=["member"])
    colleague = UserFactory(username="colleague", department=marketing, roles=["member"])
    CampaignMember.objects.create(campaign=campaign, user=pm, role="project_manager")
    CampaignMember.objects.create(campaign=campaign, user=team_member, role="member", group="物料组")
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


def _to_review(campaign, people, level):
    services.campaign_transition(campaign=campaign, actor=people["planner"], action="submit")
    if level == 2:
        services.campaign_transition(campaign=campaign, actor=people["dept_head"], action="approve")


def _to_approved(campaign, people):
    _to_review(campaign, people, 2)
    services.campaign_transition(campaign=campaign, actor=people["manager"], action="approve")


ACTIONS = {
    # name: (setup, call, expectation)
    "update_plan": (
        None,
        lambda c, u: services.campaign_update(campaign=c, actor=u, data={"theme": "changed"}),
        _matrix({"planner", "admin"}),
    ),
    "add_goal": (
        None,
        lambda c, u: services.plan_item_create(campaign=c, actor=u, model=Goal, data={"metric": "visits"}),
        _matrix({"planner", "admin"}),
    ),
    "submit": (
        None,
        lambda c, u: services.campaign_transition(campaign=c, actor=u, action="submit"),
        _matrix({"planner", "admin"}),
    ),
    "approve_level_1": (
        lambda c, p: _to_review(c, p, 1),
        lambda c, u: services.campaign_transition(campaign=c, actor=u, action="approve"),
        _matrix({"dept_head"}),
    ),
    "reject_level_1": (
        lambda c, p: _to_review(c, p, 1),
        lambda c, u: services.campaign_transition(campaign=c, actor=u, action="reject", comment="no"),
        _matrix({"dept_head"}),
    ),
    "approve_level_2": (
        lambda c, p: _to_review(c, p, 2),
        lambda c, u: services.campaign_transition(campaign=c, actor=u, action="approve"),
        _matrix({"manager"}),
    ),
    "start_preparation": (
        _to_approved,
        lambda c, u: services.campaign_transition(campaign=c, actor=u, action="start_preparation"),
        _matrix({"planner", "pm", "admin"}),
    ),
    "cancel": (
        None,
        lambda c, u: services.campaign_transition(campaign=c, actor=u, action="cancel", comment="stop"),
        _matrix({"planner", "dept_head", "manager", "admin"}),
    ),
    "add_member": (
        None,
        lambda c, u: services.member_add(campaign=c, actor=u, user=UserFactory(username="newbie")),
        _matrix({"planner", "pm", "admin"}),
    ),
}


def _state(campaign):
    campaign = Campaign.objects.get(pk=campaign.pk)
    return (
        campaign.status,
        campaign.revision,
        campaign.approval_level,
        campaign.theme,
        campaign.number,
        Goal.objects.count(),
        Approval.objects.count(),
        CampaignMember.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_permission_matrix(action, persona, people, campaign):
    setup, call, expected = ACTIONS[action]
    if setup:
        setup(campaign, people)
    before = _state(campaign)
    user = people[persona]
    if expected[persona] == OK:
        call(campaign, user)
        assert _state(campaign) != before
        return
    error = NotFound if expected[persona] == HIDDEN else Forbidden
    with pytest.raises(error):
        call(campaign, user)
    assert _state(campaign) == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_the_campaign(persona, people, campaign):
    user = people[persona]
    visible = persona != "outsider"
    assert permissions.can_view(user, campaign) is visible
    assert list(permissions.visible_campaigns(user)) == ([campaign] if visible else [])


def test_an_anonymous_user_sees_nothing(campaign):
    from django.contrib.auth.models import AnonymousUser

    assert not permissions.can_view(AnonymousUser(), campaign)
    assert list(permissions.visible_campaigns(AnonymousUser())) == []


def test_an_inactive_user_loses_every_right(campaign, planner):
    planner.is_active = False
    planner.save()
    with pytest.raises(NotFound):
        services.campaign_update(campaign=campaign, actor=planner, data={"theme": "x"})
