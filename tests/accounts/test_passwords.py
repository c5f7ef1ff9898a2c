"""The configured password validators apply wherever the product sets a password."""

from __future__ import annotations

import pytest
from django.conf import settings

from campaignflow.accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(admin_user):
    """The administrator as the product makes one (services.user_create): staff and superuser."""
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    return admin_user


def test_the_validators_are_configured():
    names = {validator["NAME"].rsplit(".", 1)[-1] for validator in settings.AUTH_PASSWORD_VALIDATORS}

    assert names == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1-xyz", "This password is too short."),
        ("password123", "This password is too common."),
        ("4815162342987", "This password is entirely numeric."),
        ("newcomer-2026", "The password is too similar to the username."),
    ],
)
def test_the_admin_cannot_create_a_user_with_a_weak_password(client, admin_user, password, message):
    client.force_login(admin_user)

    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newcomer-2026",
            "password1": password,
            "password2": password,
            "usable_password": "true",
        },
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(username="newcomer-2026").exists()


def test_the_admin_cannot_set_a_weak_password(client, admin_user, planner):
    client.force_login(admin_user)

    response = client.post(
        f"/admin/accounts/user/{planner.pk}/password/",
        {"password1": "12345678", "password2": "12345678", "usable_password": "true"},
    )

    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    planner.refresh_from_db()
    assert planner.check_password(PASSWORD)


def test_the_admin_sets_a_strong_password(client, admin_user, planner):
    client.force_login(admin_user)

    response = client.post(
        f"/admin/accounts/user/{planner.pk}/password/",
        {"password1": "Oolong-harvest-2027", "password2": "Oolong-harvest-2027", "usable_password": "true"},
    )

    assert response.status_code == 302
    planner.refresh_from_db()
    assert planner.check_password("Oolong-harvest-2027")


def test_the_api_refuses_a_weak_password_naming_every_reason(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        "/api/v1/users", {"username": "newbie", "password": "1234"}, content_type="application/json"
    )

    assert response.status_code == 422
    messages = [e["message"] for e in response.json()["errors"] if e["field"] == "password"]
    assert "This password is too short. It must contain at least 8 characters." in messages
    assert "This password is entirely numeric." in messages
    assert not User.objects.filter(username="newbie").exists()
