"""API routes for health, tokens, the current user, departments and users."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from campaignflow.core.errors import ApplicationError, field_error

from . import permissions, services, throttle
from .models import ApiToken, Department, User, UserRole
from .schemas import DepartmentIn, DepartmentOut, TokenIn, TokenInfoOut, TokenOut, UserIn, UserOut

router = Router(tags=["accounts"])


@router.get("/health", auth=None)
def health(request):
    """Liveness: answers without touching anything that may be down."""
    return {"status": "ok"}


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: dict, 429: dict})
def issue_token(request, payload: TokenIn, response: HttpResponse):
    """Exchange a username and password for a bearer token. Wrong credentials: 401, no hint why.

    After too many failures for the username or from the address: 429 with Retry-After, and the
    password is not checked until the lock ends (accounts/throttle.py).
    """
    address = throttle.client_address(request)
    wait = services.login_locked_for(username=payload.username, address=address)
    if wait:
        return _locked(response, wait)
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        wait = services.login_failed(username=payload.username, address=address, channel="api")
        if wait:
            return _locked(response, wait)
        return Status(
            401,
            {
                "detail": _("Invalid username or password."),
                "code": "invalid_credentials",
                "errors": [],
            },
        )
    services.login_succeeded(username=payload.username)
    token, raw = services.token_issue(user=user, name=payload.name)
    return Status(200, {"token": raw, "prefix": token.prefix})


def _locked(response: HttpResponse, seconds: int):
    response["Retry-After"] = str(seconds)
    return Status(
        429, {"detail": services.lockout_message(seconds), "code": "too_many_attempts", "errors": []}
    )


@router.get("/me", response=UserOut)
def me(request):
    return request.user


@router.get("/me/tokens", response=list[TokenInfoOut])
def list_my_tokens(request):
    """The caller's API tokens, newest first: prefix, name, created, last used, revoked."""
    return request.user.api_tokens.order_by("-created_at", "-pk")


@router.delete("/tokens/{token_id}", response=TokenInfoOut)
def revoke_token(request, token_id: int):
    """Revoke a token: your own, or anyone's as an administrator. Revoking twice changes nothing."""
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None or not permissions.can_revoke_token(request.user, token):
        raise ApplicationError(_("Not found."), code="not_found", status=404)
    return services.token_revoke(actor=request.user, token=token)


@router.get("/departments", response=list[DepartmentOut])
def list_departments(request):
    return Department.objects.all()


@router.post("/departments", response={201: DepartmentOut})
def create_department(request, payload: DepartmentIn):
    return Status(201, services.department_create(actor=request.user, name=payload.name, code=payload.code))


def _users():
    return User.objects.select_related("department").prefetch_related(
        Prefetch("roles", queryset=UserRole.objects.all())
    )


@router.get("/users", response=list[UserOut])
def list_users(request):
    if not permissions.can_list_users(request.user):
        raise ApplicationError(_("Forbidden."), code="forbidden", status=403)
    users = list(_users().order_by("username"))
    for user in users:
        user._role_cache = {role.role for role in user.roles.all()}
    return users


@router.post("/users", response={201: UserOut})
def create_user(request, payload: UserIn):
    department = None
    if payload.department is not None:
        department = Department.objects.filter(pk=payload.department).first()
        if department is None:
            raise field_error("department", _("Unknown department."))
    user = services.user_create(
        actor=request.user,
        username=payload.username,
        password=payload.password,
        department=department,
        roles=payload.roles,
        email=payload.email,
        display_name=payload.display_name,
    )
    return Status(201, user)
