"""Who may manage a campaign's team chat webhooks and personal webhooks; a refusal changes nothing."""

from __future__ import annotations

import pytest

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns.models import CampaignMember
from campaignflow.core.errors import Forbidden, NotFound
from campaignflow.notifications import permissions, services
from campaignflow.notifications.models import Webhook
from tests.factories import UserFactory

from .conftest import make_webhook

pytestmark = pytest.mark.django_db

NEW_HOOK = {
    "kind": "dingtalk",
    "name": "Team chat",
    "url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
}


def team_member(campaign, username: str, role: str):
    user = UserFactory(username=username, department=campaign.department)
    CampaignMember.objects.create(campaign=campaign, user=user, role=role)
    return user


@pytest.fixture
def people(campaign, planner, dept_head, manager, finance, analyst, outsider, admin_user):
    return {
        "owner": planner,
        "project_manager": team_member(campaign, "pm", "project_manager"),
        "admin": admin_user,
        "planner": team_member(campaign, "co_planner", "planner"),
        "member": team_member(campaign, "member", "member"),
        "viewer": team_member(campaign, "viewer", "viewer"),
        "dept_head": dept_head,
        "manager": manager,
        "finance": finance,
        "analyst": analyst,
        "outsider": outsider,
    }


# who → what they get when they try: None (allowed), Forbidden (403) or NotFound (404)
MATRIX = {
    "owner": None,
    "project_manager": None,
    "admin": None,
    "planner": Forbidden,
    "member": Forbidden,
    "viewer": Forbidden,
    "dept_head": Forbidden,
    "manager": Forbidden,
    "finance": Forbidden,
    "analyst": Forbidden,
    "outsider": NotFound,
}


@pytest.mark.parametrize(("who", "outcome"), MATRIX.items())
def test_adding_a_campaign_webhook(people, campaign, who, outcome):
    actor = people[who]
    assert permissions.can_manage_campaign_webhooks(actor, campaign) is (outcome is None)
    if outcome is None:
        webhook = services.webhook_create(actor=actor, campaign=campaign, data=dict(NEW_HOOK))
        assert webhook.campaign == campaign and webhook.user is None
        assert AuditEvent.objects.filter(verb="webhook.created").count() == 1
        return
    with pytest.raises(outcome):
        services.webhook_create(actor=actor, campaign=campaign, data=dict(NEW_HOOK))
    assert Webhook.objects.count() == 0
    assert not AuditEvent.objects.filter(verb__startswith="webhook.").exists()


@pytest.mark.parametrize(("who", "outcome"), MATRIX.items())
def test_changing_and_removing_a_campaign_webhook(people, campaign, who, outcome):
    webhook = make_webhook(url="https://example.com/hook", campaign=campaign, name="Team")
    actor = people[who]
    if outcome is None:
        services.webhook_update(actor=actor, webhook=webhook, data={"name": "Renamed"})
        services.webhook_delete(actor=actor, webhook=webhook)
        assert not Webhook.objects.exists()
        return
    with pytest.raises(outcome):
        services.webhook_update(actor=actor, webhook=webhook, data={"name": "Renamed"})
    with pytest.raises(outcome):
        services.webhook_delete(actor=actor, webhook=webhook)
    with pytest.raises(outcome):
        services.webhook_test(actor=actor, webhook=webhook)
    assert Webhook.objects.get().name == "Team"
    assert Webhook.objects.get().last_error_at is None  # no test message was sent


def test_a_personal_webhook_exists_only_for_its_owner(planner, dept_head, admin_user):
    webhook = services.webhook_create(actor=dept_head, data=dict(NEW_HOOK))
    assert (webhook.user, webhook.campaign) == (dept_head, None)

    for stranger in (planner, admin_user):
        assert not permissions.can_see_webhook(stranger, webhook)
        with pytest.raises(NotFound):
            services.webhook_update(actor=stranger, webhook=webhook, data={"active": False})
    assert Webhook.objects.get().active is True
    services.webhook_update(actor=dept_head, webhook=webhook, data={"active": False})
    assert Webhook.objects.get().active is False


def test_an_inactive_user_manages_nothing(planner, campaign):
    planner.is_active = False
    planner.save()

    assert not permissions.can_manage_campaign_webhooks(planner, campaign)
