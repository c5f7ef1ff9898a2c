"""JSON that has the wrong shape for a request body, found by fuzzing the API (tests/fuzz).

A body that is an array, a string, a number or null where an object is expected; a number where a
date or a flag is expected; a date-time far in the past; a department name whose code collides
once cut to its column; a write to an unknown /api/ path. Each is a 4xx in the API's error shape.
"""

from __future__ import annotations

import pytest

from campaignflow.accounts.models import Department
from campaignflow.links.models import LinkSettings

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.mark.parametrize("body", ["[]", "[null, null]", '"x"', "1", "true", "null"])
def test_a_body_that_is_not_an_object_is_refused(client, admin_user, body):
    client.force_login(admin_user)
    before = LinkSettings.current().lowercase

    response = client.patch("/api/v1/link-settings", body, content_type=JSON)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"
    assert LinkSettings.current().lowercase == before


def test_an_optional_body_may_still_be_left_out_or_null(client, planner, campaign):
    client.force_login(planner)

    response = client.post(f"/api/v1/campaigns/{campaign.pk}/submit", "null", content_type=JSON)

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lowercase", 0, "Value error, Enter true or false, not a number."),
        ("lowercase", 1.0, "Value error, Enter true or false, not a number."),
    ],
)
def test_a_number_is_not_a_flag(client, admin_user, field, value, message):
    client.force_login(admin_user)

    response = client.patch("/api/v1/link-settings", {field: value}, content_type=JSON)

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": field, "message": message}]


@pytest.mark.parametrize("value", [0, "0", "1700000000", 1e10])
def test_a_number_is_not_a_date(client, planner, value):
    client.force_login(planner)

    response = client.get("/api/v1/campaigns", {"date_to": value})

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "date_to", "message": "Value error, Enter dates as text (YYYY-MM-DD), not as a number."}
    ]


def test_a_date_time_outside_the_plausible_range_is_refused_not_compared_with_a_date(
    client, planner, campaign
):
    client.force_login(planner)
    body = {
        "kind": "issue",
        "at": "0001-01-01T00:00:00Z",
        "description": "Rain",
        "handling": "",
        "result": "",
    }

    response = client.post(f"/api/v1/campaigns/{campaign.pk}/log", body, content_type=JSON)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "at", "message": "Value error, Enter a date between 1900-01-01 and 2999-12-31."}
    ]


def test_two_long_department_names_alike_in_their_first_30_characters_are_told_apart(client, admin_user):
    client.force_login(admin_user)
    first = client.post("/api/v1/departments", {"name": "0" * 100}, content_type=JSON)

    second = client.post("/api/v1/departments", {"name": "0" * 99}, content_type=JSON)

    assert first.status_code == 201 and first.json()["code"] == "0" * 30
    assert second.status_code == 422
    assert second.json()["errors"] == [
        {"field": "code", "message": "A department with this code already exists."}
    ]
    assert Department.objects.filter(code__startswith="000").count() == 1


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_to_an_unknown_api_path_is_a_json_404_not_a_csrf_page(admin_user, method):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    response = getattr(client, method)("/api/v1/metrics/null,null", "{}", content_type=JSON)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found", "errors": []}
