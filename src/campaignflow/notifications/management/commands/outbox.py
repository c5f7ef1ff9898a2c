"""`campaignflow outbox`: the notification outbox at a glance; send what is due; revive dead deliveries."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from campaignflow.notifications import delivery
from campaignflow.notifications.choices import DeliveryStatus


class Command(BaseCommand):
    @property
    def help(self) -> str:  # translated when asked, not at import
        return _(
            "Show the notification outbox by status. --send sends every due delivery now (what the "
            "worker does every minute); --revive-dead gives given-up deliveries a new set of attempts."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--send", action="store_true", help=_("Send every due delivery now, in this process.")
        )
        parser.add_argument(
            "--revive-dead", action="store_true", help=_("Queue the given-up deliveries again.")
        )
        parser.add_argument(
            "--since", default=None, help=_("With --revive-dead: only those created since this ISO time.")
        )

    def handle(self, *args, **options):
        if options["revive_dead"]:
            since = None
            if options["since"]:
                since = parse_datetime(options["since"])
                if since is None:
                    raise CommandError(
                        _("--since must be an ISO date and time, e.g. 2026-05-01T08:00+08:00.")
                    )
            revived = delivery.deliveries_revive(since=since)
            self.stdout.write(_("%(count)d deliveries queued again.") % {"count": revived})
        if options["send"]:
            outcomes = delivery.retry_due()
            for status, count in sorted(outcomes.items()):
                self.stdout.write(f"{status}: {count}")
        for status, count in delivery.outbox_counts().items():
            self.stdout.write(f"{DeliveryStatus(status).label}: {count}")
