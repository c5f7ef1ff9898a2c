"""Query discipline (issue 8): no list or dashboard view runs more queries when it shows more rows.

The organization of bench/generate_org.py is built twice: with 2 of everything (2 campaigns in
each status, 2 tasks, days, links, alerts, meetings … per campaign), then, after rolling the first
back, with 10. Every list and dashboard route is requested in both and must run the same number
of queries: an N+1 shows as a count that grows with the rows.

The routes are enumerated, not listed by hand: every web route without parameters or whose only
parameter is the campaign of `…/campaigns/<pk>/…`, and every GET operation of the API's OpenAPI
document whose only path parameter is `campaign_id`. A new route of that kind joins the test by
itself; one that is not a page (an action, a download) must be named in NOT_LISTS with the reason,
so `test_every_list_route_is_covered` fails until it is placed.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from campaignflow.config.api import api

sys.path.append(str(Path(__file__).resolve().parents[2] / "bench"))  # bench/generate_org.py
from generate_org import Generator, Shape

SMALL, LARGE = 2, 10
pytestmark = pytest.mark.django_db  # the test database is set up for the module fixture

# Web routes the enumeration finds that are not list or dashboard pages, and why.
NOT_LISTS = {
    "healthz": "probe",
    "readyz": "probe",
    "set_language": "POST only",
    "accounts:login": "form",
    "accounts:logout": "POST only",
    "campaigns:create": "form",
    "campaigns:edit": "form (one campaign's plan editor; its lists are the plan items)",
    "campaigns:plan_update": "POST only",
    "campaigns:brief_update": "POST only",
    "campaigns:plan_check": "partial of the editor, one campaign",
    "campaigns:plan_compare": "one revision against another",
    "execution:propose": "POST only",
    "execution:export": "file download (XLSX)",
    "execution:baseline": "POST only",
    "execution:calendar_reset": "POST only",
    "metrics:import": "form",
    "notifications:bell": "counter badge",
    "notifications:read_all": "POST only",
    "notifications:settings": "form",
    "links:preview": "POST only",
    "links:settings": "form",
    "reports:daily_generate": "POST only",
    "reports:review_create": "POST only",
    "experiments:size": "calculator form",
    "expenses:add": "POST only",
    "expenses:settlement": "POST only (the settlement is shown on the budget page)",
    "evaluation:start": "POST only",
    "evaluation:save": "POST only",
    "evaluation:archive": "file download (ZIP)",
    "knowledge:campaign": "redirect to the campaign's entry",
}
# A campaign's webhooks are its managers': management, not a member, is refused (and the count
# of the refusal still must not grow).
EXPECTED_STATUS = {
    "api /api/v1/campaigns/{campaign_id}/webhooks as mgmt.0": 403,
    "web notifications:campaign_webhooks as mgmt.0": 403,
}
NOT_LIST_OPERATIONS = {
    "/api/v1/campaigns/{campaign_id}/archive.zip": "file download (ZIP)",
    "/api/v1/health": "probe",
}


def _web_routes() -> list[tuple[str, str]]:
    """(name, pattern) of every web route without parameters or with only the campaign's pk."""
    found = []

    def walk(patterns, prefix: str, namespace: str):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith(("admin/", "api/", "^api/")):
                    continue
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                route = prefix + str(p.pattern)
                params = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
                if not params or (params == {"pk"} and "campaigns/<int:pk>/" in route):
                    found.append((namespace + p.name, route))

    walk(get_resolver().url_patterns, "", "")
    return sorted(set(found))


def _api_routes() -> list[str]:
    paths = api.get_openapi_schema()["paths"]
    return sorted(
        path
        for path, operations in paths.items()
        if "get" in operations and set(re.findall(r"{(\w+)}", path)) <= {"campaign_id"}
    )


WEB = [name for name, _route in _web_routes() if name not in NOT_LISTS]
API = [path for path in _api_routes() if path not in NOT_LIST_OPERATIONS]


def _requests(user) -> dict[str, str]:
    """The URL each route is asked for: with the first live campaign (with data) the user sees."""
    from campaignflow.campaigns.models import Campaign

    # management sees every campaign; the member gets one they own (the owner's pages and lists)
    live = Campaign.objects.filter(status="live").order_by("pk")
    focus = live.first() if user.has_role("management") else live.filter(owner=user).first()
    requests = {}
    for name in WEB:
        route = dict(_web_routes())[name]
        url = reverse(name, kwargs={"pk": focus.pk} if "<int:pk>" in route else None)
        requests[f"web {name}"] = url
    for path in API:
        requests[f"api {path}"] = path.replace("{campaign_id}", str(focus.pk))
    return requests


def _shape_of(sql: str) -> str:
    """The query without its numbers and parameter lists, so the same query on other rows matches."""
    sql = re.sub(r"'(?:[^']|'')*'", "'…'", sql)
    # PostgreSQL's server-side cursors and savepoints carry generated names
    sql = re.sub(r'"(_django_curs_\d+_sync_\d+|s\d+_x\d+)"', '"…"', sql)
    return re.sub(r"\((?:%s|\?|\d+|N)(?:, (?:%s|\?|\d+|N))*\)", "(…)", re.sub(r"\b\d+\b", "N", sql))


def _measure(n: int) -> dict[str, tuple[int, int, Counter]]:
    """Build the organization with n of everything; (queries, status, query shapes) of every route."""
    from campaignflow.accounts.models import User

    cache.clear()
    Generator(Shape.uniform(n), seed=n, verbose=False).run_for_tests()
    counts = {}
    for who in ("mgmt.0", "marketing.00"):
        user = User.objects.get(username=who)
        client = Client()
        client.force_login(user)
        for key, url in _requests(user).items():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            shapes = Counter(_shape_of(q["sql"]) for q in queries.captured_queries)
            counts[f"{key} as {who}"] = (len(queries), response.status_code, shapes)
    return counts


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    """Query counts with SMALL and with LARGE of everything, each in a transaction rolled back."""
    results = {}
    with django_db_blocker.unblock():
        for n in (SMALL, LARGE):
            with transaction.atomic():
                results[n] = _measure(n)
                transaction.set_rollback(True)
    return results


def test_every_list_route_is_covered():
    """The enumeration finds the list pages people use, and every name in NOT_LISTS still exists."""
    names = {name for name, _route in _web_routes()}
    assert {
        "campaigns:list",
        "web:dashboard",
        "metrics:dashboard",
        "execution:gantt",
        "execution:board",
    } <= set(WEB)
    assert {"/api/v1/campaigns", "/api/v1/campaigns/{campaign_id}/tasks"} <= set(API)
    assert set(NOT_LISTS) <= names, set(NOT_LISTS) - names
    assert set(NOT_LIST_OPERATIONS) <= set(_api_routes())


@pytest.mark.parametrize("route", [f"web {name}" for name in WEB] + [f"api {path}" for path in API])
@pytest.mark.parametrize("who", ["mgmt.0", "marketing.00"])
def test_queries_do_not_grow_with_rows(measured, route, who):
    key = f"{route} as {who}"
    small, large = measured[SMALL][key], measured[LARGE][key]
    expected = EXPECTED_STATUS.get(key, 200)
    assert small[1] == expected, f"{key} answered {small[1]}"
    assert large[1] == expected, f"{key} answered {large[1]}"
    # A query that runs once, and only when the list has rows (Django skips the prefetch of an
    # empty list), costs the same for one row as for ten thousand: not growth.
    once = [shape for shape, count in large[2].items() if count == 1 and small[2][shape] == 0]
    grown = "\n".join(
        f"  {small[2][shape]} → {count} × {shape[:300]}"
        for shape, count in large[2].items()
        if count > small[2][shape] and shape not in once
    )
    assert large[0] == small[0] or large[0] - len(once) == small[0], (
        f"{key}: {small[0]} queries with {SMALL} rows, {large[0]} with {LARGE}; repeated more often:\n{grown}"
    )
