"""Bytes that are not the text they claim to be: every JSON operation, the web forms, CSV imports.

Each JSON operation of the API gets a body with invalid UTF-8, a body in another charset, a
truncated body and a lone surrogate escape; each answers a 400 or 422 in the API's error shape,
never a 500. Form posts with invalid UTF-8 re-render the form. CSV imports whose bytes break
their encoding are refused naming the encoding, nothing written. (Plain invalid CSV encodings and
UTF-16 are covered in tests/metrics/test_import.py.)
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaignflow.accounts.models import User
from campaignflow.campaigns.models import Campaign
from campaignflow.config.api import api
from campaignflow.metrics.models import DailyMetric
from tests.fuzz.world import concrete_path, json_string_fields, resource_ids

pytestmark = pytest.mark.django_db

BODIES = {
    "invalid utf-8": b'{"name": "\xff\xfe\xc0\xaf", "note": "\xed\xa0\x80"}',
    "latin-1 labelled utf-8": '{"name": "café"}'.encode("latin-1"),
    "truncated": b'{"name": "caf\xc3',
    "lone surrogate escape": b'{"name": "\\ud800", "note": "\\udfff", "description": "\\ud800"}',
    "nul escape": b'{"name": "a\\u0000b", "note": "\\u0000", "description": "\\u0000"}',
    "utf-16": '{"name": "x"}'.encode("utf-16"),
    "not json": b"\x00\x01\x02\x03",
}
WORDS = {"kind": "plan", "action": "submit", "key": "venue"}


def json_operations() -> list[tuple[str, str]]:
    found = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content and operation.get("security"):
                found.append((method, path))
    return found


def test_every_json_operation_answers_broken_bytes_with_a_4xx_in_the_error_shape(demo_world, client):
    client.force_login(User.objects.get(username="admin"))
    ids = resource_ids()
    operations = json_operations()
    assert len(operations) >= 75
    failures = []

    for method, path in operations:
        url = concrete_path(path, ids, WORDS)
        for label, body in BODIES.items():
            response = client.generic(method.upper(), url, body, content_type="application/json")
            server_error = response.status_code >= 500
            wrong_shape = response.status_code >= 400 and set(response.json()) != {"detail", "code", "errors"}
            accepted = response.status_code < 300 and label in ("invalid utf-8", "truncated", "not json")
            if server_error or wrong_shape or accepted:
                failures.append((method.upper(), url, label, response.status_code))

    assert failures == []


def test_a_nul_character_in_any_string_field_is_refused_naming_the_field(demo_world, client):
    """PostgreSQL cannot store NUL in text: each field must refuse it before it reaches the database."""
    client.force_login(User.objects.get(username="admin"))
    ids = resource_ids()
    failures = []

    for method, path, name, _ in json_string_fields():
        url = concrete_path(path, ids, WORDS)
        response = client.generic(
            method.upper(), url, f'{{"{name}": "a\\u0000b"}}', content_type="application/json"
        )
        named = (
            [e.get("field") for e in response.json().get("errors", [])] if response.status_code == 422 else []
        )
        if response.status_code != 404 and name not in named:
            failures.append((method.upper(), url, name, response.status_code))

    assert failures == []


def test_invalid_utf_8_in_a_json_body_is_a_400_saying_the_body_cannot_be_read(client, planner):
    client.force_login(planner)
    before = Campaign.objects.count()

    response = client.generic(
        "POST", "/api/v1/campaigns", BODIES["invalid utf-8"], content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "Cannot parse request body", "code": "error", "errors": []}
    assert Campaign.objects.count() == before


@pytest.mark.parametrize(
    "body",
    [b"name=%FF%FE%C0%AF&department=1", b"name=\xff\xfe&department=1", b"name=%ED%A0%80&department=1"],
    ids=["percent-encoded", "raw", "surrogate"],
)
def test_a_form_post_with_invalid_utf_8_re_renders_the_form(client, planner, marketing, body):
    client.force_login(planner)
    before = Campaign.objects.count()

    response = client.generic(
        "POST", "/campaigns/new/", body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 422
    assert "<form" in response.content.decode()
    assert Campaign.objects.count() == before


def test_a_form_post_in_an_unknown_charset_is_answered(client, planner):
    client.force_login(planner)
    before = Campaign.objects.count()

    response = client.generic(
        "POST",
        "/campaigns/new/",
        b"name=x",
        content_type="application/x-www-form-urlencoded; charset=bogus-9",
    )

    assert response.status_code in (400, 422)
    assert Campaign.objects.count() == before


def imported(client, campaign, content: bytes) -> dict:
    response = client.post(
        f"/api/v1/campaigns/{campaign.pk}/metrics/import",
        {"file": SimpleUploadedFile("daily.csv", content, content_type="text/csv")},
    )
    assert response.status_code == 422, response.content[:300]
    assert not DailyMetric.objects.filter(campaign=campaign).exists()
    return response.json()


HEADER = "日期,渠道,曝光量\r\n".encode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xef\xbb\xbf" + HEADER + b"2024-06-10,\xff\xfe,1\r\n", "The file is not valid UTF-8 (BOM) text."),
        (
            HEADER + "2024-06-10,朋友圈,1\r\n".encode() * 100_000 + b"2024-06-11,\xff,1\r\n",
            "The file's text encoding was not recognized; save it as CSV in UTF-8 or GBK.",
        ),
        (
            HEADER + b"2024-06-10,\xed\xa0\x80,1\r\n",  # a UTF-16 surrogate written as UTF-8
            "The file's text encoding was not recognized; save it as CSV in UTF-8 or GBK.",
        ),
    ],
    ids=["bom-then-invalid", "invalid-after-the-first-megabytes", "encoded-surrogate"],
)
def test_a_csv_whose_bytes_break_its_encoding_is_refused_naming_it(signed_in, live, content, message):
    body = imported(signed_in, live, content)

    assert [(e["row"], e["message"]) for e in body["errors"]] == [(None, message)]
