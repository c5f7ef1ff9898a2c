"""SQL and full-text-search metacharacters in every search box and `q=` filter: results or nothing.

The knowledge search (API and page) and the campaign list take quotes, `*`, NEAR/OR/NOT, comment
and statement separators, NUL and 10,000-character queries; so does every other GET operation of
the API that has a text query parameter. None answers 500; a refusal is a 4xx in the API's error
shape. (The search selector itself is covered in tests/knowledge/test_search.py.)
"""

from __future__ import annotations

import pytest

from campaignflow.accounts.models import User
from campaignflow.config.api import api
from campaignflow.knowledge.models import KnowledgeEntry
from tests.fuzz.world import concrete_path, resource_ids

pytestmark = pytest.mark.django_db

HOSTILE = [
    '"',
    "'",
    "'; DROP TABLE campaigns_campaign; --",
    "1 OR 1=1",
    "*",
    "农*",
    "NEAR(茶 直播)",
    "茶 OR",
    "OR AND NOT",
    "(((",
    ")",
    "col:茶",
    "^茶",
    "茶 -直播",
    "--",
    ";",
    "%",
    "_",
    "\\",
    "\x00",
    "茶\x00饮",
    "\ufffd",
    "😀" * 10,
    "x" * 10_000,
    "茶饮" * 5_000,
]
IDS = [repr(q[:20]) + (f"…{len(q)}" if len(q) > 20 else "") for q in HOSTILE]


@pytest.fixture
def admin(demo_world):
    return User.objects.get(username="admin")


def assert_not_a_server_error(response, what: str) -> None:
    assert response.status_code < 500, what
    if response.status_code >= 400 and response["Content-Type"].startswith("application/json"):
        assert set(response.json()) == {"detail", "code", "errors"}, what


@pytest.mark.parametrize("query", HOSTILE, ids=IDS)
def test_the_knowledge_search_api_returns_entries_or_nothing(client, admin, query):
    client.force_login(admin)

    response = client.get("/api/v1/knowledge/search", {"q": query})

    assert response.status_code == 200
    names = {entry["name"] for entry in response.json()}
    assert names <= set(KnowledgeEntry.objects.values_list("name", flat=True))


@pytest.mark.parametrize("query", HOSTILE, ids=IDS)
def test_the_knowledge_and_campaign_pages_search_without_failing(client, admin, query):
    client.force_login(admin)

    for url in ("/knowledge/", "/campaigns/"):
        response = client.get(url, {"q": query})
        assert response.status_code in (200, 400), (url, response.status_code)


def text_query_operations() -> list[tuple[str, list[str]]]:
    """Every GET path of the API with its text query parameters, from the OpenAPI document."""
    found = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        names = [
            p["name"]
            for p in get.get("parameters", [])
            if p["in"] == "query" and "string" in str(p.get("schema", {})) and "format" not in p["schema"]
        ]
        if names:
            found.append((path, names))
    return found


def test_every_text_query_parameter_of_the_api_takes_hostile_input(client, admin):
    operations = text_query_operations()
    assert len(operations) >= 5  # knowledge search, campaign list, benchmarks, reports, …
    client.force_login(admin)
    ids = resource_ids()
    tried = 0

    for path, names in operations:
        url = concrete_path(path, ids, {"kind": "plan"})
        for name in names:
            for query in HOSTILE:
                response = client.get(url, {name: query})
                assert_not_a_server_error(response, f"GET {url}?{name}={query[:30]!r}")
                tried += 1

    assert tried >= len(operations) * len(HOSTILE)


@pytest.mark.parametrize("raw", ["%FF%FE", "%C0%AF", "%ED%A0%80", "%00", "%F4%90%80%80"])
def test_query_strings_that_are_not_utf_8_are_answered(client, admin, raw):
    client.force_login(admin)

    api_response = client.get(f"/api/v1/knowledge/search?q={raw}")
    page = client.get(f"/knowledge/?q={raw}")
    campaigns = client.get(f"/api/v1/campaigns?q={raw}")

    assert_not_a_server_error(api_response, "api search")
    assert_not_a_server_error(campaigns, "campaign list")
    assert page.status_code < 500
