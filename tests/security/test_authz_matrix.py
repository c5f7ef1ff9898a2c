"""The authorization matrix: every route of the web UI and of the API, for every persona.

Routes are enumerated from Django's URL resolver and from the OpenAPI document, never from a
hand-written list, and looked up in the expectation table (policy.py); a route missing from the
table fails `test_every_route_declares_its_policy`, so a new route joins the matrix the day it is
added. For each case (route, URL arguments, method) every persona makes one request and the answer
is compared with what the policy expects; a refused request must write nothing to the database.

Writes are sent with a body that passes the API's schema (built from the OpenAPI document) so the
request reaches the view: a refused persona must then get 403/404, not 422 or 409 — answering
"invalid" or "wrong state" to someone who may not act at all means validation ran before the
permission check, which lets them probe data they may not see. Web forms are posted empty: a
refused persona must be refused before the form is validated. An allowed persona may get any
answer that is not a refusal (200, 201, 204, 302, 400, 409, 422): it got past the permission check.

Run: pytest -p no:xdist -q tests/security/test_authz_matrix.py  (DATABASE_URL=... for PostgreSQL)
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from campaignflow.config.api import api

from .conftest import MATRIX_STATS as STATS
from .policy import (
    ADMIN_PREFIX,
    ALLOW,
    ANONYMOUS,
    API_RULES,
    DEFAULT_ARGS,
    FORBIDDEN,
    HIDDEN,
    LOGIN,
    NOT_SERVED,
    PERSONAS,
    POLICIES,
    REDIRECT,
    WEB_RULES,
    Access,
    Rule,
)

WRITE_METHODS = ("post", "put", "patch", "delete")
# Writes that are not a change of the world: the session row and the token's last-used time.
IGNORED_TABLES = {"django_session", "accounts_apitoken"}
THROTTLED = "429"
REFUSALS = (LOGIN, FORBIDDEN, HIDDEN, REDIRECT)
WRITE_SQL = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


# --- enumerating the routes -----------------------------------------------------------------------


@dataclass(frozen=True)
class WebRoute:
    name: str  # URL name with namespace, or the pattern for an unnamed route
    pattern: str
    kwargs: tuple[str, ...]
    named: bool


@dataclass(frozen=True)
class ApiOperation:
    operation_id: str
    method: str
    path: str
    operation: dict


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, (namespace, entry.namespace)))
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace, entry


def web_routes() -> dict[str, WebRoute]:
    """Every URL of the web UI except the API's operations (enumerated from OpenAPI) and the admin."""
    routes = {}
    for pattern, namespace, entry in _walk(get_resolver().url_patterns):
        if pattern.startswith(ADMIN_PREFIX) or entry.callback.__module__.startswith("ninja."):
            continue
        name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or pattern)
        kwargs = tuple(re.findall(r"<(?:\w+:)?(\w+)>", pattern))
        routes[name] = WebRoute(name, pattern, kwargs, bool(entry.name))
    return routes


def api_operations() -> dict[str, ApiOperation]:
    schema = api.get_openapi_schema()
    result = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            result[operation["operationId"]] = ApiOperation(operation["operationId"], method, path, operation)
    return result


WEB_ROUTES = web_routes()
API_OPERATIONS = api_operations()
OPENAPI = api.get_openapi_schema()


def test_every_route_declares_its_policy():
    """A new route fails here until its policy is declared in tests/security/policy.py."""
    web_declared = {rule.route for rule in WEB_RULES}
    api_declared = {rule.route for rule in API_RULES}
    missing = [
        f"web route {name!r} ({WEB_ROUTES[name].pattern})" for name in WEB_ROUTES if name not in web_declared
    ]
    missing += [
        f"API operation {op.operation_id!r} ({op.method.upper()} {op.path})"
        for op in API_OPERATIONS.values()
        if op.operation_id not in api_declared
    ]
    stale = [f"web {name}" for name in sorted(web_declared - set(WEB_ROUTES))]
    stale += [f"API {name}" for name in sorted(api_declared - set(API_OPERATIONS))]
    unknown = [rule.label for rule in (*WEB_RULES, *API_RULES) if rule.policy not in POLICIES]
    assert not missing, (
        "Routes without a declared access policy; add each to WEB_RULES/API_RULES in "
        "tests/security/policy.py with the policy its permission function documents:\n  "
        + "\n  ".join(missing)
    )
    assert not stale, "Rules for routes that no longer exist:\n  " + "\n  ".join(stale)
    assert not unknown, "Rules naming an unknown policy:\n  " + "\n  ".join(unknown)


# --- building a request ------------------------------------------------------------------------------


def _resolve(rule: Rule, kwargs: tuple[str, ...], world) -> dict[str, object]:
    values = {**world.values[""], **world.values[rule.scope]}
    resolved = {}
    for kwarg in kwargs:
        source = rule.args.get(kwarg) or DEFAULT_ARGS.get(kwarg)
        if source is None:
            pytest.fail(
                f"{rule.label}: URL argument {kwarg!r} has no default; name it in the rule "
                f"(args {kwarg}='<world key>' or '=<literal>')"
            )
        if source.startswith("="):
            resolved[kwarg] = world.values[""].get(source[1:], source[1:])
        elif source in values:
            resolved[kwarg] = values[source]
        else:
            pytest.fail(
                f"{rule.label}: the world has no {source!r} for URL argument {kwarg!r} in {rule.scope}"
            )
    return resolved


def _schema(ref_or_schema: dict) -> dict:
    while "$ref" in ref_or_schema:
        name = ref_or_schema["$ref"].rsplit("/", 1)[-1]
        ref_or_schema = OPENAPI["components"]["schemas"][name]
    return ref_or_schema


# Ids a request body names, from the world: a made-up id (1) names a row only where the database
# happens to number it so (SQLite after a rollback, not PostgreSQL, whose sequences go on).
BODY_IDS = {
    "department": lambda world: world.campaigns["live"].department_id,
    "user": lambda world: world.users["member"].pk,
    "depends_on": lambda world: world.values["live"]["depends_on"],
    "channel": lambda world: world.values["live"]["metric_channel"],
    "budget_line": lambda world: world.values["live"]["budget_line"],
}


def example(schema: dict, world):
    """A minimal value the API's schema accepts: required properties only, the first enum value."""
    schema = _schema(schema)
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            options = [_schema(option) for option in schema[combinator]]
            non_null = [option for option in options if option.get("type") != "null"]
            return example((non_null or options)[0], world)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    fmt = schema.get("format", "")
    if kind == "object" or "properties" in schema:
        return {
            name: BODY_IDS[name](world) if name in BODY_IDS else example(prop, world)
            for name, prop in schema.get("properties", {}).items()
            if name in schema.get("required", ())
        }
    if kind == "array":
        return [example(schema["items"], world)] if schema.get("minItems") else []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if fmt == "date":
        return world.values[""]["yesterday"]
    if fmt == "date-time":
        return world.values[""]["yesterday"] + "T09:00:00+08:00"
    if fmt in ("uri", "url"):
        return "https://example.com/landing"
    if fmt == "email":
        return "someone@example.com"
    if fmt == "binary":
        return None
    return "x" * max(1, schema.get("minLength", 1))


def _api_request(op: ApiOperation, args: dict, world) -> tuple[str, dict]:
    path = op.path.format(**args)
    query = {
        p["name"]: example(p.get("schema", {}), world)
        for p in op.operation.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    }
    request: dict = {"data": query} if op.method == "get" else {}
    if query and op.method != "get":
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    body = op.operation.get("requestBody", {}).get("content", {})
    if "application/json" in body:
        request = {
            "data": example(body["application/json"]["schema"], world),
            "content_type": "application/json",
        }
    elif "multipart/form-data" in body:
        schema = _schema(body["multipart/form-data"]["schema"])
        data = {}
        for name, prop in schema.get("properties", {}).items():
            prop = _schema(prop)
            if prop.get("format") == "binary":
                upload = io.BytesIO(b"date,channel,impressions\n")
                upload.name = "matrix.csv"
                data[name] = upload
            elif name in schema.get("required", ()):
                data[name] = example(prop, world)
        request = {"data": data}
    return path, request


# --- one request, watched ----------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    location: str  # Location, or HX-Redirect for htmx
    writes: list[str]


def _send(client: Client, method: str, path: str, request: dict) -> Answer:
    writes: list[str] = []

    def watch(execute, sql, params, many, context):
        match = WRITE_SQL.match(sql)
        if match and match.group(1).lower() not in IGNORED_TABLES:
            writes.append(sql.split(" WHERE ")[0][:120])
        return execute(sql, params, many, context)

    # Each request in its own savepoint, rolled back: an allowed write never changes the next one's world.
    with transaction.atomic(), connection.execute_wrapper(watch):
        response = getattr(client, method)(path, **request)
        transaction.set_rollback(True)
    return Answer(response.status_code, response.get("Location") or response.get("HX-Redirect", ""), writes)


def _client(persona: str, world, *, api_call: bool) -> Client:
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    if persona == ANONYMOUS:
        return client
    if api_call:
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[persona]}"
    else:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
    return client


def outcome(answer: Answer, *, api_call: bool) -> str:
    """What the answer means, in the policy's terms (any other status means allowed)."""
    status = answer.status
    if status >= 500:
        return f"server error {status}"
    # login_required's redirect carries ?next=; the sign-out's own redirect to the sign-in page does not
    login = reverse(settings.LOGIN_URL)
    if status == 401 or (status == 302 and answer.location.startswith(login + "?next=") and not api_call):
        return LOGIN
    if status == 429 and api_call:
        return THROTTLED
    if status in (403, 404, 405):
        return {403: FORBIDDEN, 404: HIDDEN, 405: NOT_SERVED}[status]
    if status in (200, 302) and "/campaigns/" in answer.location and not api_call:
        return REDIRECT
    return f"{ALLOW} ({status})"


def _acceptable(expected: str, got: str, persona: str, other: Access | None) -> bool:
    if got.startswith("server error"):
        return False
    if expected == ALLOW:
        # a redirect to a campaign page is where a successful form post lands
        return got.startswith(ALLOW) or got == REDIRECT
    if expected == LOGIN and got == THROTTLED:
        return True  # wrong credentials, refused by the sign-in throttle before they are checked
    if expected == NOT_SERVED:
        # A method the route does not serve: 405, or (for a page that ignores the method) the same
        # answer the other method gets, but never a write (checked by the caller).
        if got == NOT_SERVED or (persona == ANONYMOUS and got == LOGIN):
            return True
        return other is not None and _acceptable(other.expect(persona), got, persona, None)
    return got == expected


# --- the matrix -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def _no_outgoing_calls():
    """Webhook tests would call the receiver; the matrix answers for it."""
    from campaignflow.notifications import delivery

    patch = pytest.MonkeyPatch()
    patch.setattr(delivery, "send_webhook", lambda **kwargs: None)
    yield
    patch.undo()


def _cases():
    for rule in WEB_RULES:
        for method in ("get", "post"):
            yield pytest.param(rule, method, False, id=f"web:{rule.label}:{method.upper()}")
    for rule in API_RULES:
        op = API_OPERATIONS.get(rule.route)
        method = op.method if op else "get"
        yield pytest.param(rule, method, True, id=f"api:{rule.label}:{method.upper()}")


SEEN: dict[str, set] = {"web": set(), "api": set()}


@pytest.mark.parametrize(("rule", "method", "api_call"), list(_cases()))
def test_access(rule: Rule, method: str, api_call: bool, world, db):
    policy = POLICIES[rule.policy]
    if api_call:
        op = API_OPERATIONS.get(rule.route)
        if op is None:
            pytest.fail(f"{rule.route} is not an operation of the OpenAPI document")
        path, request = _api_request(op, _resolve(rule, _path_params(op), world), world)
    else:
        route = WEB_ROUTES.get(rule.route)
        if route is None:
            pytest.fail(f"{rule.route} is not a URL name of the web UI")
        args = _resolve(rule, route.kwargs, world)
        path = reverse(rule.route, kwargs=args) if route.named else "/" + route.pattern.lstrip("^") + "matrix"
        # The UI posts with htmx, and htmx requests get the refusal's own status back (a plain form
        # post is redirected back with the message instead).
        request = {"data": {}, "HTTP_HX_REQUEST": "true"} if method == "post" else {}
    write = method in WRITE_METHODS
    access, other = (policy.write, policy.read) if write else (policy.read, policy.write)
    if rule.post_only and not write:
        access = None
    SEEN["api" if api_call else "web"].add(rule.route)
    STATS["web routes"], STATS["api operations"] = len(SEEN["web"]), len(SEEN["api"])
    STATS["cases"] += 1

    mismatches = []
    for persona in _personas(access):
        expected = access.expect(persona) if access else NOT_SERVED
        answer = _send(_client(persona, world, api_call=api_call), method, path, request)
        got = outcome(answer, api_call=api_call)
        STATS["requests"] += 1
        if not _acceptable(expected, got, persona, other):
            mismatches.append(f"{persona:16} expected {expected}, got {got} ({answer.status})")
        # A refusal (or a method the route does not serve) changes nothing.
        if answer.writes and (expected in REFUSALS or got == NOT_SERVED):
            mismatches.append(f"{persona:16} refused ({got}) but wrote: {'; '.join(answer.writes[:3])}")
        if expected != ALLOW:
            STATS["refused"] += 1
            STATS["refused writes"] += write
    assert not mismatches, (
        f"{method.upper()} {path} ({rule.label}, policy {rule.policy!r}):\n  " + "\n  ".join(mismatches)
    )


# Where every persona must get the same answer (a public route, or a method the route does not
# serve), these stand for all: signed out, outside the department, inside it, administrator.
SAMPLE = (ANONYMOUS, "outsider", "colleague", "admin")


def _personas(access: Access | None) -> tuple[str, ...]:
    if access is None or len({access.expect(persona) for persona in PERSONAS}) == 1:
        return SAMPLE
    return PERSONAS


def _path_params(op: ApiOperation) -> tuple[str, ...]:
    return tuple(p["name"] for p in op.operation.get("parameters", []) if p["in"] == "path")


@pytest.mark.parametrize("persona", PERSONAS)
def test_django_admin_is_for_staff_only(persona, world, db):
    """/admin/ is Django's admin, one policy by prefix: staff only (the admin role makes staff)."""
    answer = _send(_client(persona, world, api_call=False), "get", "/admin/", {})
    staff = persona != ANONYMOUS and world.users[persona].is_staff
    if staff:
        assert answer.status == 200
    else:
        assert answer.status == 302 and "/admin/login/" in answer.location
    assert staff == (persona == "admin")
