"""GET|POST /api/v1/metric-definitions: one definition per metric for the whole organization."""

from __future__ import annotations

import pytest

from campaignflow.audit.models import AuditEvent
from campaignflow.metrics.models import MetricDefinition

pytestmark = pytest.mark.django_db
JSON = "application/json"
URL = "/api/v1/metric-definitions"


def test_it_lists_the_seeded_definitions_in_the_requested_language(client, planner):
    client.force_login(planner)

    english = client.get(URL).json()
    chinese = client.get(URL, headers={"accept-language": "zh-hans"}).json()
    traditional = client.get(URL, headers={"accept-language": "zh-hant"}).json()

    assert [d["key"] for d in english] == [
        "impressions",
        "clicks",
        "conversions",
        "new_users",
        "revenue",
        "cost",
        "leads",
        "mqls",
        "opportunities",
        "visits",
        "negative_comments",
        "ctr",
        "cvr",
        "cpa",
        "cpl",
        "mql_rate",
        "roas",
        "roi",
    ]
    cvr = next(d for d in english if d["key"] == "cvr")
    assert cvr == {
        "id": cvr["id"],
        "key": "cvr",
        "name": "CVR",
        "name_en": "CVR",
        "name_zh_hans": "转化率",
        "name_zh_hant": "轉化率",
        "formula": "conversions / clicks",
        "kind": "derived",
        "unit": "ratio",
        "direction": "higher",
        "builtin": True,
    }
    assert next(d for d in chinese if d["key"] == "cvr")["name"] == "转化率"
    assert next(d for d in traditional if d["key"] == "cvr")["name"] == "轉化率"
    assert next(d for d in english if d["key"] == "cpa")["direction"] == "lower"
    assert next(d for d in english if d["key"] == "visits")["kind"] == "base"


@pytest.mark.parametrize("persona", ["analyst", "admin_user"])
def test_analysts_and_admins_define_a_metric(client, request, persona):
    actor = request.getfixturevalue(persona)
    client.force_login(actor)
    body = {
        "key": "opp_rate",
        "formula": " opportunities / leads ",
        "name_en": "Lead to opportunity",
        "name_zh_hans": "线索转商机率",
        "unit": "ratio",
        "direction": "higher",
    }

    response = client.post(URL, body, content_type=JSON)

    assert response.status_code == 201, response.json()
    assert response.json() | {"id": 0} == {
        "id": 0,
        "key": "opp_rate",
        "name": "Lead to opportunity",
        "name_en": "Lead to opportunity",
        "name_zh_hans": "线索转商机率",
        "name_zh_hant": "",
        "formula": "opportunities / leads",
        "kind": "derived",
        "unit": "ratio",
        "direction": "higher",
        "builtin": False,
    }
    event = AuditEvent.objects.get(verb="metricdefinition.created")
    assert (event.actor, event.after["formula"]) == (actor, "opportunities / leads")


@pytest.mark.parametrize("persona", ["planner", "dept_head", "manager", "finance"])
def test_others_may_not_define_metrics(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(
        URL, {"key": "x_rate", "formula": "clicks / leads", "name_en": "X"}, content_type=JSON
    )

    assert response.status_code == 403
    assert not MetricDefinition.objects.filter(key="x_rate").exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"formula": "clicks / ctr"},
            "formula",
            "“ctr” is not a base measure; use one of: impressions, clicks, conversions, new_users, revenue, cost, leads, mqls, opportunities, visits, negative_comments.",
        ),
        (
            {"formula": "__import__('os')"},
            "formula",
            "“__import__('os')” is not allowed in a formula; use base measure names, numbers, + - * / and parentheses.",
        ),
        (
            {"formula": "clicks /"},
            "formula",
            "The formula cannot be read; use base measure names, numbers, + - * / and parentheses.",
        ),
        ({"formula": "2 / 3"}, "formula", "A formula must use at least one base measure."),
        ({"key": "cvr"}, "key", "A metric with this key already exists."),
        ({"key": "clicks"}, "key", "A metric with this key already exists."),
        (
            {"key": "Bad Key"},
            "key",
            "Use 2–40 lowercase letters, digits and underscores, starting with a letter.",
        ),
        ({"name_en": " "}, "name_en", "This field is required."),
    ],
)
def test_it_refuses_an_invalid_definition(client, analyst, body, field, message):
    client.force_login(analyst)
    payload = {"key": "x_rate", "formula": "clicks / leads", "name_en": "X"} | body

    response = client.post(URL, payload, content_type=JSON)

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": field, "message": message}]
    assert MetricDefinition.objects.count() == 18


def test_it_refuses_unknown_units_and_directions_before_the_service(client, analyst):
    client.force_login(analyst)

    response = client.post(
        URL,
        {"key": "x", "formula": "clicks", "name_en": "X", "unit": "furlongs", "direction": "up"},
        content_type=JSON,
    )

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["unit", "direction"]
