"""The plan approval flow tells the department head, then management, and the planner of each decision."""

from __future__ import annotations

import pytest

from campaignflow.accounts.models import Organization
from campaignflow.campaigns.models import CampaignMember
from campaignflow.campaigns.permissions import approvers_for_level
from campaignflow.campaigns.services import campaign_transition
from campaignflow.notifications.models import Delivery, Notification
from tests.factories import DepartmentFactory, UserFactory

from .conftest import make_webhook

pytestmark = pytest.mark.django_db


def told(username: str) -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(recipient__username=username).order_by("id").values_list("event", "title")
    )


def test_approvers_for_level_are_the_departments_heads_then_managements_holders(
    campaign, dept_head, manager, sales
):
    other_head = UserFactory(username="sales_head", department=sales, roles=["department_head"])
    UserFactory(username="retired_manager", roles=["management"], is_active=False)

    assert list(approvers_for_level(campaign, 1)) == [dept_head]
    assert list(approvers_for_level(campaign, 2)) == [manager]
    assert list(approvers_for_level(campaign, 3)) == []
    assert other_head not in approvers_for_level(campaign, 1)


def test_submitting_tells_the_department_head_only(planner, dept_head, manager, outsider, sales, campaign):
    UserFactory(username="sales_head", department=sales, roles=["department_head"])

    campaign_transition(campaign=campaign, actor=planner, action="submit")

    assert told("dept_head") == [("approval.requested", "Approval requested: Spring tea launch")]
    body = Notification.objects.get(recipient=dept_head).body
    assert body == (
        "planner submitted revision 1 of the plan of “Spring tea launch” (Marketing). "
        "It waits for approval at level 1 · Department head."
    )
    assert told("planner") == []
    assert told("manager") == []
    assert told("sales_head") == []
    assert told("outsider") == []


def test_each_decision_tells_the_owner_and_planners_and_the_next_level(planner, dept_head, manager, campaign):
    # given a second planner on the team and a plain member
    co_planner = UserFactory(username="co_planner", department=campaign.department)
    CampaignMember.objects.create(campaign=campaign, user=co_planner, role="planner")
    member = UserFactory(username="member", department=campaign.department)
    CampaignMember.objects.create(campaign=campaign, user=member, role="member")
    campaign_transition(campaign=campaign, actor=planner, action="submit")

    # when the department head approves level 1
    campaign_transition(campaign=campaign, actor=dept_head, action="approve", comment="Good plan")

    # then the planners hear it, and management is asked to approve level 2
    level_one = ("approval.decided", "Plan approved at level 1: Spring tea launch")
    assert told("planner") == [level_one]
    assert (
        told("co_planner") == [("approval.requested", "Approval requested: Spring tea launch"), level_one][1:]
    )
    assert told("manager") == [("approval.requested", "Approval requested: Spring tea launch")]
    assert Notification.objects.get(recipient=planner).body == (
        "dept_head approved level 1 · Department head. The plan now waits for level 2 · Management.\n"
        "Comment: “Good plan”"
    )
    assert told("dept_head") == [("approval.requested", "Approval requested: Spring tea launch")]
    assert told("member") == []

    # when management gives the final approval
    campaign_transition(campaign=campaign, actor=manager, action="approve")

    # then the planners learn the registration number
    campaign.refresh_from_db()
    final = Notification.objects.filter(recipient=planner).latest("id")
    assert (final.event, final.title) == ("approval.decided", "Plan approved: Spring tea launch")
    assert final.body == f"manager gave the final approval; the campaign is registered as {campaign.number}."
    assert told("co_planner")[-1] == ("approval.decided", "Plan approved: Spring tea launch")
    assert len(told("manager")) == 1


def test_a_rejection_tells_the_planner_why(planner, dept_head, campaign):
    campaign_transition(campaign=campaign, actor=planner, action="submit")

    campaign_transition(campaign=campaign, actor=dept_head, action="reject", comment="Budget too high")

    assert told("planner") == [("approval.decided", "Plan rejected: Spring tea launch")]
    assert Notification.objects.get(recipient=planner).body == (
        "dept_head rejected revision 1 at level 1 · Department head: “Budget too high”. "
        "The plan is back in draft as revision 2."
    )


def test_a_refused_decision_tells_no_one(planner, dept_head, manager, campaign):
    from campaignflow.core.errors import ApplicationError

    campaign_transition(campaign=campaign, actor=planner, action="submit")
    before = Notification.objects.count()

    with pytest.raises(ApplicationError):
        campaign_transition(campaign=campaign, actor=manager, action="approve")

    assert Notification.objects.count() == before


def test_the_team_chat_follows_the_whole_flow(planner, dept_head, manager, campaign):
    webhook = make_webhook(url="http://127.0.0.1:9/team", kind="dingtalk", campaign=campaign)

    campaign_transition(campaign=campaign, actor=planner, action="submit")
    campaign_transition(campaign=campaign, actor=dept_head, action="approve")
    campaign_transition(campaign=campaign, actor=manager, action="approve")

    campaign.refresh_from_db()
    titles = [d.payload["title"] for d in Delivery.objects.filter(webhook=webhook).order_by("id")]
    assert titles == [
        "Approval requested: Spring tea launch",
        "Plan approved at level 1: Spring tea launch",
        "Approval requested: Spring tea launch",
        "Plan approved: Spring tea launch",
    ]
    last = Delivery.objects.filter(webhook=webhook).latest("id").payload
    assert last["campaign"]["number"] == campaign.number


def test_without_approval_levels_the_registration_is_announced(planner, campaign):
    org = Organization.current()
    org.approval_levels = []
    org.save()
    co_planner = UserFactory(username="co_planner", department=DepartmentFactory(code="x"))
    CampaignMember.objects.create(campaign=campaign, user=co_planner, role="planner")

    campaign_transition(campaign=campaign, actor=planner, action="submit")

    campaign.refresh_from_db()
    assert told("co_planner") == [("approval.decided", "Campaign registered: Spring tea launch")]
    assert Notification.objects.get().body == (
        f"The campaign is registered as {campaign.number}; no approval is required."
    )
