"""GET|POST /api/v1/campaigns and GET|PATCH /api/v1/campaigns/{id}."""

from __future__ import annotations

import datetime as dt

import pytest

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns.models import Campaign, CampaignMember
from tests.factories import CampaignFactory, DepartmentFactory, UserFactory, ready_plan

pytestmark = pytest.mark.django_db
JSON = "application/json"
CAMPAIGN_FIELDS = {
    "id",
    "number",
    "name",
    "department",
    "department_name",
    "status",
    "status_label",
    "stage",
    "revision",
    "approval_level",
    "template",
    "start_date",
    "end_date",
    "planned_on",
    "owner",
    "owner_name",
    "background",
    "target_audience",
    "core_message",
    "theme",
    "format",
    "budget_total",
    "created_at",
    "updated_at",
}


def create(client, **fields):
    return client.post("/api/v1/campaigns", fields, content_type=JSON)


# --- GET /campaigns --------------------------------------------------------------------------------


def test_it_lists_the_campaigns_the_user_may_see(client, campaign, planner, sales):
    # given a Marketing campaign and a Sales campaign
    other = CampaignFactory(department=sales, name="Sales kick-off")
    client.force_login(planner)

    # when the Marketing planner lists campaigns
    response = client.get("/api/v1/campaigns")

    # then they see only Marketing's, with every contract field
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body] == [campaign.pk]
    assert other.pk not in [item["id"] for item in body]
    item = body[0]
    assert set(item) == CAMPAIGN_FIELDS
    assert item["name"] == "Spring tea launch"
    assert item["department"] == campaign.department_id
    assert item["department_name"] == "Marketing"
    assert item["owner"] == planner.pk
    assert item["owner_name"] == "planner"
    assert (item["status"], item["stage"], item["revision"]) == ("draft", "planning", 1)
    assert item["budget_total"] == "100000.00"
    assert (item["start_date"], item["end_date"]) == ("2026-12-01", "2026-12-31")


def test_it_shows_an_outsider_an_empty_list(client, campaign, outsider):
    client.force_login(outsider)

    response = client.get("/api/v1/campaigns")

    assert response.status_code == 200
    assert response.json() == []


def test_it_filters_the_list(client, campaign, planner, marketing):
    # given a second campaign in review, with a different theme, owned by someone else
    colleague = UserFactory(username="colleague", department=marketing)
    in_review = CampaignFactory(
        department=marketing,
        owner=colleague,
        name="Autumn gifts",
        status="in_review",
        start_date=dt.date(2027, 9, 1),
        end_date=dt.date(2027, 9, 30),
    )
    client.force_login(planner)

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/campaigns?{query}")
        assert response.status_code == 200
        return [item["id"] for item in response.json()]

    # then each filter narrows the list
    assert ids("status=in_review") == [in_review.pk]
    assert ids("status=draft,in_review") == [in_review.pk, campaign.pk]
    assert ids("q=autumn") == [in_review.pk]
    assert ids("mine=true") == [campaign.pk]
    assert ids("date_from=2027-01-01") == [in_review.pk]
    assert ids("date_to=2027-01-01") == [campaign.pk]
    assert ids(f"department={marketing.pk}") == [in_review.pk, campaign.pk]
    assert ids("limit=1") == [in_review.pk]
    assert ids("limit=1&offset=1") == [campaign.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=running", "status"),
        ("date_from=yesterday", "date_from"),
        ("department=abc", "department"),
        ("limit=0", "limit"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_it_refuses_bad_filters_with_422(client, campaign, planner, query, field):
    client.force_login(planner)

    response = client.get(f"/api/v1/campaigns?{query}")

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_it_lists_campaigns_in_a_number_of_queries_independent_of_their_count(
    client, planner, marketing, django_assert_max_num_queries
):
    # given three campaigns with budgets and members
    for _ in range(3):
        ready_plan(CampaignFactory(department=marketing, owner=planner))
    client.force_login(planner)

    # then listing them costs a fixed number of queries (session, user, roles, campaigns)
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/campaigns")
    assert len(response.json()) == 3

    # and stays the same with ten more, owned by different people
    for _ in range(10):
        ready_plan(CampaignFactory(department=marketing))
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/campaigns")
    assert len(response.json()) == 13
    assert {item["budget_total"] for item in response.json()} == {"100000.00"}


# --- POST /campaigns --------------------------------------------------------------------------------


def test_it_creates_a_blank_draft(client, planner, marketing):
    client.force_login(planner)

    response = create(
        client,
        name="  Summer picnic  ",
        department=marketing.pk,
        budget_total="5000.00",
        start_date="2027-06-01",
        end_date="2027-06-30",
        core_message="Tea outdoors",
    )

    assert response.status_code == 201
    body = response.json()
    campaign = Campaign.objects.get(pk=body["id"])
    assert body["name"] == campaign.name == "Summer picnic"
    assert body["status"] == "draft"
    assert body["template"] == ""
    assert body["budget_total"] == "0.00"
    assert body["core_message"] == "Tea outdoors"
    assert body["allowed_actions"] == ["submit", "cancel"]
    assert (campaign.owner, campaign.created_by, campaign.department) == (planner, planner, marketing)
    assert CampaignMember.objects.get(campaign=campaign).role == "owner"
    assert AuditEvent.objects.filter(verb="campaign.created", object_id=str(campaign.pk)).count() == 1


def test_it_refuses_an_unknown_template(client, planner, marketing):
    client.force_login(planner)

    response = create(client, name="Spring", department=marketing.pk, template="black_friday")

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["template"]
    assert "black_friday" in response.json()["detail"]
    assert Campaign.objects.count() == 0


def test_it_refuses_an_unknown_department(client, planner):
    client.force_login(planner)

    response = create(client, name="Spring", department=987654)

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "department", "message": "Unknown department."}]
    assert Campaign.objects.count() == 0


def test_it_refuses_a_department_id_too_large_for_the_database(client, planner):
    client.force_login(planner)

    response = create(client, name="Spring", department=2**70)

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["department"]


def test_it_forbids_creating_for_another_department(client, planner, sales):
    client.force_login(planner)

    response = create(client, name="Spring", department=sales.pk)

    assert response.status_code == 403
    assert Campaign.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "x" * 201}, "name"),
        ({"name": "   "}, "name"),
        ({"start_date": "2027-06-30", "end_date": "2027-06-01"}, "end_date"),
        ({"budget_total": "-1"}, "budget_total"),
        ({"budget_total": "lots"}, "budget_total"),
        ({"background": "x" * 5001}, "background"),
        ({"start_date": "2027-02-30"}, "start_date"),
        ({"name": "Spring\x00"}, "name"),
        ({"template": "new_product_launch", "start_date": "9999-12-20"}, "start_date"),
    ],
)
def test_it_refuses_invalid_input_with_the_field_named(client, planner, marketing, fields, field):
    client.force_login(planner)

    response = create(client, **({"name": "Spring", "department": marketing.pk} | fields))

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert Campaign.objects.count() == 0


def test_it_refuses_a_body_that_is_not_json(client, planner):
    client.force_login(planner)

    response = client.post("/api/v1/campaigns", "{name:", content_type=JSON)

    assert response.status_code == 400
    assert Campaign.objects.count() == 0


def test_it_lets_an_admin_create_for_any_department(client, admin_user, sales):
    client.force_login(admin_user)

    response = create(client, name="Sales kick-off", department=sales.pk)

    assert response.status_code == 201
    assert Campaign.objects.get().department == sales


# --- GET /campaigns/{id} ---------------------------------------------------------------------------


def test_it_shows_one_campaign_with_the_actions_the_user_may_take(client, campaign, planner, dept_head):
    client.force_login(planner)

    response = client.get(f"/api/v1/campaigns/{campaign.pk}")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == CAMPAIGN_FIELDS | {"allowed_actions", "cancel_reason"}
    assert body["id"] == campaign.pk
    assert body["allowed_actions"] == ["submit", "cancel"]

    client.force_login(dept_head)
    assert client.get(f"/api/v1/campaigns/{campaign.pk}").json()["allowed_actions"] == ["cancel"]


@pytest.mark.parametrize("persona", ["finance", "analyst", "dept_head", "manager", "admin_user"])
def test_it_shows_the_campaign_to_readers(client, campaign, persona, request):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(f"/api/v1/campaigns/{campaign.pk}")

    assert response.status_code == 200
    assert response.json()["id"] == campaign.pk


def test_it_answers_404_to_an_outsider(client, campaign, outsider):
    client.force_login(outsider)

    response = client.get(f"/api/v1/campaigns/{campaign.pk}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Campaign not found.", "code": "not_found", "errors": []}


@pytest.mark.parametrize("campaign_id", ["987654", str(2**70)])
def test_it_answers_404_for_a_missing_campaign(client, campaign, planner, campaign_id):
    client.force_login(planner)

    response = client.get(f"/api/v1/campaigns/{campaign_id}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- PATCH /campaigns/{id} -------------------------------------------------------------------------


def test_it_changes_only_the_fields_sent(client, campaign, planner):
    client.force_login(planner)

    response = client.patch(
        f"/api/v1/campaigns/{campaign.pk}",
        {"theme": "Tea for two", "end_date": "2027-01-15"},
        content_type=JSON,
    )

    assert response.status_code == 200
    assert (response.json()["theme"], response.json()["end_date"]) == ("Tea for two", "2027-01-15")
    campaign.refresh_from_db()
    assert campaign.theme == "Tea for two"
    assert campaign.end_date == dt.date(2027, 1, 15)
    assert campaign.core_message == "Fresh tea, fresh start"
    event = AuditEvent.objects.get(verb="campaign.updated")
    assert event.before == {"theme": "Spring tea festival", "end_date": "2026-12-31"}
    assert event.after == {"theme": "Tea for two", "end_date": "2027-01-15"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"end_date": "2026-11-01"}, "end_date"),
        ({"name": "x" * 201}, "name"),
        ({"name": None}, "name"),
        ({"core_message": "x" * 1001}, "core_message"),
    ],
)
def test_it_refuses_an_invalid_change_and_keeps_the_plan(client, campaign, planner, fields, field):
    client.force_login(planner)

    response = client.patch(f"/api/v1/campaigns/{campaign.pk}", fields, content_type=JSON)

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    campaign.refresh_from_db()
    assert (campaign.name, campaign.end_date) == ("Spring tea launch", dt.date(2026, 12, 31))
    assert not AuditEvent.objects.filter(verb="campaign.updated").exists()


def test_it_ignores_read_only_fields(client, campaign, planner):
    client.force_login(planner)

    response = client.patch(
        f"/api/v1/campaigns/{campaign.pk}", {"status": "approved", "number": "MC-1"}, content_type=JSON
    )

    # status and number change only through actions; the schema drops them
    assert response.status_code == 200
    campaign.refresh_from_db()
    assert (campaign.status, campaign.number) == ("draft", None)


def test_it_forbids_a_member_without_rights_to_change_the_plan(client, campaign, sales):
    # given a team member from another department with the plain member role
    helper = UserFactory(username="helper", department=sales)
    CampaignMember.objects.create(campaign=campaign, user=helper, role="member")
    client.force_login(helper)

    # when they change the name
    response = client.patch(f"/api/v1/campaigns/{campaign.pk}", {"name": "Mine now"}, content_type=JSON)

    # then 403 and the plan is unchanged
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    campaign.refresh_from_db()
    assert campaign.name == "Spring tea launch"


def test_it_forbids_an_org_wide_reader_to_change_the_plan(client, campaign, analyst):
    client.force_login(analyst)

    response = client.patch(f"/api/v1/campaigns/{campaign.pk}", {"name": "Mine now"}, content_type=JSON)

    assert response.status_code == 403
    campaign.refresh_from_db()
    assert campaign.name == "Spring tea launch"


def test_it_answers_404_to_an_outsider_changing_the_plan(client, campaign, outsider):
    client.force_login(outsider)

    response = client.patch(f"/api/v1/campaigns/{campaign.pk}", {"name": "Mine now"}, content_type=JSON)

    assert response.status_code == 404
    campaign.refresh_from_db()
    assert campaign.name == "Spring tea launch"


def test_it_refuses_changes_once_submitted(client, campaign, planner):
    client.force_login(planner)
    client.post(f"/api/v1/campaigns/{campaign.pk}/submit", content_type=JSON)

    response = client.patch(f"/api/v1/campaigns/{campaign.pk}", {"name": "Late change"}, content_type=JSON)

    assert response.status_code == 409
    assert response.json()["code"] == "not_editable"
    campaign.refresh_from_db()
    assert campaign.name == "Spring tea launch"


def test_it_keeps_departments_apart_for_department_heads(client, campaign, sales):
    # given the head of Sales
    sales_head = UserFactory(username="sales_head", department=sales, roles=["department_head"])
    client.force_login(sales_head)

    # then Marketing's campaign is invisible to them
    assert client.get(f"/api/v1/campaigns/{campaign.pk}").status_code == 404
    assert client.get("/api/v1/campaigns").json() == []


def test_it_shows_a_member_from_another_department_the_campaign(client, campaign):
    guest = UserFactory(username="guest", department=DepartmentFactory(name="Design", code="design"))
    CampaignMember.objects.create(campaign=campaign, user=guest, role="viewer")
    client.force_login(guest)

    response = client.get(f"/api/v1/campaigns/{campaign.pk}")

    assert response.status_code == 200
    assert response.json()["allowed_actions"] == []
