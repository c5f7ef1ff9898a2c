"""`campaignflow report <campaign> <kind> --format md|xlsx|pdf|json [--date] [--output FILE]`.

Builds the same report as GET /api/v1/campaigns/{id}/reports/{kind} through the registry. Run
from the server's shell it reads every campaign; with --user it sees what that user may see.
Without --output, md and json go to standard output; xlsx and pdf are written to the report's own
file name in the current directory.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from campaignflow.accounts.models import User
from campaignflow.campaigns import selectors
from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import ApplicationError
from campaignflow.reports import registry

NUMBER = re.compile(r"MC-\d{4}-\d{4,}", re.IGNORECASE)


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _("Produce a campaign report (plan, tasks, daily, interim) as Markdown, XLSX or JSON.")

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="campaign id or registration number (MC-YYYY-NNNN)")
        parser.add_argument("kind", help="plan, tasks, daily or interim")
        parser.add_argument("--format", default="md", help="md, xlsx, pdf or json (default md)")
        parser.add_argument(
            "--date", default=None, help="daily: the day, YYYY-MM-DD (default: last day with data)"
        )
        parser.add_argument("--review", type=int, default=None, help="interim: review id (default: latest)")
        parser.add_argument(
            "--output", "-o", default=None, help="file to write (default: stdout for md/json)"
        )
        parser.add_argument("--user", default=None, help="act as this user (default: full access)")

    def handle(self, *args, **options):
        day = None
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(_("--date must be a date like 2024-06-10."))
        try:
            campaign = self._campaign(options["campaign"], options["user"])
            rendered = registry.produce(
                options["kind"],
                options["format"],
                campaign=campaign,
                request=registry.Request(date=day, review_id=options["review"]),
            )
        except ApplicationError as exc:
            details = "; ".join(
                f"{e.field}: {e.message}" for e in exc.errors if str(e.message) != str(exc.message)
            )
            raise CommandError(f"{exc.message} {details}".strip())
        output = options["output"]
        if output is None and not rendered.filename.endswith((".xlsx", ".pdf")):
            self.stdout.write(rendered.content.decode())
            return
        path = Path(output or rendered.filename)
        try:
            path.write_bytes(rendered.content)
        except OSError as exc:
            raise CommandError(_("Cannot write %(path)s: %(error)s") % {"path": path, "error": exc.strerror})
        self.stderr.write(_("Wrote %(path)s.") % {"path": path})

    def _campaign(self, reference: str, username: str | None) -> Campaign:
        reference = reference.strip()
        if NUMBER.fullmatch(reference):
            campaign = Campaign.objects.filter(number__iexact=reference).first()
        elif reference.isdigit() and len(reference) < 19:
            campaign = Campaign.objects.filter(pk=int(reference)).first()
        else:
            raise CommandError(_("Name the campaign by its id or its number (MC-YYYY-NNNN)."))
        if campaign is None:
            raise CommandError(_("Campaign not found."))
        if username is None:
            return campaign
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user “%(user)s”.") % {"user": username})
        return selectors.campaign_get(user=user, pk=campaign.pk)
