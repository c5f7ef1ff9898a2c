"""Text longer than its column, through every JSON operation of the API and through the web forms.

For every string field of every JSON request body in the OpenAPI document, one character over its
documented maxLength is a 422 naming that field; a field without a maxLength takes 10,000
characters without a 500 and, when accepted, keeps all of them. Nothing is cut silently.
"""

from __future__ import annotations

import pytest

from campaignflow.accounts.models import User
from campaignflow.campaigns.models import Campaign
from tests.fuzz.world import concrete_path, json_string_fields, resource_ids

pytestmark = pytest.mark.django_db

WORDS = {"kind": "plan", "action": "submit", "key": "venue"}
UNBOUNDED = 10_000


def test_one_character_over_any_documented_max_length_is_a_422_naming_the_field(demo_world, client):
    client.force_login(User.objects.get(username="admin"))
    ids = resource_ids()
    fields = [f for f in json_string_fields() if f[3] is not None]
    assert len(fields) >= 100
    failures = []

    for method, path, name, max_length in fields:
        url = concrete_path(path, ids, WORDS)
        response = client.generic(
            method.upper(), url, f'{{"{name}": "{"x" * (max_length + 1)}"}}', content_type="application/json"
        )
        named = (
            [e.get("field") for e in response.json().get("errors", [])] if response.status_code == 422 else []
        )
        if response.status_code != 404 and (response.status_code != 422 or name not in named):
            failures.append((method.upper(), url, name, response.status_code))

    assert failures == []


def test_a_field_without_a_max_length_takes_ten_thousand_characters_or_refuses_them(demo_world, client):
    client.force_login(User.objects.get(username="admin"))
    ids = resource_ids()
    fields = [f for f in json_string_fields() if f[3] is None]
    failures = []

    for method, path, name, _ in fields:
        url = concrete_path(path, ids, WORDS)
        for value in ("9" * UNBOUNDED, "x" * UNBOUNDED):
            response = client.generic(
                method.upper(), url, f'{{"{name}": "{value}"}}', content_type="application/json"
            )
            body = response.json() if response["Content-Type"].startswith("application/json") else {}
            if response.status_code >= 500:
                failures.append((method.upper(), url, name, response.status_code))
            elif (
                response.status_code < 300 and isinstance(body, dict) and name in body and body[name] != value
            ):
                failures.append((method.upper(), url, name, "stored differently"))

    assert failures == []


def test_the_campaign_form_refuses_a_name_over_200_characters_beside_the_input(client, planner, marketing):
    client.force_login(planner)
    before = Campaign.objects.count()

    response = client.post(
        "/campaigns/new/",
        {
            "name": "长" * 201,
            "department": marketing.pk,
            "start_date": "2026-12-01",
            "end_date": "2026-12-31",
        },
    )

    assert response.status_code == 422
    assert "Ensure this value has at most 200 characters (it has 201)." in response.content.decode()
    assert Campaign.objects.count() == before
