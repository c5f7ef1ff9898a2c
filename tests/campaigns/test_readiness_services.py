"""The pre-launch readiness checklist (seed 004) and how it gates `launch`."""

from __future__ import annotations

import pytest

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns import readiness
from campaignflow.campaigns.models import BudgetLine, Campaign, CampaignMember, Goal, ReadinessItem
from campaignflow.campaigns.services import campaign_transition
from campaignflow.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.factories import UserFactory

MANUAL = ("journey_content", "tools_tracking", "raci_timeline")
SEED_ITEMS = ("smart_goals", "budget", "team", "target_audience", *MANUAL, "kpis")


@pytest.fixture(autouse=True)
def seed_items_only(monkeypatch):
    """These tests are about the seed's eight items; checks other apps register are left out."""
    monkeypatch.setattr(readiness, "CHECKS", {key: readiness.CHECKS[key] for key in SEED_ITEMS})


@pytest.fixture
def pm(marketing, campaign):
    user = UserFactory(username="pm", department=marketing, roles=["member"])
    CampaignMember.objects.create(campaign=campaign, user=user, role="project_manager")
    return user


@pytest.fixture
def preparing(campaign, planner, dept_head, manager):
    """An approved campaign in preparation: the step before launch."""
    campaign_transition(campaign=campaign, actor=planner, action="submit")
    campaign_transition(campaign=campaign, actor=dept_head, action="approve")
    campaign_transition(campaign=campaign, actor=manager, action="approve")
    campaign_transition(campaign=campaign, actor=planner, action="start_preparation")
    campaign.refresh_from_db()
    return campaign


def states(campaign) -> dict[str, str]:
    return {row.key: row.state for row in readiness.evaluate(campaign)}


def status(campaign) -> str:
    return Campaign.objects.get(pk=campaign.pk).status


def test_the_checklist_follows_seed_004(campaign):
    rows = readiness.evaluate(campaign)

    assert [(row.key, row.label, row.automatic) for row in rows] == [
        ("smart_goals", "SMART goals and strategy", True),
        ("budget", "Budget with contingency reserve", True),
        ("team", "Team roles and skills", True),
        ("target_audience", "Target audience", True),
        ("journey_content", "Content per journey stage", False),
        ("tools_tracking", "Tools and tracking ready", False),
        ("raci_timeline", "RACI and approval timeline", False),
        ("kpis", "KPIs defined", True),
    ]


def test_launch_is_409_listing_what_is_missing(preparing, planner):
    # given a prepared campaign whose team has no PM and whose manual items are not ticked
    with pytest.raises(Conflict) as exc:
        campaign_transition(campaign=preparing, actor=planner, action="launch")

    # then launch is refused with each open item, and the campaign is still preparing
    assert exc.value.code == "guard_failed"
    assert [error.message for error in exc.value.errors] == [
        "Team roles and skills (No project manager on the team; "
        "No team member with a group (such as materials or channels))",
        "Content per journey stage (not ticked or waived)",
        "Tools and tracking ready (not ticked or waived)",
        "RACI and approval timeline (not ticked or waived)",
    ]
    assert exc.value.message.startswith("Cannot launch yet: Team roles and skills (")
    assert status(preparing) == "preparing"


def test_the_team_ticks_the_manual_items_and_the_campaign_launches(preparing, planner, pm, marketing):
    # given the team completed with a working group
    crew = UserFactory(username="crew", department=marketing, roles=["member"])
    CampaignMember.objects.create(campaign=preparing, user=crew, role="member", group="物料组")
    assert states(preparing)["team"] == "done"

    # when the project manager ticks the items a person checks
    for key in MANUAL:
        row = readiness.readiness_set(
            campaign=preparing, actor=pm, key=key, checked=True, note="Done in stand-up"
        )
        assert (row.state, row.item.checked_by) == ("done", pm)

    # then nothing is open and the campaign goes live
    assert readiness.readiness_guard(preparing) == []
    campaign_transition(campaign=preparing, actor=pm, action="launch")
    assert status(preparing) == "live"
    ticks = AuditEvent.objects.filter(verb="readiness.checked").order_by("id")
    assert [(event.actor_name, event.object_repr) for event in ticks] == [
        ("pm", "Content per journey stage"),
        ("pm", "Tools and tracking ready"),
        ("pm", "RACI and approval timeline"),
    ]


def test_automatic_items_follow_the_plan(preparing):
    assert states(preparing) == {
        "smart_goals": "done",
        "budget": "done",
        "team": "open",
        "target_audience": "done",
        "journey_content": "open",
        "tools_tracking": "open",
        "raci_timeline": "open",
        "kpis": "done",
    }
    BudgetLine.objects.filter(campaign=preparing, category="contingency").update(amount=1000)
    Goal.objects.filter(campaign=preparing).update(target=None)
    Campaign.objects.filter(pk=preparing.pk).update(target_audience="")

    rows = {row.key: row for row in readiness.evaluate(Campaign.objects.get(pk=preparing.pk))}

    assert rows["budget"].problems == [
        "The contingency reserve is 1.1% of the budget; at least 10% is required."
    ]
    assert rows["smart_goals"].problems == [
        "Goal “Sales” is not SMART: it needs a measurable target and a deadline."
    ]
    assert rows["kpis"].problems == ["Goal “Sales” has no metric or no target."]
    assert rows["target_audience"].problems == ["Describe the target audience or add a persona."]


def test_the_owner_waives_an_item_with_a_reason(preparing, planner):
    with pytest.raises(ValidationFailed) as exc:
        readiness.readiness_set(
            campaign=preparing, actor=planner, key="tools_tracking", waived=True, reason=" "
        )
    assert [error.field for error in exc.value.errors] == ["reason"]
    assert not ReadinessItem.objects.exists()

    row = readiness.readiness_set(
        campaign=preparing, actor=planner, key="tools_tracking", waived=True, reason="QR codes on site"
    )

    assert (row.state, row.item.waived_by, row.item.waiver_reason) == ("waived", planner, "QR codes on site")
    event = AuditEvent.objects.get(verb="readiness.waived")
    assert (event.comment, event.after["waived"]) == ("QR codes on site", True)

    readiness.readiness_set(campaign=preparing, actor=planner, key="tools_tracking", waived=False)
    assert states(preparing)["tools_tracking"] == "open"
    assert AuditEvent.objects.filter(verb="readiness.waiver_lifted").count() == 1


def test_the_owner_may_waive_an_automatic_item_too(preparing, planner):
    readiness.readiness_set(campaign=preparing, actor=planner, key="team", waived=True, reason="Agency staff")

    assert states(preparing)["team"] == "waived"
    assert not any(item.startswith("Team roles") for item in readiness.readiness_guard(preparing))


@pytest.mark.parametrize("persona", ["pm", "dept_head", "manager", "admin_user", "analyst"])
def test_only_the_owner_may_waive(preparing, persona, request):
    user = request.getfixturevalue(persona)
    events = AuditEvent.objects.count()

    with pytest.raises(Forbidden) as exc:
        readiness.readiness_set(
            campaign=preparing, actor=user, key="journey_content", waived=True, reason="x"
        )

    assert exc.value.message == "Only the campaign owner may waive a checklist item."
    assert not ReadinessItem.objects.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [
        ("planner", "ok"),
        ("pm", "ok"),
        ("admin_user", "ok"),
        ("dept_head", "forbidden"),
        ("manager", "forbidden"),
        ("finance", "forbidden"),
        ("analyst", "forbidden"),
        ("outsider", "not_found"),
    ],
)
def test_who_may_tick_an_item(preparing, persona, outcome, request, pm):
    user = request.getfixturevalue(persona)
    call = lambda: readiness.readiness_set(campaign=preparing, actor=user, key="raci_timeline", checked=True)  # noqa: E731

    if outcome == "ok":
        assert call().state == "done"
        return
    with pytest.raises(NotFound if outcome == "not_found" else Forbidden):
        call()
    assert not ReadinessItem.objects.exists()


def test_an_automatic_item_cannot_be_ticked_by_hand(preparing, planner):
    with pytest.raises(ValidationFailed) as exc:
        readiness.readiness_set(campaign=preparing, actor=planner, key="team", checked=True)

    assert exc.value.message == "“Team roles and skills” is checked automatically from the campaign’s data."
    assert not ReadinessItem.objects.exists()


def test_bad_requests_change_nothing(preparing, planner):
    with pytest.raises(NotFound):
        readiness.readiness_set(campaign=preparing, actor=planner, key="astrology", checked=True)
    with pytest.raises(ValidationFailed):
        readiness.readiness_set(campaign=preparing, actor=planner, key="raci_timeline")
    with pytest.raises(ValidationFailed):
        readiness.readiness_set(
            campaign=preparing, actor=planner, key="raci_timeline", checked=True, waived=True, reason="x"
        )
    assert not ReadinessItem.objects.exists()


def test_a_tick_is_taken_back(preparing, pm):
    readiness.readiness_set(campaign=preparing, actor=pm, key="raci_timeline", checked=True)

    row = readiness.readiness_set(campaign=preparing, actor=pm, key="raci_timeline", checked=False)

    assert (row.state, row.item.checked_by, row.item.checked_at) == ("open", None, None)
    assert AuditEvent.objects.filter(verb="readiness.unchecked").count() == 1


def test_the_checklist_closes_at_launch(preparing, planner):
    for row in readiness.evaluate(preparing):
        if row.state == "open":
            readiness.readiness_set(
                campaign=preparing, actor=planner, key=row.key, waived=True, reason="test"
            )
    campaign_transition(campaign=preparing, actor=planner, action="launch")

    with pytest.raises(Conflict) as exc:
        readiness.readiness_set(campaign=preparing, actor=planner, key="raci_timeline", checked=True)

    assert exc.value.code == "checklist_closed"


def test_another_app_adds_an_automatic_check(preparing, planner):
    # given the execution app's check, failing until tasks have owners
    readiness.register_readiness_check(
        "tasks_raci", "Tasks have owners and RACI", lambda campaign: ["3 tasks have no owner"], order=75
    )
    for key in MANUAL:
        readiness.readiness_set(campaign=preparing, actor=planner, key=key, checked=True)
    readiness.readiness_set(campaign=preparing, actor=planner, key="team", waived=True, reason="Agency")

    # when the owner launches
    with pytest.raises(Conflict) as exc:
        campaign_transition(campaign=preparing, actor=planner, action="launch")

    # then launch names it, and the checklist shows it in its place
    assert [error.message for error in exc.value.errors] == [
        "Tasks have owners and RACI (3 tasks have no owner)"
    ]
    assert [row.key for row in readiness.evaluate(preparing)][-2:] == ["tasks_raci", "kpis"]
    assert status(preparing) == "preparing"
