"""A/B tests of a campaign: the design, the variants and what each variant has observed so far."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import DataSource, ExperimentStatus, PrimaryMetric


class Experiment(models.Model):
    """One A/B test: a hypothesis, a primary metric, the effect worth detecting and the verdict.

    `mde` is the minimum detectable effect as a relative change (0.10 = +10 % over control);
    `alpha` the false-positive rate and `power` the chance to detect an effect of size `mde`.
    The baseline fields feed the design (sample size); `daily_visitors` the days it takes until
    real traffic is observed. With `sequential` the results may be looked at any time.
    """

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="experiments"
    )
    name = models.CharField(_("name"), max_length=200)
    hypothesis = models.TextField(_("hypothesis"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExperimentStatus.choices, default=ExperimentStatus.DRAFT
    )
    metric = models.CharField(
        _("primary metric"),
        max_length=30,
        choices=PrimaryMetric.choices,
        default=PrimaryMetric.CONVERSION_RATE,
    )
    data_source = models.CharField(
        _("data source"), max_length=20, choices=DataSource.choices, default=DataSource.MANUAL
    )
    mde = models.FloatField(_("minimum detectable effect"), default=0.1)
    alpha = models.FloatField(_("significance level"), default=0.05)
    power = models.FloatField(_("power"), default=0.8)
    sequential = models.BooleanField(_("safe to peek (sequential)"), default=False)
    baseline_rate = models.FloatField(_("baseline conversion rate"), null=True, blank=True)
    baseline_mean = models.FloatField(_("baseline revenue per visitor"), null=True, blank=True)
    baseline_sd = models.FloatField(_("standard deviation of revenue per visitor"), null=True, blank=True)
    daily_visitors = models.PositiveIntegerField(_("expected visitors per day"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    winner = models.ForeignKey(
        "Variant",
        verbose_name=_("shipped variant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_note = models.TextField(_("decision"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("experiment")
        verbose_name_plural = _("experiments")

    def __str__(self) -> str:
        return self.name


class Variant(models.Model):
    """One arm of a test, with its traffic share and its observations so far.

    With the `daily_metrics` source the counts are read from the channel's daily data (clicks
    and visits as visitors); with `tracked_link` from the clicks and conversions of `link` (a
    link of the experiment's campaign, one per variant); with `manual` they are entered.
    """

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="variants")
    name = models.CharField(_("name"), max_length=100)
    is_control = models.BooleanField(_("control"), default=False)
    weight = models.FloatField(_("traffic weight"), default=1.0)
    channel = models.ForeignKey(
        "metrics.Channel",
        verbose_name=_("channel"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    link = models.ForeignKey(
        "links.TrackedLink",
        verbose_name=_("tracked link"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(default=0)
    visitors = models.PositiveBigIntegerField(_("visitors"), default=0)
    conversions = models.PositiveBigIntegerField(_("conversions"), default=0)
    revenue = models.DecimalField(_("revenue"), max_digits=16, decimal_places=2, default=Decimal("0"))
    revenue_sum_squares = models.DecimalField(
        _("sum of squared revenue per visitor"), max_digits=28, decimal_places=4, default=Decimal("0")
    )
    observed_at = models.DateTimeField(_("observed at"), null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        constraints = [
            models.UniqueConstraint(fields=["experiment", "name"], name="unique_variant_name"),
            models.CheckConstraint(
                condition=models.Q(conversions__lte=models.F("visitors")),
                name="variant_conversions_within_visitors",
            ),
        ]

    def __str__(self) -> str:
        return self.name
