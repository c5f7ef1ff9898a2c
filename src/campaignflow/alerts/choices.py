"""Conditions, severities and the life of an alert (seed 003 stage 3: 数据异常 → 24 小时内响应)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Condition(models.TextChoices):
    """When a rule fires. Percentages are fractions (0.3 = 30 %), as every rate in the API.

    "Worse" follows the metric definition's direction: below for higher-is-better metrics (CVR),
    above for lower-is-better ones (CPA, negative comments).
    """

    BELOW_TARGET_PCT = "below_target_pct", _("Worse than the goal's target by X %")
    ABOVE_ABSOLUTE = "above_absolute", _("Above N")
    DAY_OVER_DAY_CHANGE_PCT = "day_over_day_change_pct", _("Worse than the day before by X %")


# Conditions whose threshold is a fraction; at most MAX_FRACTION of them (a 1000 % swing).
PERCENT_CONDITIONS = (Condition.BELOW_TARGET_PCT, Condition.DAY_OVER_DAY_CHANGE_PCT)


class Source(models.TextChoices):
    """What opened an alert: one of the alert rules on the campaign's data, or a check the product
    makes itself (recorded spend past a budget category, DESIGN §4, seed 002 budget control)."""

    RULE = "rule", _("Alert rule")
    BUDGET = "budget", _("Budget")


class Window(models.TextChoices):
    """Which days a rule's value is summed over; day-over-day always compares two single days."""

    DAY = "day", _("The latest day with data")
    TO_DATE = "to_date", _("From the campaign's start to the latest day")


class Severity(models.TextChoices):
    INFO = "info", _("Info")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class AlertStatus(models.TextChoices):
    """Where an alert is. Transitions live in services.TRANSITIONS."""

    OPEN = "open", _("Open")  # fired; the project manager owes a response plan by due_at
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")  # a response plan is recorded; being worked on
    RESOLVED = "resolved", _("Resolved")  # closed by a person; final


# An alert still in play: one of these per (rule, campaign, channel) at most.
ACTIVE_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)
