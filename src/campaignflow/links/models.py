"""Tracked short links (UTM-tagged), the clicks on them and the conversions posted back (DESIGN §4)."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Rollup, UaClass

USER = settings.AUTH_USER_MODEL
CODE_MAX = 32

DEFAULT_SOURCES = [
    "wechat",
    "weibo",
    "douyin",
    "xiaohongshu",
    "baidu",
    "tmall",
    "jd",
    "bilibili",
    "zhihu",
    "email",
    "sms",
    "offline",
    "partner",
]
DEFAULT_MEDIUMS = [
    "cpc",
    "social",
    "paid_social",
    "kol",
    "email",
    "sms",
    "qr",
    "poster",
    "display",
    "search",
    "referral",
    "livestream",
    "organic",
]


def default_sources() -> list[str]:
    return list(DEFAULT_SOURCES)


def default_mediums() -> list[str]:
    return list(DEFAULT_MEDIUMS)


def new_secret() -> str:
    return secrets.token_hex(32)


class LinkSettings(models.Model):
    """The organization's UTM naming rules and the secret that signs conversion postbacks (one row)."""

    lowercase = models.BooleanField(_("UTM values must be lowercase"), default=True)
    # An empty list allows any value.
    allowed_sources = models.JSONField(_("allowed sources"), default=default_sources, blank=True)
    allowed_mediums = models.JSONField(_("allowed mediums"), default=default_mediums, blank=True)
    postback_secret = models.CharField(_("postback secret"), max_length=128, default=new_secret)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("link settings")
        verbose_name_plural = _("link settings")

    def __str__(self) -> str:
        return str(_("Tracked link settings"))

    @classmethod
    def current(cls) -> LinkSettings:
        """The settings row, created with defaults on first use."""
        return cls.objects.order_by("pk").first() or cls.objects.create()


class TrackedLink(models.Model):
    """A short link `/r/<code>` that redirects to the target URL tagged with UTM parameters."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="tracked_links",
    )
    channel = models.ForeignKey(
        "metrics.Channel", verbose_name=_("channel"), on_delete=models.PROTECT, related_name="tracked_links"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    code = models.CharField(_("short code"), max_length=CODE_MAX, unique=True)
    target_url = models.URLField(_("target URL"), max_length=2000)
    utm_source = models.CharField(_("utm_source"), max_length=100)
    utm_medium = models.CharField(_("utm_medium"), max_length=100)
    utm_campaign = models.CharField(_("utm_campaign"), max_length=100, blank=True)
    utm_content = models.CharField(_("utm_content"), max_length=100, blank=True)
    utm_term = models.CharField(_("utm_term"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tracked link")
        verbose_name_plural = _("tracked links")

    def __str__(self) -> str:
        return self.name or self.code

    @property
    def utm(self) -> dict[str, str]:
        return {
            "utm_source": self.utm_source,
            "utm_medium": self.utm_medium,
            "utm_campaign": self.utm_campaign,
            "utm_content": self.utm_content,
            "utm_term": self.utm_term,
        }

    @property
    def tagged_url(self) -> str:
        from .utm import build_url

        return build_url(self.target_url, self.utm)

    @property
    def short_url(self) -> str:
        return f"{settings.CAMPAIGNFLOW_BASE_URL}/r/{self.code}"


class Click(models.Model):
    """One follow of a link. No IP address is stored: `visitor` is a salted hash of IP and user agent.

    The salt changes every day, so one person counts as one visitor per day and cannot be followed
    across days. Written in batches by buffer.flush_clicks, never by the redirect itself.
    """

    link = models.ForeignKey(
        TrackedLink, verbose_name=_("link"), on_delete=models.CASCADE, related_name="clicks"
    )
    at = models.DateTimeField(_("time"))
    day = models.DateField(_("day"))
    visitor = models.CharField(_("visitor"), max_length=32)
    ua_class = models.CharField(_("client"), max_length=10, choices=UaClass.choices, default=UaClass.OTHER)
    is_bot = models.BooleanField(_("bot"), default=False)
    # Handed to the landing page as ?cf_click= so a conversion postback can name its click.
    token = models.CharField(_("click id"), max_length=24, blank=True, db_index=True)
    rollup = models.PositiveSmallIntegerField(choices=Rollup.choices, default=Rollup.PENDING)

    class Meta:
        verbose_name = _("click")
        verbose_name_plural = _("clicks")
        indexes = [
            models.Index(fields=["link", "day"], name="links_click_link_day"),
            models.Index(fields=["id"], condition=models.Q(rollup=0), name="links_click_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.link_id} {self.at:%Y-%m-%d %H:%M}"


class Conversion(models.Model):
    """A conversion posted back by the landing site, attributed to a link (and its click when named)."""

    link = models.ForeignKey(
        TrackedLink, verbose_name=_("link"), on_delete=models.CASCADE, related_name="conversions"
    )
    click = models.ForeignKey(
        Click, verbose_name=_("click"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    external_id = models.CharField(_("external id"), max_length=100)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, default=Decimal("0"))
    at = models.DateTimeField(_("time"))
    day = models.DateField(_("day"))
    rollup = models.PositiveSmallIntegerField(choices=Rollup.choices, default=Rollup.PENDING)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("conversion")
        verbose_name_plural = _("conversions")
        constraints = [
            # Replay protection: the same postback twice is one conversion (the second gets 409).
            models.UniqueConstraint(fields=["link", "external_id"], name="unique_conversion_per_link"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="conversion_value_not_negative"),
        ]
        indexes = [models.Index(fields=["id"], condition=models.Q(rollup=0), name="links_conv_pending")]

    def __str__(self) -> str:
        return self.external_id


class ClickBatch(models.Model):
    """A batch of clicks taken from Redis and stored; lets a flush interrupted after its commit
    recognise the batch as done instead of storing it twice."""

    key = models.CharField(max_length=200, unique=True)
    clicks = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("click batch")
        verbose_name_plural = _("click batches")

    def __str__(self) -> str:
        return self.key
