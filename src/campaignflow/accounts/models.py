"""Organization, departments, users with org roles, and hashed API tokens."""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import OrgRole


def default_approval_levels() -> list[str]:
    return [OrgRole.DEPARTMENT_HEAD.value, OrgRole.MANAGEMENT.value]


class Organization(models.Model):
    """The single organization this installation serves, with its settings (DESIGN §4)."""

    name = models.CharField(_("name"), max_length=200, default="CampaignFlow")
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    # Ordered list of org roles; level N of an approval is decided by a holder of the Nth role.
    approval_levels = models.JSONField(_("approval levels"), default=default_approval_levels)
    contingency_min = models.DecimalField(
        _("minimum contingency share"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.10"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    contingency_max = models.DecimalField(
        _("maximum contingency share"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.15"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    variance_threshold = models.DecimalField(
        _("settlement variance threshold"), max_digits=5, decimal_places=4, default=Decimal("0.05")
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organization")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> Organization:
        """The organization row, created with defaults on first use."""
        org = cls.objects.order_by("pk").first()
        return org or cls.objects.create()


class Department(models.Model):
    """A department that owns campaigns; its head approves them at level 1."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=30, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in. Org roles live in UserRole so a user can hold several."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def role_set(self) -> set[str]:
        """The user's org roles, cached on the instance for the request."""
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            cached = set(self.roles.values_list("role", flat=True)) if self.pk else set()
            self._role_cache = cached
        return cached

    def has_role(self, role: str) -> bool:
        return role in self.role_set or (role == OrgRole.ADMIN and self.is_superuser)


class UserRole(models.Model):
    """One org role held by one user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=OrgRole.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_user_role")]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the raw value is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, default="api")
    prefix = models.CharField(_("prefix"), max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def generate() -> str:
        return "cf_" + secrets.token_urlsafe(32)
