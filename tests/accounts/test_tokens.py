"""API tokens: only a SHA-256 is stored, they can be listed and revoked, last use is recorded."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.utils import timezone

from campaignflow.accounts import services
from campaignflow.accounts.models import ApiToken
from campaignflow.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_only_the_sha256_of_a_token_is_stored(planner):
    token, raw = services.token_issue(user=planner, name="laptop")

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken WHERE id = %s", [token.pk])
        row = cursor.fetchone()

    assert raw.startswith("cf_") and len(raw) > 40
    assert hashlib.sha256(raw.encode()).hexdigest() in row
    assert not any(raw in str(value) for value in row)
    assert token.prefix == raw[3:11]


def test_it_lists_my_tokens_without_their_secret(client, planner, outsider):
    mine, raw = services.token_issue(user=planner, name="laptop")
    services.token_issue(user=outsider, name="theirs")

    response = client.get("/api/v1/me/tokens", **bearer(raw))

    assert response.status_code == 200
    [listed] = response.json()
    assert (listed["id"], listed["name"], listed["prefix"], listed["revoked_at"]) == (
        mine.pk,
        "laptop",
        mine.prefix,
        None,
    )
    assert listed["last_used_at"] is not None  # this very request
    assert raw not in response.content.decode() and mine.key_hash not in response.content.decode()


def test_i_revoke_my_token_and_it_stops_working_at_once(client, planner):
    token, raw = services.token_issue(user=planner, name="laptop")
    _other, other_raw = services.token_issue(user=planner, name="phone")

    response = client.delete(f"/api/v1/tokens/{token.pk}", **bearer(other_raw))

    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 401
    assert client.get("/api/v1/me", **bearer(other_raw)).status_code == 200
    assert (
        AuditEvent.objects.filter(verb="token.revoked", object_id=str(token.pk), actor=planner).count() == 1
    )


def test_a_token_can_revoke_itself(client, planner):
    token, raw = services.token_issue(user=planner)

    response = client.delete(f"/api/v1/tokens/{token.pk}", **bearer(raw))

    assert response.status_code == 200
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 401


def test_someone_elses_token_does_not_exist_for_me(client, planner, outsider):
    token, raw = services.token_issue(user=planner)
    client.force_login(outsider)

    response = client.delete(f"/api/v1/tokens/{token.pk}")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 200
    assert not AuditEvent.objects.filter(verb="token.revoked").exists()


def test_an_administrator_revokes_anyones_token(client, planner, admin_user):
    token, raw = services.token_issue(user=planner)
    client.force_login(admin_user)

    response = client.delete(f"/api/v1/tokens/{token.pk}")

    assert response.status_code == 200
    assert services.token_authenticate(raw) is None
    assert AuditEvent.objects.get(verb="token.revoked").actor == admin_user


def test_revoking_twice_changes_nothing_the_second_time(client, planner):
    token, _raw = services.token_issue(user=planner)
    client.force_login(planner)
    first = client.delete(f"/api/v1/tokens/{token.pk}").json()

    second = client.delete(f"/api/v1/tokens/{token.pk}")

    assert second.status_code == 200
    assert second.json()["revoked_at"] == first["revoked_at"]
    assert AuditEvent.objects.filter(verb="token.revoked").count() == 1


def test_last_use_is_written_at_most_once_a_minute(planner):
    token, raw = services.token_issue(user=planner)
    recent = timezone.now() - dt.timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)

    services.token_authenticate(raw)
    token.refresh_from_db()
    unchanged = token.last_used_at

    stale = timezone.now() - dt.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=stale)
    services.token_authenticate(raw)
    token.refresh_from_db()

    assert unchanged == recent
    assert token.last_used_at > stale + dt.timedelta(minutes=1)


def test_a_wrong_or_malformed_token_is_refused(client, planner):
    services.token_issue(user=planner)

    for header in ("Bearer cf_not-a-token", "Bearer " + "x" * 500, "Token abc"):
        response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header


def test_an_administrator_revokes_tokens_in_the_django_admin(client, admin_user, planner):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    token, raw = services.token_issue(user=planner)
    client.force_login(admin_user)

    response = client.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )

    assert response.status_code == 200
    assert "1 token revoked." in response.content.decode()
    assert services.token_authenticate(raw) is None
    assert AuditEvent.objects.get(verb="token.revoked").actor == admin_user
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
