from django.db import models
from django.utils.translation import gettext_lazy as _

from campaignflow.campaigns.choices import CampaignStatus


class ExperimentStatus(models.TextChoices):
    """Where an A/B test is in its life. Transitions live in lifecycle.TRANSITIONS."""

    DRAFT = "draft", _("Draft")  # being designed: variants, metric and MDE can change
    RUNNING = "running", _("Running")  # traffic is split; observations come in
    STOPPED = "stopped", _("Stopped")  # no more traffic; waiting for a decision
    DECIDED = "decided", _("Decided")  # a winner was shipped or control kept; frozen


class PrimaryMetric(models.TextChoices):
    """What the test is judged on."""

    CONVERSION_RATE = "conversion_rate", _("Conversion rate")  # conversions / visitors
    REVENUE_PER_VISITOR = "revenue_per_visitor", _("Revenue per visitor")  # revenue / visitors


class DataSource(models.TextChoices):
    """Where the variants' visitors and conversions come from (sources.py reads each)."""

    MANUAL = "manual", _("Entered counts")  # typed in the page or PUT through the API
    DAILY_METRICS = "daily_metrics", _("Daily data of the variant's channel")  # clicks, conversions
    TRACKED_LINK = "tracked_link", _("Tracked link of each variant")  # its clicks and conversions


class VerdictKind(models.TextChoices):
    KEEP_RUNNING = "keep_running", _("Keep running")
    SHIP = "ship", _("Ship the winner")
    STOP = "stop", _("Stop")


# No experiment is written once the campaign is over.
LOCKED_CAMPAIGN_STATUSES = (CampaignStatus.ARCHIVED, CampaignStatus.CANCELLED)
