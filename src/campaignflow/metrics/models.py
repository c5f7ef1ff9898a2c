"""Org-level channels. Daily metrics and definitions join this app with the tracking issue."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import ChannelKind


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
