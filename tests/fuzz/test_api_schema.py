"""Schemathesis fuzzes every operation of /api/v1/openapi.json in-process (WSGI, no server).

Each operation gets FUZZ_EXAMPLES generated requests (valid and schema-violating ones), sent as the
demo's administrator against the demo organization (tests/fuzz/conftest.py), with a fixed seed so
a failure in CI reproduces locally. Every response must not be a 5xx, must have a documented status
and content type, and a body matching the documented schema, and schema-violating input must be
refused. The tests after it check that only the three public operations answer without a token.

Not checked: `positive_data_acceptance`, which expects a 2xx for any request the schema allows;
the services refuse schema-valid input on purpose (an empty name, an end before the start, a state
change the lifecycle forbids) with a documented 4xx.

    .venv/bin/pytest -p no:xdist tests/fuzz                      # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h2 .venv/bin/pytest -p no:xdist tests/fuzz

CAMPAIGNFLOW_FUZZ_EXAMPLES (default 10) sets the generated requests per operation on top of the
coverage phase's boundary cases; CAMPAIGNFLOW_FUZZ_METHODS="TRACE PUT" also sends methods the
operations do not have (off by default: the router's 405 is not worth doubling the run for).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings
from ninja import Schema
from schemathesis.checks import positive_data_acceptance

from campaignflow.config.api import api
from campaignflow.config.wsgi import application
from tests.fuzz.world import FUZZED, concrete_path, resource_ids

FUZZ_EXAMPLES = int(os.environ.get("CAMPAIGNFLOW_FUZZ_EXAMPLES", "10"))
PUBLIC = {("get", "/api/v1/health"), ("post", "/api/v1/auth/token"), ("post", "/api/v1/track/conversions")}

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261201,
        "phases": {
            "coverage": {"unexpected-methods": os.environ.get("CAMPAIGNFLOW_FUZZ_METHODS", "").split()}
        },
        "checks": {"positive_data_acceptance": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize=True,  # the seed comes from the test's name: the same cases on every run
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_operation_conforms(case, fuzz_world, in_process, no_outbound_http):
    fuzz_world.map_path_parameters(case.path, case.path_parameters)
    FUZZED[case.operation.label] += 1
    case.call_and_validate(headers=fuzz_world.headers, excluded_checks=[positive_data_acceptance])


def document_operations():
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def test_only_health_token_issue_and_the_conversion_postback_are_public():
    public = {
        (method, path) for method, path, operation in document_operations() if not operation.get("security")
    }

    assert public == PUBLIC


@pytest.mark.django_db
def test_every_other_operation_answers_401_without_or_with_a_bad_token(fuzz_world):
    client = Client()  # no session
    ids = resource_ids()
    checked = 0

    for method, path, _ in document_operations():
        if (method, path) in PUBLIC:
            continue
        url = concrete_path(path, ids, {"kind": "plan", "action": "submit", "key": "venue"})
        for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer cf_not-a-token"}):
            response = getattr(client, method)(url, {}, content_type="application/json", **headers)
            assert response.status_code == 401, f"{method.upper()} {url}: {response.status_code}"
            assert response.json()["code"] == "unauthenticated"
        checked += 1

    assert checked == sum(1 for _ in document_operations()) - len(PUBLIC)


def test_every_schema_of_the_document_has_its_own_name():
    """Two schemas with one name share one entry of the document: one route is documented wrongly."""
    names: dict[str, set[str]] = {}

    def walk(cls):
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("campaignflow."):
                names.setdefault(sub.__name__, set()).add(sub.__module__)
            walk(sub)

    walk(Schema)

    assert {name: modules for name, modules in names.items() if len(modules) > 1} == {}
