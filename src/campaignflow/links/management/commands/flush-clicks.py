"""`campaignflow flush-clicks`: store buffered clicks now and add clicks and conversions to the daily metrics."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from campaignflow.links import buffer


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _("Store buffered link clicks and add clicks and conversions to the daily metrics.")

    def handle(self, *args, **options):
        stored = buffer.flush_clicks()
        self.stdout.write(_("Stored %(count)d buffered clicks.") % {"count": stored})
