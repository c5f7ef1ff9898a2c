from django.db import models
from django.utils.translation import gettext_lazy as _


class UaClass(models.TextChoices):
    """What kind of client followed a link, read from its User-Agent."""

    BROWSER = "browser", _("Desktop browser")
    MOBILE = "mobile", _("Mobile")
    BOT = "bot", _("Bot")
    OTHER = "other", _("Other")


class Rollup(models.IntegerChoices):
    """Whether a click or conversion has been added to its channel's daily metrics."""

    PENDING = 0, _("Pending")  # stored, not yet added
    DONE = 1, _("Added")  # counted in DailyMetric
    SKIPPED = 2, _("Not counted")  # a bot, or a day the campaign takes no data for
