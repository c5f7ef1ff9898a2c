"""The REST API (/api/v1): one NinjaAPI, its authentication and its error handlers.

Routers live in each app's api.py and are mounted here. Errors always come back as
`{"detail": "...", "code": "...", "errors": [...]}` with the right status; never a 500 for input.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from campaignflow.accounts.services import token_authenticate
from campaignflow.core.errors import ApplicationError


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` with a token issued by POST /api/v1/auth/token."""

    def authenticate(self, request: HttpRequest, token: str):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class ErrorOut(Schema):
    detail: str
    code: str = "error"
    errors: list[dict] = []


ERROR_DESCRIPTIONS = {
    400: "The request body is not valid JSON or not valid UTF-8.",
    401: "No credentials, or the token is unknown, revoked or belongs to an inactive user.",
    403: "Signed in, but not allowed to do this.",
    404: "No such object (named in the path, the query or the body), or one the caller may not see.",
    409: "Not allowed in the object's current state.",
    413: "The request body or its file is larger than the limit.",
    422: "Some input is invalid; `errors` names each field.",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def error_statuses(method: str, operation: dict) -> set[int]:
    """The error statuses an operation can answer with through the shared handlers below.

    Every route answers errors in one shape (ErrorOut) from the handlers of this module, so the
    OpenAPI document states them per operation from what the operation takes: credentials (401,
    403), input (404 for an id naming nothing, 422), a body (400 unreadable, 413 too large) and a
    state change (409).
    """
    statuses: set[int] = set()
    if operation.get("security"):
        statuses |= {401, 403}
        if method in WRITE_METHODS:
            statuses.add(409)
    if operation.get("parameters") or operation.get("requestBody"):
        statuses |= {404, 422}  # an id in the path, the query or the body may name nothing visible
    if operation.get("requestBody", {}).get("content"):
        statuses |= {400, 413}  # 413: web.errors.bad_request, or an upload's own limit
    return statuses


class CampaignFlowAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Ninja's document, plus the error responses every operation can give (ErrorOut)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.setdefault(
            "ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        )
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for status in sorted(error_statuses(method, operation)):
                    responses.setdefault(
                        status, {"description": ERROR_DESCRIPTIONS[status], "content": error}
                    )
        return schema


api = CampaignFlowAPI(
    title="CampaignFlow API",
    version="1",
    description="Marketing campaigns from plan to archive. Amounts are decimal strings, rates are fractions.",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(request, status: int, detail: str, code: str, errors: list | None = None):
    return api.create_response(
        request, {"detail": detail, "code": code, "errors": errors or []}, status=status
    )


@api.exception_handler(ApplicationError)
def on_application_error(request, exc: ApplicationError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    errors = []
    for error in exc.errors:
        location = [
            str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query", "path")
        ]
        errors.append({"field": ".".join(location) or "body", "message": error.get("msg", "invalid")})
    fields = ", ".join(dict.fromkeys(e["field"] for e in errors))
    return error_response(
        request, 422, _("Some fields are invalid: %(fields)s") % {"fields": fields}, "invalid", errors
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error_response(request, 401, _("Authentication required."), "unauthenticated")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(request, 404, _("Not found."), "not_found")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return error_response(request, exc.status_code, str(exc), "error")


def _mount_routers() -> None:
    from campaignflow.accounts.api import router as accounts_router
    from campaignflow.alerts.api import router as alerts_router
    from campaignflow.campaigns.api import router as campaigns_router
    from campaignflow.evaluation.api import router as evaluation_router
    from campaignflow.execution.api import router as execution_router
    from campaignflow.expenses.api import router as expenses_router
    from campaignflow.experiments.api import router as experiments_router
    from campaignflow.knowledge.api import router as knowledge_router
    from campaignflow.links.api import router as links_router
    from campaignflow.metrics.api import router as metrics_router
    from campaignflow.notifications.api import router as notifications_router
    from campaignflow.reports.api import router as reports_router

    api.add_router("", accounts_router)
    api.add_router("", metrics_router)
    api.add_router("", campaigns_router)
    api.add_router("", execution_router)
    api.add_router("", notifications_router)
    api.add_router("", links_router)
    api.add_router("", alerts_router)
    api.add_router("", reports_router)
    api.add_router("", experiments_router)
    api.add_router("", knowledge_router)
    api.add_router("", expenses_router)
    api.add_router("", evaluation_router)


_mount_routers()
