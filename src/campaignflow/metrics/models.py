"""Org-level channels and metric definitions, and each campaign's daily channel data (Table 3)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from campaignflow.campaigns.choices import Direction

from . import calc
from .choices import ChannelKind, MetricUnit


class Channel(models.Model):
    """A place the organization spends and measures: WeChat Moments, Douyin, a store, …"""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind.choices, default=ChannelKind.OTHER)
    online = models.BooleanField(_("online"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return self.name


class MetricDefinition(models.Model):
    """What a metric means for the whole organization: one definition, used everywhere.

    Base measures (impressions, clicks, …) have their own key as formula; derived metrics have a
    formula over base measures (calc.compile_formula checks it), e.g. CVR = conversions / clicks.
    """

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=100, blank=True)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=100, blank=True)
    formula = models.CharField(_("formula"), max_length=calc.FORMULA_MAX_LENGTH)
    unit = models.CharField(_("unit"), max_length=10, choices=MetricUnit.choices, default=MetricUnit.RATIO)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    builtin = models.BooleanField(_("built in"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=100)

    class Meta:
        ordering = ["position", "key"]
        verbose_name = _("metric definition")
        verbose_name_plural = _("metric definitions")

    def __str__(self) -> str:
        return self.name

    @property
    def is_base(self) -> bool:
        return self.formula == self.key and self.key in calc.BASE_MEASURES

    @property
    def names(self) -> dict[str, str]:
        return {"en": self.name_en, "zh-hans": self.name_zh_hans, "zh-hant": self.name_zh_hant}

    @property
    def name(self) -> str:
        """The name in the active language, falling back to English."""
        language = (get_language() or "en").lower()
        if language.startswith("zh"):
            traditional = language in ("zh-hant", "zh-tw", "zh-hk", "zh-mo")
            localized = self.name_zh_hant if traditional else self.name_zh_hans
            return localized or self.name_zh_hans or self.name_zh_hant or self.name_en
        return self.name_en

    def as_definition(self) -> calc.Definition:
        return calc.Definition(self.key, self.formula, self.unit, self.direction, self.names)


def _count(label):
    # db_default lets an import write only the columns its file has: the others start at 0.
    return models.PositiveBigIntegerField(label, default=0, db_default=0)


def _amount(label):
    return models.DecimalField(label, max_digits=16, decimal_places=2, default=Decimal("0"), db_default=0)


class DailyMetric(models.Model):
    """One channel's numbers for one day of one campaign (活动数据日报表, Table 3).

    Unique per (campaign, channel, date): a re-import updates the row, never duplicates it.
    """

    # No database foreign-key constraints on this fact table: PostgreSQL checks each one with a
    # trigger per inserted row, which more than doubles the time of a million-row import (see
    # bench/import_metrics.py). Integrity is kept by the code that writes here: the importer
    # resolves channels from the table and locks the campaign row, and deletes go through the
    # ORM, which still cascades from the campaign and refuses to delete a channel with data.
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="daily_metrics",
        db_constraint=False,
        db_index=False,  # the unique index below starts with campaign
    )
    channel = models.ForeignKey(
        Channel,
        verbose_name=_("channel"),
        on_delete=models.PROTECT,
        related_name="daily_metrics",
        db_constraint=False,
        db_index=False,
    )
    date = models.DateField(_("date"))
    impressions = _count(_("impressions"))
    clicks = _count(_("clicks"))
    conversions = _count(_("conversions"))
    new_users = _count(_("new users"))
    revenue = _amount(_("revenue"))
    cost = _amount(_("cost"))
    leads = _count(_("leads"))
    mqls = _count(_("MQLs"))
    opportunities = _count(_("opportunities"))
    visits = _count(_("visits"))
    negative_comments = _count(_("negative comments"))
    note = models.CharField(_("note"), max_length=500, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("daily metric")
        verbose_name_plural = _("daily metrics")
        constraints = [
            # Column order (campaign, date, channel) makes this the index of the KPI queries too:
            # they filter one campaign and a date range, then group by day or channel.
            models.UniqueConstraint(fields=["campaign", "date", "channel"], name="unique_daily_metric"),
            models.CheckConstraint(
                condition=models.Q(revenue__gte=0), name="daily_metric_revenue_not_negative"
            ),
            models.CheckConstraint(condition=models.Q(cost__gte=0), name="daily_metric_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.channel}"

    @property
    def measures(self) -> dict:
        return {name: getattr(self, name) for name in calc.BASE_MEASURES}

    @property
    def metrics(self) -> dict:
        return calc.derive(self.measures)
