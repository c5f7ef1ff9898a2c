"""API routes for health, tokens, the current user, departments and users."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Router, Status

from campaignflow.core.errors import ApplicationError, field_error

from . import permissions, services
from .models import Department, User, UserRole
from .schemas import DepartmentIn, DepartmentOut, TokenIn, TokenOut, UserIn, UserOut

router = Router(tags=["accounts"])


@router.get("/health", auth=None)
def health(request):
    """Liveness: answers without touching anything that may be down."""
    return {"status": "ok"}


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: dict})
def issue_token(request, payload: TokenIn):
    """Exchange a username and password for a bearer token. Wrong credentials: 401, no hint why."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        return Status(
            401,
            {
                "detail": _("Invalid username or password."),
                "code": "invalid_credentials",
                "errors": [],
            },
        )
    token, raw = services.token_issue(user=user, name=payload.name)
    return Status(200, {"token": raw, "prefix": token.prefix})


@router.get("/me", response=UserOut)
def me(request):
    return request.user


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
