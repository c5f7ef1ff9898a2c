"""Accounts through the API: health, tokens, /me, OpenAPI, and the admin-only departments and users."""

from __future__ import annotations

import pytest

from campaignflow.accounts.models import ApiToken, Department, User
from campaignflow.audit.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
JSON = "application/json"


def token_for(client, username: str, password: str = PASSWORD):
    return client.post("/api/v1/auth/token", {"username": username, "password": password}, content_type=JSON)


# --- public routes -----------------------------------------------------------------------------------


def test_it_answers_health_without_authentication(client):
    response = client.get("/api/v1/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_it_renders_the_openapi_document_with_the_campaign_paths(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/campaigns",
        "/api/v1/campaigns/{campaign_id}",
        "/api/v1/campaigns/{campaign_id}/submit",
        "/api/v1/campaigns/{campaign_id}/start-preparation",
        "/api/v1/campaigns/{campaign_id}/goals",
        "/api/v1/campaigns/{campaign_id}/budget-lines",
        "/api/v1/campaigns/{campaign_id}/approvals",
        "/api/v1/campaigns/{campaign_id}/audit",
        "/api/v1/budget-lines/{item_id}",
        "/api/v1/templates",
        "/api/v1/channels",
        "/api/v1/auth/token",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/campaigns"]) == {"get", "post"}
    assert set(paths["/api/v1/campaigns/{campaign_id}"]) == {"get", "patch"}
    assert set(paths["/api/v1/budget-lines/{item_id}"]) == {"get", "patch", "delete"}
    operation_ids = [op["operationId"] for ops in paths.values() for op in ops.values()]
    assert len(operation_ids) == len(set(operation_ids))


def test_it_serves_the_interactive_docs(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200


# --- tokens ------------------------------------------------------------------------------------------


def test_it_issues_a_token_that_authenticates(client, planner):
    # when the planner exchanges their password for a token
    response = token_for(client, "planner")

    # then the token works as a bearer token and only its hash is stored
    assert response.status_code == 200
    raw = response.json()["token"]
    token = ApiToken.objects.get(user=planner)
    assert response.json()["prefix"] == token.prefix
    assert raw not in (token.key_hash, token.prefix)
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert me.status_code == 200
    assert (me.json()["username"], me.json()["roles"]) == ("planner", ["member"])


def test_it_answers_a_wrong_password_and_an_unknown_user_alike(client, planner):
    # when someone tries a wrong password for a real user, and any password for a missing one
    wrong_password = token_for(client, "planner", "not-the-password")
    unknown_user = token_for(client, "nobody", PASSWORD)

    # then both get the same 401, and no token exists
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert (
        wrong_password.json()
        == unknown_user.json()
        == {
            "detail": "Invalid username or password.",
            "code": "invalid_credentials",
            "errors": [],
        }
    )
    assert not ApiToken.objects.exists()


def test_it_refuses_a_token_to_a_deactivated_user(client, planner):
    planner.is_active = False
    planner.save()

    response = token_for(client, "planner")

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()


def test_it_refuses_an_oversized_password_with_422(client, planner):
    response = token_for(client, "planner", "x" * 5000)

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["password"]


def test_it_requires_authentication_for_me(client):
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required.", "code": "unauthenticated", "errors": []}


# --- departments -------------------------------------------------------------------------------------


def test_it_lets_an_admin_create_a_department(client, admin_user):
    client.force_login(admin_user)

    response = client.post("/api/v1/departments", {"name": "Brand", "code": "brand"}, content_type=JSON)

    assert response.status_code == 201
    department = Department.objects.get(code="brand")
    assert response.json() == {"id": department.pk, "name": "Brand", "code": "brand"}
    assert AuditEvent.objects.filter(verb="department.created", actor=admin_user).count() == 1


def test_it_forbids_a_planner_to_create_a_department(client, planner):
    client.force_login(planner)
    count_before = Department.objects.count()

    response = client.post("/api/v1/departments", {"name": "Brand"}, content_type=JSON)

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert Department.objects.count() == count_before


def test_it_refuses_a_duplicate_department(client, admin_user, marketing):
    client.force_login(admin_user)

    response = client.post("/api/v1/departments", {"name": "Marketing"}, content_type=JSON)

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["name"]


def test_it_lists_departments_to_anyone_signed_in(client, planner, sales):
    client.force_login(planner)

    response = client.get("/api/v1/departments")

    assert response.status_code == 200
    assert [d["name"] for d in response.json()] == ["Marketing", "Sales"]


# --- users -------------------------------------------------------------------------------------------


def test_it_lets_an_admin_create_a_user(client, admin_user, marketing):
    client.force_login(admin_user)

    response = client.post(
        "/api/v1/users",
        {
            "username": "newbie",
            "password": "Tea-ceremony-2026",
            "department": marketing.pk,
            "roles": ["member", "data_analyst"],
            "display_name": "New Bie",
        },
        content_type=JSON,
    )

    assert response.status_code == 201
    user = User.objects.get(username="newbie")
    assert response.json() == {
        "id": user.pk,
        "username": "newbie",
        "display_name": "New Bie",
        "email": "",
        "department": marketing.pk,
        "roles": ["data_analyst", "member"],
        "is_active": True,
    }
    assert user.check_password("Tea-ceremony-2026")
    assert token_for(client, "newbie", "Tea-ceremony-2026").status_code == 200


def test_it_forbids_a_planner_to_create_a_user(client, planner, marketing):
    client.force_login(planner)

    response = client.post(
        "/api/v1/users",
        {
            "username": "sneaky",
            "password": "Tea-ceremony-2026",
            "department": marketing.pk,
            "roles": ["admin"],
        },
        content_type=JSON,
    )

    assert response.status_code == 403
    assert not User.objects.filter(username="sneaky").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": "123"}, "password"),
        ({"password": "password"}, "password"),
        ({"roles": ["wizard"]}, "roles"),
        ({"department": 987654}, "department"),
        ({"username": "planner"}, "username"),
        ({"username": "x" * 151}, "username"),
    ],
)
def test_it_refuses_an_invalid_user(client, admin_user, planner, marketing, body, field):
    client.force_login(admin_user)
    users_before = User.objects.count()

    response = client.post(
        "/api/v1/users",
        {"username": "newbie", "password": "Tea-ceremony-2026", "department": marketing.pk} | body,
        content_type=JSON,
    )

    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} == {field}
    assert User.objects.count() == users_before


def test_it_lists_users_to_anyone_signed_in(client, planner, dept_head):
    client.force_login(planner)

    response = client.get("/api/v1/users")

    assert response.status_code == 200
    assert [u["username"] for u in response.json()] == ["dept_head", "planner"]
