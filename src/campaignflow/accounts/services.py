"""Writes to accounts: departments, users and their roles, API tokens."""

from __future__ import annotations

import logging
import math

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaignflow.audit.services import audit_record
from campaignflow.core.errors import FieldError, Forbidden, ValidationFailed, field_error

from . import permissions, throttle
from .choices import OrgRole
from .models import ApiToken, Department, User, UserRole, hash_token

logger = logging.getLogger("campaignflow.accounts")


def _require_admin(actor) -> None:
    if not permissions.can_manage_accounts(actor):
        raise Forbidden(_("Only administrators may manage departments and users."))


@transaction.atomic
def department_create(*, actor, name: str, code: str = "") -> Department:
    """Add a department."""
    _require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise field_error("name", _("This field is required."))
    if len(name) > 100:
        raise field_error("name", _("Ensure this value has at most %(max)d characters.") % {"max": 100})
    # Cut to the column's length before the uniqueness check, or two long names collide on insert.
    code = (slugify(code or name)[:30].strip("-")) or f"dept-{Department.objects.count() + 1}"
    if Department.objects.filter(name=name).exists():
        raise field_error("name", _("A department with this name already exists."))
    if Department.objects.filter(code=code).exists():
        raise field_error("code", _("A department with this code already exists."))
    department = Department.objects.create(name=name, code=code)
    audit_record(actor=actor, verb="department.created", obj=department, after={"name": name, "code": code})
    return department


def _check_roles(roles: list[str]) -> list[str]:
    valid = set(OrgRole.values)
    bad = [role for role in roles if role not in valid]
    if bad:
        raise field_error(
            "roles",
            _("Unknown role “%(role)s”; choose from %(roles)s.")
            % {"role": bad[0], "roles": ", ".join(OrgRole.values)},
        )
    return sorted(set(roles))


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str,
    department: Department | None = None,
    roles: list[str] | None = None,
    email: str = "",
    display_name: str = "",
) -> User:
    """Add a user with org roles; the password must pass the configured validators."""
    _require_admin(actor)
    username = (username or "").strip()
    if not username:
        raise field_error("username", _("This field is required."))
    if User.objects.filter(username__iexact=username).exists():
        raise field_error("username", _("A user with this username already exists."))
    roles = _check_roles(list(roles or [OrgRole.MEMBER]))
    user = User(username=username, email=email or "", department=department, display_name=display_name or "")
    errors: list[FieldError] = []
    try:
        user.full_clean(exclude=["password"])
    except DjangoValidationError as exc:
        errors.extend(FieldError(name, m) for name, messages in exc.message_dict.items() for m in messages)
    try:
        password_validation.validate_password(password or "", user)
    except DjangoValidationError as exc:
        errors.extend(FieldError("password", m) for m in exc.messages)
    if errors:
        raise ValidationFailed(
            _("Some fields are invalid: %(fields)s")
            % {"fields": ", ".join(sorted({e.field for e in errors}))},
            errors,
        )
    user.set_password(password)
    # The admin role is the Django admin's superuser: "Django admin for everything".
    user.is_staff = user.is_superuser = OrgRole.ADMIN in roles
    user.save()
    UserRole.objects.bulk_create([UserRole(user=user, role=role) for role in roles])
    audit_record(
        actor=actor,
        verb="user.created",
        obj=user,
        after={"username": username, "department": department.pk if department else None, "roles": roles},
    )
    return user


@transaction.atomic
def user_set_roles(*, actor, user: User, roles: list[str]) -> User:
    """Replace the user's org roles."""
    _require_admin(actor)
    roles = _check_roles(roles)
    before = sorted(user.role_set)
    UserRole.objects.filter(user=user).exclude(role__in=roles).delete()
    UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in roles if r not in before])
    user._role_cache = None
    user.is_staff = user.is_superuser = OrgRole.ADMIN in roles
    user.save(update_fields=["is_staff", "is_superuser"])
    audit_record(
        actor=actor, verb="user.roles_changed", obj=user, before={"roles": before}, after={"roles": roles}
    )
    return user


@transaction.atomic
def token_issue(*, user: User, name: str = "api") -> tuple[ApiToken, str]:
    """Create a token for the user; returns the row and the raw value, which is never stored."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user, name=(name or "api")[:100], prefix=raw[3:11], key_hash=hash_token(raw)
    )
    audit_record(
        actor=user, verb="token.issued", obj=token, after={"name": token.name, "prefix": token.prefix}
    )
    return token, raw


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke the token at once; it never authenticates again. Revoking a revoked token is a no-op."""
    if not permissions.can_revoke_token(actor, token):
        raise Forbidden(_("You may revoke only your own tokens."))
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, verb="token.revoked", obj=token)
    return token


def token_authenticate(raw: str) -> User | None:
    """The active user a raw bearer token belongs to, or None. Records when it was last used."""
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Write last-used at most once a minute so busy clients don't turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- sign-in throttling (throttle.py) -----------------------------------------------------------------


def login_locked_for(*, username: str, address: str) -> int:
    """Seconds until a sign-in for this username from this address may be tried; 0: now."""
    wait = throttle.locked_for(username=username, address=address)
    if wait:
        logger.warning(
            "sign-in refused while locked: username=%r address=%s (%d s left)", username, address, wait
        )
    return wait


def lockout_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def login_failed(*, username: str, address: str, channel: str) -> int:
    """Count and record a failed sign-in; returns the seconds of the lock it caused, or 0.

    The audit trail gets the failure and the lockout when the username is a real account (a
    failure for a name nobody has is only logged, so nobody can fill the append-only trail);
    every failure is logged with the address.
    """
    failure = throttle.record_failure(username=username, address=address)
    user = User.objects.filter(username=username).first() if username else None
    details = {"address": address, "channel": channel, "failures": failure.username_failures}
    logger.warning("sign-in failed: username=%r address=%s channel=%s", username, address, channel)
    if user is not None:
        audit_record(actor=None, verb="user.login_failed", obj=user, after=details)
    if not (failure.locked_username or failure.locked_address):
        return 0
    seconds = throttle.limits().seconds
    what = "username" if failure.locked_username else "address"
    logger.warning("sign-in locked for %d s: %s username=%r address=%s", seconds, what, username, address)
    if user is not None:
        audit_record(
            actor=None,
            verb="user.login_locked",
            obj=user,
            after=details | {"locked": what, "seconds": seconds},
        )
    return seconds


def login_succeeded(*, username: str) -> None:
    throttle.record_success(username=username)
