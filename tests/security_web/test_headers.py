"""Security headers and cookies: with the default settings in-process, and with the documented
production environment (docs/deployment.md) in a real process.

The production check runs Django's test client inside a `python` process started with the
environment of tests/deploy/test_shutdown.py (whose `check --deploy` test shares it): requests
arrive as https for campaigns.example.com, and the answers' headers and cookies are compared.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.urls import reverse

from campaignflow.core.middleware import CONTENT_SECURITY_POLICY
from tests.deploy.test_shutdown import production_env
from tests.factories import PASSWORD

PRODUCTION_PROBE = r"""
import json
import django
django.setup()
from django.core.management import call_command
from django.test import Client, override_settings

call_command("migrate", verbosity=0)
from campaignflow.accounts.models import User
User.objects.create_user("planner", password="Campaign-Flow-2026")

# Static files are not collected here; the storage is not what is checked.
with override_settings(STORAGES={
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}):
    client = Client(HTTP_HOST="campaigns.example.com")
    plain = client.get("/accounts/login/")
    page = client.get("/accounts/login/", secure=True)
    signed_in = client.post(
        "/accounts/login/", {"username": "planner", "password": "Campaign-Flow-2026"}, secure=True
    )
    api = client.get("/api/v1/health", secure=True)

def cookie(response, name):
    morsel = response.cookies[name]
    return {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]), "samesite": morsel["samesite"]}

print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "page": [page.status_code, dict(page.headers)],
    "signed_in": [signed_in.status_code, cookie(signed_in, "sessionid"), cookie(page, "csrftoken")],
    "api": dict(api.headers),
}))
"""


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client, planner):
    client.force_login(planner)

    response = client.get(reverse("web:dashboard"))

    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY and "unsafe-eval" not in CONTENT_SECURITY_POLICY
    assert "Strict-Transport-Security" not in response  # off until configured: plain http works


@pytest.mark.django_db
def test_json_answers_have_no_content_security_policy(client):
    response = client.get("/api/v1/health")

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "Content-Security-Policy" not in response
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_scripts():
    """script-src 'self' forbids inline scripts: none may creep into a template."""
    from pathlib import Path

    import campaignflow

    offenders = []
    for template in Path(campaignflow.__file__).parent.rglob("templates/**/*.html"):
        text = template.read_text()
        for tag in text.split("<script")[1:]:
            head = tag.split(">", 1)[0]
            if "src=" not in head and "application/json" not in head:
                offenders.append(str(template))
        if " onclick=" in text or " onchange=" in text or " onsubmit=" in text or "javascript:" in text:
            offenders.append(str(template))

    assert offenders == []


def test_the_production_environment_sends_secure_cookies_and_hsts(tmp_path):
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="campaignflow.config.settings")

    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE], env=env, capture_output=True, text=True, timeout=600
    )

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain"] == [301, "https://campaigns.example.com/accounts/login/"]
    status, headers = seen["page"]
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    status, session_cookie, csrf_cookie = seen["signed_in"]
    assert status == 302
    assert session_cookie == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert csrf_cookie == {
        "secure": True,
        "httponly": False,
        "samesite": "Lax",
    }  # htmx reads the token from the page
    assert seen["api"]["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_the_sign_in_form_posts_to_the_same_origin(client):
    html = client.get(reverse("accounts:login")).content.decode()

    assert f'action="{reverse("accounts:login")}"' in html
    assert PASSWORD not in html
