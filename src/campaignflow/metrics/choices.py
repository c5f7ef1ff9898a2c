from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    PAID_SOCIAL = "paid_social", _("Paid social")
    ORGANIC_SOCIAL = "organic_social", _("Organic social")
    SEARCH = "search", _("Search")
    KOL = "kol", _("KOL / influencer")
    EMAIL = "email", _("E-mail")
    ECOMMERCE = "ecommerce", _("E-commerce platform")
    LIVESTREAM = "livestream", _("Livestream")
    OFFLINE_STORE = "offline_store", _("Offline store")
    EVENT = "event", _("Event / exhibition")
    OTHER = "other", _("Other")


class MetricUnit(models.TextChoices):
    """How a metric's value reads: a count, an amount in the org currency, or a fraction."""

    COUNT = "count", _("Count")
    CURRENCY = "currency", _("Amount")
    RATIO = "ratio", _("Ratio")
