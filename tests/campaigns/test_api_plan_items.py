"""The plan's parts through the API: goals, budget lines, risks, milestones, personas and the brief.

GET|POST /api/v1/campaigns/{id}/<kind> and GET|PATCH|DELETE /api/v1/<kind>/{id}.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns.models import (
    BudgetLine,
    CampaignMember,
    Goal,
    Milestone,
    Persona,
    RequirementsBrief,
    Risk,
)
from tests.factories import CampaignFactory, ChannelFactory, UserFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def post(client, url: str, body: dict):
    return client.post(url, body, content_type=JSON)


def patch(client, url: str, body: dict):
    return client.patch(url, body, content_type=JSON)


def item_url(kind: str, item) -> str:
    return f"/api/v1/{kind}/{item.pk}"


def first_item(campaign, kind: str):
    model = {"goals": Goal, "budget-lines": BudgetLine, "risks": Risk, "milestones": Milestone}[kind]
    return model.objects.filter(campaign=campaign).order_by("id").first()


# --- goals ----------------------------------------------------------------------------------------


def test_it_lists_goals_with_the_contract_fields(client, campaign, planner):
    client.force_login(planner)

    response = client.get(f"/api/v1/campaigns/{campaign.pk}/goals")

    assert response.status_code == 200
    goal = Goal.objects.get(campaign=campaign)
    assert response.json() == [
        {
            "id": goal.pk,
            "campaign": campaign.pk,
            "metric": "revenue",
            "name": "Sales",
            "baseline": None,
            "target": "1000000",
            "unit": "CNY",
            "direction": "higher",
            "deadline": "2026-12-31",
            "parent": None,
            "owner": None,
            "owner_name": None,
            "is_smart": True,
        }
    ]


def test_it_adds_a_goal_that_decomposes_another(client, campaign, planner):
    client.force_login(planner)
    parent = Goal.objects.get(campaign=campaign)

    response = post(
        client,
        f"/api/v1/campaigns/{campaign.pk}/goals",
        {
            "metric": "new_users",
            "name": "New members",
            "baseline": "1200",
            "target": "5000.5",
            "unit": "users",
            "deadline": "2026-12-20",
            "parent": parent.pk,
            "owner": planner.pk,
        },
    )

    assert response.status_code == 201
    body = response.json()
    goal = Goal.objects.get(pk=body["id"])
    assert (body["baseline"], body["target"]) == ("1200", "5000.5")
    assert (body["parent"], body["owner"], body["owner_name"]) == (parent.pk, planner.pk, "planner")
    assert body["is_smart"] is True
    assert (goal.parent, goal.owner, goal.target) == (parent, planner, Decimal("5000.5"))
    assert AuditEvent.objects.filter(verb="goal.created", object_id=str(goal.pk)).count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"owner": 987654}, "owner"),
        ({"target": "a lot"}, "target"),
        ({"target": "1.00001"}, "target"),
        ({"metric": "x" * 61}, "metric"),
        ({"direction": "sideways"}, "direction"),
        ({"deadline": "soon"}, "deadline"),
        ({"metric": ""}, "metric"),
    ],
)
def test_it_refuses_an_invalid_goal(client, campaign, planner, fields, field):
    client.force_login(planner)

    response = post(client, f"/api/v1/campaigns/{campaign.pk}/goals", {"metric": "leads"} | fields)

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert Goal.objects.filter(campaign=campaign).count() == 1


def test_it_refuses_a_parent_goal_of_another_campaign(client, campaign, planner, marketing):
    foreign = Goal.objects.create(campaign=CampaignFactory(department=marketing), metric="leads")
    client.force_login(planner)

    response = post(
        client, f"/api/v1/campaigns/{campaign.pk}/goals", {"metric": "mqls", "parent": foreign.pk}
    )

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["parent"]
    assert Goal.objects.filter(campaign=campaign).count() == 1


def test_it_refuses_a_goal_that_is_its_own_ancestor(client, campaign, planner):
    goal = Goal.objects.get(campaign=campaign)
    child = Goal.objects.create(campaign=campaign, metric="orders", parent=goal)
    client.force_login(planner)

    response = patch(client, item_url("goals", goal), {"parent": child.pk})

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "parent", "message": "A goal cannot be its own ancestor."}]
    goal.refresh_from_db()
    assert goal.parent is None


def test_it_changes_a_goal_and_clears_its_owner(client, campaign, planner):
    goal = Goal.objects.get(campaign=campaign)
    goal.owner = planner
    goal.save()
    client.force_login(planner)

    response = patch(client, item_url("goals", goal), {"target": "2000000", "owner": None})

    assert response.status_code == 200
    assert (response.json()["target"], response.json()["owner"]) == ("2000000", None)
    goal.refresh_from_db()
    assert (goal.target, goal.owner, goal.metric) == (Decimal("2000000"), None, "revenue")


# --- budget lines ----------------------------------------------------------------------------------


def test_it_adds_a_budget_line_for_a_channel(client, campaign, planner):
    channel = ChannelFactory(name="Douyin", kind="paid_social")
    client.force_login(planner)

    response = post(
        client,
        f"/api/v1/campaigns/{campaign.pk}/budget-lines",
        {"category": "promotion", "channel": channel.pk, "amount": 12000.5, "note": "KOL package"},
    )

    assert response.status_code == 201
    line = BudgetLine.objects.get(pk=response.json()["id"])
    assert response.json() == {
        "id": line.pk,
        "campaign": campaign.pk,
        "category": "promotion",
        "category_label": "Promotion",
        "label": "",
        "channel": channel.pk,
        "channel_name": "Douyin",
        "amount": "12000.50",
        "note": "KOL package",
    }
    assert (line.channel, line.amount) == (channel, Decimal("12000.50"))
    assert client.get(f"/api/v1/campaigns/{campaign.pk}").json()["budget_total"] == "112000.50"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": -0.01}, "amount"),
        ({"amount": "ten thousand"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "Infinity"}, "amount"),
        ({"amount": "10.005"}, "amount"),
        ({"amount": "1" * 13}, "amount"),
        ({"category": "promotion"}, "category"),  # there is already a promotion line
        ({"category": "snacks"}, "category"),
        ({"category": "custom"}, "label"),  # a custom line needs a label
        ({"channel": 987654}, "channel"),
        ({"note": "x" * 301}, "note"),
    ],
)
def test_it_refuses_an_invalid_budget_line(client, campaign, planner, fields, field):
    client.force_login(planner)

    response = post(
        client,
        f"/api/v1/campaigns/{campaign.pk}/budget-lines",
        {"category": "materials", "amount": "100.00"} | fields,
    )

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert BudgetLine.objects.filter(campaign=campaign).count() == 2


def test_it_names_the_duplicate_category(client, campaign, planner):
    client.force_login(planner)

    response = post(
        client, f"/api/v1/campaigns/{campaign.pk}/budget-lines", {"category": "contingency", "amount": "1"}
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "category",
            "message": "There is already a “Contingency reserve” line; change that line instead.",
        }
    ]


def test_it_refuses_a_negative_amount_on_change(client, campaign, planner):
    line = BudgetLine.objects.get(campaign=campaign, category="promotion")
    client.force_login(planner)

    response = patch(client, item_url("budget-lines", line), {"amount": "-500"})

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["amount"]
    line.refresh_from_db()
    assert line.amount == Decimal("90000.00")


def test_it_deletes_a_budget_line(client, campaign, planner):
    line = BudgetLine.objects.get(campaign=campaign, category="promotion")
    client.force_login(planner)

    response = client.delete(item_url("budget-lines", line))

    assert response.status_code == 204
    assert response.content == b""
    assert not BudgetLine.objects.filter(pk=line.pk).exists()
    event = AuditEvent.objects.get(verb="budgetline.deleted")
    assert event.before["amount"] == "90000.00"


# --- risks, milestones, personas ------------------------------------------------------------------------


def test_it_adds_a_risk_with_its_score(client, campaign, planner):
    client.force_login(planner)

    response = post(
        client,
        f"/api/v1/campaigns/{campaign.pk}/risks",
        {
            "category": "weather",
            "description": "Typhoon season",
            "probability": 4,
            "impact": 5,
            "response": "Move the pop-up indoors",
            "owner": planner.pk,
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["score"], body["status"], body["owner"]) == (20, "open", planner.pk)
    assert set(body) == {
        "id", "campaign", "category", "description", "probability", "impact", "score",
        "response", "owner", "owner_name", "status",
    }  # fmt: skip
    assert Risk.objects.get(pk=body["id"]).description == "Typhoon season"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"probability": 6}, "probability"),
        ({"impact": 0}, "impact"),
        ({"description": "x" * 2001}, "description"),
        ({"status": "forgotten"}, "status"),
    ],
)
def test_it_refuses_an_invalid_risk(client, campaign, planner, fields, field):
    client.force_login(planner)

    response = post(client, f"/api/v1/campaigns/{campaign.pk}/risks", {"description": "Rain"} | fields)

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert Risk.objects.filter(campaign=campaign).count() == 1


def test_it_moves_a_milestone(client, campaign, planner):
    milestone = Milestone.objects.get(campaign=campaign)
    client.force_login(planner)

    response = patch(
        client, item_url("milestones", milestone), {"date": "2026-12-02", "note": "Delayed a day"}
    )

    assert response.status_code == 200
    assert response.json() == {
        "id": milestone.pk,
        "campaign": campaign.pk,
        "name": "Launch",
        "date": "2026-12-02",
        "note": "Delayed a day",
    }
    milestone.refresh_from_db()
    assert milestone.date == dt.date(2026, 12, 2)


def test_it_requires_a_milestone_date(client, campaign, planner):
    client.force_login(planner)

    response = post(client, f"/api/v1/campaigns/{campaign.pk}/milestones", {"name": "Teaser"})

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["date"]


def test_it_adds_and_lists_personas(client, campaign, planner):
    client.force_login(planner)

    created = post(
        client,
        f"/api/v1/campaigns/{campaign.pk}/personas",
        {"name": "Tea lovers", "age_min": 25, "age_max": 40, "gender": "female", "interests": "tea, travel"},
    )
    listed = client.get(f"/api/v1/campaigns/{campaign.pk}/personas")

    assert created.status_code == 201
    assert listed.status_code == 200
    assert listed.json() == [created.json()]
    assert created.json()["gender"] == "female"
    assert Persona.objects.get(campaign=campaign).interests == "tea, travel"


def test_it_refuses_a_persona_whose_ages_are_reversed(client, campaign, planner):
    client.force_login(planner)

    response = post(
        client, f"/api/v1/campaigns/{campaign.pk}/personas", {"name": "Odd", "age_min": 40, "age_max": 20}
    )

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["age_max"]
    assert not Persona.objects.exists()


# --- brief -------------------------------------------------------------------------------------------


def test_it_reads_and_writes_the_brief(client, campaign, planner):
    client.force_login(planner)

    empty = client.get(f"/api/v1/campaigns/{campaign.pk}/brief")
    written = patch(
        client,
        f"/api/v1/campaigns/{campaign.pk}/brief",
        {"requested_by": "Sales", "key_dates": "Launch on 1 December"},
    )

    assert empty.status_code == 200
    assert empty.json()["requested_by"] == ""
    assert written.status_code == 200
    assert written.json() == {
        "campaign": campaign.pk,
        "requested_by": "Sales",
        "collection_method": "",
        "business_need": "",
        "objectives": "",
        "target_audience": "",
        "core_message": "",
        "key_dates": "Launch on 1 December",
        "constraints": "",
    }
    brief = RequirementsBrief.objects.get(campaign=campaign)
    assert (brief.requested_by, brief.key_dates) == ("Sales", "Launch on 1 December")


def test_it_refuses_an_oversized_brief(client, campaign, planner):
    client.force_login(planner)

    response = patch(client, f"/api/v1/campaigns/{campaign.pk}/brief", {"objectives": "x" * 5001})

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["objectives"]
    assert not RequirementsBrief.objects.filter(campaign=campaign).exclude(objectives="").exists()


def test_it_hides_the_brief_from_an_outsider(client, campaign, outsider):
    client.force_login(outsider)

    assert client.get(f"/api/v1/campaigns/{campaign.pk}/brief").status_code == 404
    assert patch(client, f"/api/v1/campaigns/{campaign.pk}/brief", {"objectives": "Mine"}).status_code == 404
    assert not RequirementsBrief.objects.filter(objectives="Mine").exists()


# --- who may ----------------------------------------------------------------------------------------

KINDS = ["goals", "budget-lines", "risks", "milestones"]
VALID = {
    "goals": {"metric": "leads", "target": "100"},
    "budget-lines": {"category": "materials", "amount": "100.00"},
    "risks": {"description": "Stock runs out"},
    "milestones": {"name": "Teaser", "date": "2026-11-28"},
}


@pytest.mark.parametrize("kind", KINDS)
def test_it_answers_404_to_an_outsider_on_items(client, campaign, outsider, kind):
    # given an item of a Marketing campaign and a Sales member
    item = first_item(campaign, kind)
    client.force_login(outsider)
    items_before = type(item).objects.filter(campaign=campaign).count()
    events_before = AuditEvent.objects.count()

    # then every route about it looks as if it did not exist
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/{kind}").status_code == 404
    assert post(client, f"/api/v1/campaigns/{campaign.pk}/{kind}", VALID[kind]).status_code == 404
    assert client.get(item_url(kind, item)).status_code == 404
    assert patch(client, item_url(kind, item), {"note": "hacked"}).status_code == 404
    response = client.delete(item_url(kind, item))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"

    # and nothing changed
    assert type(item).objects.filter(pk=item.pk).exists()
    assert type(item).objects.filter(campaign=campaign).count() == items_before
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize("kind", KINDS)
def test_it_answers_404_for_a_missing_item(client, campaign, planner, kind):
    client.force_login(planner)

    response = client.get(f"/api/v1/{kind}/987654")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("kind", KINDS)
def test_it_adds_each_kind_of_item_for_the_planner(client, campaign, planner, kind):
    client.force_login(planner)
    count_before = type(first_item(campaign, kind)).objects.filter(campaign=campaign).count()

    response = post(client, f"/api/v1/campaigns/{campaign.pk}/{kind}", VALID[kind])

    assert response.status_code == 201
    assert response.json()["campaign"] == campaign.pk
    assert type(first_item(campaign, kind)).objects.filter(campaign=campaign).count() == count_before + 1


@pytest.mark.parametrize("kind", KINDS)
def test_it_lets_an_org_wide_reader_read_but_not_write(client, campaign, finance, kind):
    item = first_item(campaign, kind)
    client.force_login(finance)

    assert client.get(f"/api/v1/campaigns/{campaign.pk}/{kind}").status_code == 200
    assert client.get(item_url(kind, item)).json()["id"] == item.pk
    assert client.delete(item_url(kind, item)).status_code == 403
    assert type(item).objects.filter(pk=item.pk).exists()


def test_it_forbids_a_member_without_rights_to_change_items(client, campaign, marketing):
    # given a colleague on the team with the plain member role
    colleague = UserFactory(username="colleague", department=marketing)
    CampaignMember.objects.create(campaign=campaign, user=colleague, role="member")
    line = BudgetLine.objects.get(campaign=campaign, category="promotion")
    client.force_login(colleague)

    # when they add a goal and raise a budget line
    added = post(client, f"/api/v1/campaigns/{campaign.pk}/goals", {"metric": "leads", "target": "10"})
    raised = patch(client, item_url("budget-lines", line), {"amount": "999999"})

    # then both are refused and nothing changed
    assert (added.status_code, raised.status_code) == (403, 403)
    assert Goal.objects.filter(campaign=campaign).count() == 1
    line.refresh_from_db()
    assert line.amount == Decimal("90000.00")


def test_it_refuses_item_changes_once_submitted(client, campaign, planner):
    client.force_login(planner)
    client.post(f"/api/v1/campaigns/{campaign.pk}/submit", content_type=JSON)
    milestone = Milestone.objects.get(campaign=campaign)

    created = post(
        client, f"/api/v1/campaigns/{campaign.pk}/milestones", {"name": "Teaser", "date": "2026-11-28"}
    )
    deleted = client.delete(item_url("milestones", milestone))

    assert (created.status_code, deleted.status_code) == (409, 409)
    assert created.json()["code"] == "not_editable"
    assert list(Milestone.objects.filter(campaign=campaign)) == [milestone]
