"""Alert rules and the alerts they open (DESIGN §4: AlertRule, Alert)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from .choices import ACTIVE_STATUSES, AlertStatus, Condition, Severity, Source, Window

USER = settings.AUTH_USER_MODEL
RESPONSE_HOURS = 24  # seed 003: the project manager answers an anomaly within 24 hours


def _threshold(label):
    return models.DecimalField(label, max_digits=18, decimal_places=4)


def _value(label):
    return models.DecimalField(label, max_digits=24, decimal_places=6, null=True, blank=True)


class AlertRule(models.Model):
    """When to raise an alert: a metric, a scope and a condition with its threshold.

    A rule without a campaign is an organization default and applies to every live campaign; a
    rule without a channel judges the campaign's totals, one with a channel that channel only.
    """

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alert_rules",
    )
    channel = models.ForeignKey(
        "metrics.Channel",
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    metric = models.CharField(_("metric"), max_length=40)  # a metrics.MetricDefinition key
    condition = models.CharField(_("condition"), max_length=30, choices=Condition.choices)
    threshold = _threshold(_("threshold"))
    window = models.CharField(_("window"), max_length=10, choices=Window.choices, default=Window.DAY)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.WARNING
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["campaign_id", "id"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold__gte=0), name="alert_rule_threshold_not_negative"
            )
        ]

    def __str__(self) -> str:
        return self.name or self.describe()

    @property
    def is_org_default(self) -> bool:
        return self.campaign_id is None

    def describe(self, name: str | None = None) -> str:
        """The rule in words, in the active language: "CVR 30 % worse than target"."""
        from .conditions import describe

        name = name or getattr(self, "metric_label", None)
        return describe(self.metric, self.condition, self.threshold, self.window, name=name)

    @property
    def label(self) -> str:
        return self.name or self.describe()


class Alert(models.Model):
    """A breach of a rule for one campaign (and channel): answered within 24 hours or escalated.

    Re-evaluation updates the active alert of a (rule, campaign, channel) instead of opening
    another; `still_breaching` says whether the latest evaluation still found the breach.

    An alert the product raises itself has no rule: its `source` says what raised it (a budget
    category overspent) and `subject` which one ("materials", "total"); one active alert per
    campaign, source and subject.
    """

    rule = models.ForeignKey(
        AlertRule,
        verbose_name=_("rule"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.RULE)
    subject = models.CharField(_("subject"), max_length=40, blank=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="alerts"
    )
    channel = models.ForeignKey(
        "metrics.Channel",
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What the rule said when the alert opened: a later edit of the rule does not rewrite history.
    metric = models.CharField(_("metric"), max_length=40)
    condition = models.CharField(_("condition"), max_length=30, choices=Condition.choices)
    threshold = _threshold(_("threshold"))
    window = models.CharField(_("window"), max_length=10, choices=Window.choices, default=Window.DAY)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    day = models.DateField(_("day"))  # the latest day of data the values come from
    observed = _value(_("observed"))
    expected = _value(_("expected"))
    still_breaching = models.BooleanField(_("still breaching"), default=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    opened_at = models.DateTimeField(_("opened"))
    due_at = models.DateTimeField(_("response due"))
    last_evaluated_at = models.DateTimeField(_("last evaluated"))
    acknowledged_by = models.ForeignKey(
        USER,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    response_plan = models.TextField(_("response plan"), blank=True, max_length=5000)
    resolved_by = models.ForeignKey(
        USER, verbose_name=_("resolved by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolution_note = models.TextField(_("resolution note"), blank=True, max_length=2000)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            # One active alert per rule, campaign and channel (no channel counts as one scope):
            # two evaluations racing past the lookup cannot both insert.
            models.UniqueConstraint(
                "rule",
                "campaign",
                Coalesce("channel", 0),
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="one_active_alert_per_rule_scope",
            ),
            models.UniqueConstraint(
                fields=["campaign", "source", "subject"],
                condition=models.Q(status__in=ACTIVE_STATUSES, rule__isnull=True),
                name="one_active_system_alert_per_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(source=Source.RULE, rule__isnull=False)
                | ~models.Q(source=Source.RULE) & models.Q(rule__isnull=True),
                name="alert_rule_matches_source",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="alert_status_due"),
            models.Index(fields=["campaign", "status"], name="alert_campaign_status"),
        ]

    def __str__(self) -> str:
        return _gettext("%(metric)s alert on %(day)s") % {"metric": self.metric, "day": self.day}

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_escalated(self) -> bool:
        return self.escalation_level > 0

    @property
    def subject_label(self) -> str:
        """What a system alert is about, in the active language ("Materials", "Total budget")."""
        if self.source == Source.BUDGET:
            from campaignflow.campaigns.choices import BudgetCategory

            if self.subject in BudgetCategory.values:
                return str(BudgetCategory(self.subject).label)
            return _gettext("Total budget")
        return self.subject

    @property
    def label(self) -> str:
        """The rule's label, or for a system alert what it checks: "Spend above budget: Materials"."""
        if self.rule_id is not None:
            return self.rule.label
        return _gettext("Spend above budget: %(subject)s") % {"subject": self.subject_label}
