"""`campaignflow demo`: load the demo organization (青岚茶饮) once; later runs change nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils.translation import gettext as _

from campaignflow.campaigns import demo
from campaignflow.campaigns.choices import CampaignStatus
from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import ApplicationError


class Command(BaseCommand):
    @property
    def help(self) -> str:  # translated when asked, not at import
        return _(
            "Load a demo organization with users, channels and campaigns in every stage. "
            "Idempotent: once loaded, running it again creates nothing."
        )

    def handle(self, *args, **options):
        try:
            result = demo.demo_load()
        except ApplicationError as exc:
            raise CommandError(_("The demo could not be loaded: %(reason)s") % {"reason": exc})
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Demo organization “%(org)s” loaded with %(count)d campaigns.")
                    % {"org": demo.ORG_NAME, "count": len(result.campaigns)}
                )
            )
        else:
            self.stdout.write(_("Demo organization “%(org)s” is already loaded.") % {"org": demo.ORG_NAME})
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self._print_campaigns()
        self._print_users()

    def _print_campaigns(self) -> None:
        counts = dict(Campaign.objects.values_list("status").annotate(n=Count("id")).order_by())
        summary = ", ".join(
            f"{label} {counts[value]}" for value, label in CampaignStatus.choices if counts.get(value)
        )
        self.stdout.write(_("Campaigns by status: %(summary)s") % {"summary": summary or "-"})

    def _print_users(self) -> None:
        self.stdout.write(
            _("Sign in with any of these users; the password is “%(password)s”:")
            % {"password": demo.DEMO_PASSWORD}
        )
        for user in demo.USERS:
            self.stdout.write(f"  {user.username:<15} {user.display_name}\t{user.title}")
