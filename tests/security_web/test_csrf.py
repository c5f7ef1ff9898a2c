"""Every web route that takes a POST refuses one without a CSRF token, and so does the API with a session.

The routes are walked through the URL resolver, so a new view is covered the day it is added. A
signed-in administrator posts to each with a client that enforces CSRF checks and sends no token:
the answer must be 403. Views that must be exempt are listed in EXEMPT with the reason.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from campaignflow.config.api import api
from campaignflow.expenses.models import Expense

pytestmark = pytest.mark.django_db

# URL name (or pattern, for unnamed ones) -> why it takes a POST without a CSRF token.
EXEMPT: dict[str, str] = {
    "api/": "the catch-all of unknown API paths: answers a JSON 404 to every method and writes nothing",
}
# Views marked csrf_exempt that run Django's CSRF check themselves, after installing the upload size
# limit (the middleware would read the whole body first). Without a token they must still say 403.
CHECKED_IN_THE_VIEW = {
    "metrics:import": "metrics/views.py import_file",
    "expenses:add": "expenses/views.py expense_add",
    "expenses:expense": "expenses/views.py expense_row",
}

SAMPLE_BY_CONVERTER = {
    "int": "1",
    "slug": "x",
    "str": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000001",
}


def web_routes(resolver=None, prefix: str = "", namespace: str = "", ids: dict | None = None):
    """(label, path, view) of every route outside the API, with sample values for its arguments.

    `ids` gives real values for some argument names (a campaign's pk), so that views which look
    their object up before the CSRF check reach it.
    """
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        piece = _sample(entry.pattern, ids or {})
        if isinstance(entry, URLResolver):
            if piece.startswith("api/"):
                continue  # the API is walked through its OpenAPI document below
            inner = namespace + (entry.namespace + ":" if entry.namespace else "")
            yield from web_routes(entry, prefix + piece, inner, ids)
        elif isinstance(entry, URLPattern):
            label = namespace + entry.name if entry.name else prefix + piece
            yield label, "/" + prefix + piece, entry.callback


def _sample(pattern, ids: dict) -> str:
    if isinstance(pattern, RoutePattern):
        route = str(pattern._route)
        return re.sub(
            r"<(?:(\w+):)?(\w+)>",
            lambda m: str(ids.get(m.group(2)) or SAMPLE_BY_CONVERTER.get(m.group(1) or "str", "x")),
            route,
        )
    assert isinstance(pattern, RegexPattern)
    regex = pattern._regex.lstrip("^").rstrip("$").replace("\\Z", "")
    regex = re.sub(r"\(\?P<\w+>[^)]*\)", "x", regex)
    return regex.replace("\\", "")


@pytest.fixture
def staff_admin(admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    return admin_user


@pytest.fixture
def ids(campaign, staff_admin):
    expense = Expense.objects.create(
        campaign=campaign,
        category="materials",
        amount="10.00",
        date=dt.date(2026, 5, 1),
        vendor="v",
        created_by=staff_admin,
    )
    return {"pk": campaign.pk, "expense_pk": expense.pk}


@pytest.fixture
def csrf_client(staff_admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_admin)
    return client


def test_the_walk_finds_the_routes():
    labels = {label for label, _path, _view in web_routes()}

    assert {"accounts:login", "accounts:logout", "set_language", "campaigns:create"} <= labels
    assert any(label.startswith("admin:") for label in labels)
    assert len(labels) > 100


def test_every_web_route_refuses_a_post_without_a_csrf_token(csrf_client, ids):
    accepted = {}
    for label, path, _view in web_routes(ids=ids):
        response = csrf_client.post(path, {"name": "x"})
        if response.status_code != 403 and label not in EXEMPT:
            accepted[label] = (path, response.status_code)

    assert accepted == {}


def test_no_view_is_csrf_exempt_without_a_reason():
    exempt = {label for label, _path, view in web_routes() if getattr(view, "csrf_exempt", False)}

    assert exempt == set(EXEMPT) | set(CHECKED_IN_THE_VIEW)


def api_writes():
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "patch", "delete"):
                yield operation["operationId"], method, re.sub(r"\{\w+\}", "1", path), operation


def test_the_api_refuses_a_session_write_without_a_csrf_token(csrf_client):
    # Bearer tokens need no CSRF token; a browser session does, or any site could post as its user.
    accepted = {}
    for operation_id, method, path, operation in api_writes():
        if not operation.get("security"):
            continue  # public: /auth/token and the HMAC-signed postbacks authenticate by what they carry
        response = getattr(csrf_client, method)(path, "{}", content_type="application/json")
        if response.status_code != 403:
            accepted[operation_id] = (method, path, response.status_code)

    assert accepted == {}


def test_the_public_api_writes_are_the_expected_ones():
    public = {
        operation_id for operation_id, _m, _p, operation in api_writes() if not operation.get("security")
    }

    assert public == {
        "campaignflow_accounts_api_issue_token",  # a password in the body, nothing a session could lend
        "campaignflow_links_api_track_conversion",  # a postback signed with HMAC by the ad platform
    }
