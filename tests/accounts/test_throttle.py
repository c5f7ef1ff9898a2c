"""Sign-in throttling on the web sign-in form and the API token endpoint (accounts/throttle.py)."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from campaignflow.accounts.models import ApiToken
from campaignflow.audit.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
JSON = "application/json"
LOCKED = "Too many failed sign-in attempts. Try again in 15 minutes."


def sign_in(client, username: str, password: str, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)


def token_for(client, username: str, password: str, **extra):
    return client.post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type=JSON, **extra
    )


def test_five_wrong_passwords_lock_the_username_even_against_the_right_one(client, planner):
    # when someone tries five wrong passwords for the planner
    answers = [sign_in(client, "planner", f"guess-{n}") for n in range(5)]
    # and then the right one
    right = sign_in(client, "planner", PASSWORD)

    # then the first four are ordinary failures, the fifth and the right password are refused
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert "Your username and password didn't match." in answers[0].content.decode()
    assert LOCKED in answers[4].content.decode()
    assert right.status_code == 429
    assert right["Retry-After"] == "900"
    assert LOCKED in right.content.decode()
    assert "_auth_user_id" not in client.session
    # and the trail has the five failures and the lockout, with the address
    events = list(AuditEvent.objects.filter(object_id=str(planner.pk)).order_by("id"))
    assert [e.verb for e in events] == ["user.login_failed"] * 5 + ["user.login_locked"]
    assert events[-1].after == {
        "address": "127.0.0.1",
        "channel": "web",
        "failures": 5,
        "locked": "username",
        "seconds": 900,
    }
    assert events[0].actor is None


def test_the_lock_ends_after_the_lockout_time(client, planner, monkeypatch):
    for n in range(5):
        sign_in(client, "planner", f"guess-{n}")
    later = time.time() + 901
    monkeypatch.setattr(time, "time", lambda: later)  # the cache's expiry reads the same clock

    response = sign_in(client, "planner", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(planner.pk)


def test_a_successful_sign_in_forgets_earlier_failures(client, planner):
    for n in range(4):
        sign_in(client, "planner", f"guess-{n}")
    assert sign_in(client, "planner", PASSWORD).status_code == 302
    client.logout()

    answers = [sign_in(client, "planner", f"again-{n}") for n in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    assert sign_in(client, "planner", PASSWORD).status_code == 302


def test_the_lock_of_one_username_leaves_others_alone(client, planner, dept_head):
    for n in range(5):
        sign_in(client, "planner", f"guess-{n}")

    response = sign_in(client, "dept_head", PASSWORD)

    assert response.status_code == 302


def test_failures_across_usernames_lock_the_address(client, planner, settings):
    settings.CAMPAIGNFLOW_LOGIN_MAX_FAILURES_PER_IP = 3
    for name in ("alice", "bob", "carol"):
        sign_in(client, name, "guess")

    response = sign_in(client, "planner", PASSWORD)

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    # nobody called alice exists: her failure is logged, not written to the append-only trail
    assert not AuditEvent.objects.filter(verb__startswith="user.login").exists()


def test_behind_a_trusted_proxy_each_client_address_counts_apart(client, planner, settings):
    settings.CAMPAIGNFLOW_LOGIN_MAX_FAILURES_PER_IP = 3
    settings.CAMPAIGNFLOW_TRUSTED_PROXIES = ["10.0.0.2"]
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for name in ("alice", "bob", "carol"):
        sign_in(client, name, "guess", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)

    other_client = sign_in(client, "planner", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy)
    client.logout()
    locked_client = sign_in(client, "planner", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)

    assert other_client.status_code == 302
    assert locked_client.status_code == 429


def test_a_forwarded_for_header_from_an_untrusted_peer_is_ignored(client, planner, settings):
    settings.CAMPAIGNFLOW_LOGIN_MAX_FAILURES_PER_IP = 3
    settings.CAMPAIGNFLOW_TRUSTED_PROXIES = ["10.0.0.2"]
    for n, name in enumerate(("alice", "bob", "carol")):
        sign_in(client, name, "guess", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    response = sign_in(
        client, "planner", PASSWORD, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="192.0.2.99"
    )

    assert response.status_code == 429


def test_the_api_token_endpoint_locks_out_with_429_and_retry_after(client, planner):
    answers = [token_for(client, "planner", f"guess-{n}") for n in range(5)]

    right = token_for(client, "planner", PASSWORD)

    assert [a.status_code for a in answers] == [401, 401, 401, 401, 429]
    assert right.status_code == 429
    assert right["Retry-After"] == "900"
    assert right.json() == {"detail": LOCKED, "code": "too_many_attempts", "errors": []}
    assert not ApiToken.objects.exists()
    events = AuditEvent.objects.filter(object_id=str(planner.pk), verb="user.login_failed")
    assert {e.after["channel"] for e in events} == {"api"}


def test_web_and_api_failures_count_together(client, planner):
    for n in range(3):
        sign_in(client, "planner", f"guess-{n}")
    for n in range(2):
        token_for(client, "planner", f"guess-{n}")

    assert sign_in(client, "planner", PASSWORD).status_code == 429


def test_the_lockout_message_is_translated(client, planner):
    for n in range(5):
        token_for(client, "planner", f"guess-{n}")

    response = token_for(client, "planner", PASSWORD, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 429
    assert response.json()["code"] == "too_many_attempts"
