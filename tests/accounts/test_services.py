"""Accounts: users with roles, hashed and revocable API tokens."""

from __future__ import annotations

import pytest

from campaignflow.accounts import services
from campaignflow.accounts.models import ApiToken, User, hash_token
from campaignflow.core.errors import Forbidden, ValidationFailed


def test_tokens_are_stored_hashed_and_authenticate(planner):
    token, raw = services.token_issue(user=planner, name="laptop")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.key_hash, stored.prefix) and stored.key_hash == hash_token(raw)
    assert services.token_authenticate(raw) == planner
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_a_revoked_token_no_longer_authenticates(planner):
    token, raw = services.token_issue(user=planner)
    services.token_revoke(actor=planner, token=token)
    assert services.token_authenticate(raw) is None


def test_someone_elses_token_cannot_be_revoked(planner, outsider):
    token, raw = services.token_issue(user=planner)
    with pytest.raises(Forbidden):
        services.token_revoke(actor=outsider, token=token)
    assert services.token_authenticate(raw) == planner


def test_a_token_of_a_deactivated_user_is_refused(planner):
    _token, raw = services.token_issue(user=planner)
    planner.is_active = False
    planner.save()
    assert services.token_authenticate(raw) is None
    assert services.token_authenticate("cf_" + "x" * 43) is None


def test_only_admins_create_users_and_weak_passwords_are_refused(admin_user, planner, marketing):
    with pytest.raises(Forbidden):
        services.user_create(actor=planner, username="new", password="Long-enough-2026", department=marketing)
    with pytest.raises(ValidationFailed) as exc:
        services.user_create(actor=admin_user, username="new", password="123", department=marketing)
    assert {e.field for e in exc.value.errors} == {"password"}
    with pytest.raises(ValidationFailed) as exc:
        services.user_create(actor=admin_user, username="new", password="Long-enough-2026", roles=["wizard"])
    assert [e.field for e in exc.value.errors] == ["roles"]
    assert not User.objects.filter(username="new").exists()
    user = services.user_create(
        actor=admin_user,
        username="new",
        password="Long-enough-2026",
        department=marketing,
        roles=["department_head", "member"],
    )
    assert user.role_set == {"department_head", "member"}
    assert user.check_password("Long-enough-2026")


def test_the_admin_role_opens_the_django_admin(admin_user, planner):
    user = services.user_create(
        actor=admin_user, username="ops", password="Long-enough-2026", roles=["admin"]
    )
    assert (user.is_staff, user.is_superuser) == (True, True)
    services.user_set_roles(actor=admin_user, user=user, roles=["member"])
    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser, user.role_set) == (False, False, {"member"})
