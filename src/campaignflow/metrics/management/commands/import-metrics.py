"""`campaignflow import-metrics <campaign> <file>`: import a channel export from the shell.

The command is named with a hyphen like the rest of the CLI (DESIGN §5); Django finds command
modules by file name and imports them with importlib, which accepts the hyphen. It acts as a
named user (--user) through the same service as the API and the web UI.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaignflow.accounts.models import User
from campaignflow.campaigns import selectors
from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import ApplicationError
from campaignflow.metrics import services
from campaignflow.metrics.imports.headers import presets
from campaignflow.metrics.imports.rows import channel_key
from campaignflow.metrics.models import Channel

NUMBER = re.compile(r"MC-\d{4}-\d{4,}", re.IGNORECASE)


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "Import daily channel data (CSV or XLSX) into a campaign: every row or none, every "
            "problem listed with its row and column."
        )

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="campaign id or registration number (MC-YYYY-NNNN)")
        parser.add_argument("file", help="path of the CSV or XLSX file")
        parser.add_argument("--user", required=True, help="username to act as")
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        parser.add_argument("--preset", default=None, help="export format: " + ", ".join(presets()))
        parser.add_argument("--channel", default=None, help="channel (name or id) of rows that name none")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(_("No active user “%(user)s”.") % {"user": options["user"]})
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        try:
            campaign = self._campaign(user, options["campaign"])
            channel = self._channel(options["channel"])
            with path.open("rb") as stream:
                result = services.daily_metrics_import(
                    campaign=campaign,
                    actor=user,
                    stream=stream,
                    filename=path.name,
                    dry_run=options["dry_run"],
                    preset=options["preset"],
                    default_channel=channel,
                )
        except services.ImportFailed as exc:
            for issue in exc.errors:
                self.stderr.write(_describe(issue))
            for warning in exc.warnings:
                self.stderr.write(_("warning: %(issue)s") % {"issue": _describe(warning)})
            raise CommandError(str(exc.message))
        except ApplicationError as exc:
            details = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
            raise CommandError(f"{exc.message} {details}".strip())
        for warning in result.warnings:
            self.stderr.write(_("warning: %(issue)s") % {"issue": _describe(warning)})
        if result.dry_run:
            message = ngettext(
                "Dry run: %(rows)d row is valid; %(created)d would be added and %(updated)d updated.",
                "Dry run: %(rows)d rows are valid; %(created)d would be added and %(updated)d updated.",
                result.rows,
            )
        else:
            message = ngettext(
                "Imported %(rows)d row: %(created)d added, %(updated)d updated.",
                "Imported %(rows)d rows: %(created)d added, %(updated)d updated.",
                result.rows,
            )
        self.stdout.write(
            self.style.SUCCESS(
                message % {"rows": result.rows, "created": result.created, "updated": result.updated}
            )
        )

    def _campaign(self, user, reference: str) -> Campaign:
        reference = reference.strip()
        if NUMBER.fullmatch(reference):
            pk = Campaign.objects.filter(number__iexact=reference).values_list("pk", flat=True).first()
            if pk is None:
                raise CommandError(_("Campaign not found."))
        elif reference.isdigit():
            pk = int(reference)
        else:
            raise CommandError(_("Name the campaign by its id or its number (MC-YYYY-NNNN)."))
        return selectors.campaign_get(user=user, pk=pk)

    def _channel(self, reference: str | None) -> Channel | None:
        if not reference:
            return None
        if reference.isdigit():
            channel = Channel.objects.filter(pk=int(reference)).first()
        else:
            key = channel_key(reference)
            channel = next((c for c in Channel.objects.all() if channel_key(c.name) == key), None)
        if channel is None:
            raise CommandError(_("Unknown channel “%(channel)s”.") % {"channel": reference})
        return channel


def _describe(issue) -> str:
    where = []
    if issue.row is not None:
        where.append(_("row %(row)d") % {"row": issue.row})
    if issue.column:
        where.append(issue.column)
    return f"{', '.join(where)}: {issue.message}" if where else str(issue.message)
