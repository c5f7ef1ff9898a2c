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


api = NinjaAPI(
    title="CampaignFlow API",
    version="1",
    description="Marketing campaigns from plan to archive. Amounts are decimal strings, rates are fractions.",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


class ErrorOut(Schema):
    detail: str
    code: str = "error"
    errors: list[dict] = []


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
