"""`campaignflow token <username>`: issue an API token, list a user's tokens or revoke one."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from campaignflow.accounts import services
from campaignflow.accounts.models import User
from campaignflow.core.errors import ApplicationError


class Command(BaseCommand):
    @property
    def help(self) -> str:  # translated when asked, not at import
        return _(
            "Print a new API token for a user (only the token goes to standard output), "
            "or list or revoke the user's tokens."
        )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help=_("A label for the new token."))
        action = parser.add_mutually_exclusive_group()
        action.add_argument(
            "--revoke",
            metavar="PREFIX",
            help=_("Revoke the user's token with this prefix, as --list shows it (cf_ and 8 characters)."),
        )
        action.add_argument("--list", action="store_true", help=_("List the user's tokens."))

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("No user named “%(username)s”.") % {"username": options["username"]})
        if options["list"]:
            self._list(user)
        elif options["revoke"]:
            self._revoke(user, options["revoke"])
        else:
            self._issue(user, options["name"])

    def _issue(self, user: User, name: str) -> None:
        if not user.is_active:
            raise CommandError(_("User “%(username)s” is inactive.") % {"username": user.username})
        token, raw = services.token_issue(user=user, name=name)
        # The raw value goes alone to stdout so `TOKEN=$(campaignflow token alice)` works.
        self.stdout.write(raw)
        self.stderr.write(
            _("Token cf_%(prefix)s… issued to %(username)s; it is shown only this once.")
            % {"prefix": token.prefix, "username": user.username}
        )

    def _list(self, user: User) -> None:
        for token in user.api_tokens.order_by("created_at"):
            state = (
                _("revoked %(at)s") % {"at": f"{token.revoked_at:%Y-%m-%d %H:%M}"}
                if token.revoked_at
                else _("active")
            )
            last_used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else _("never used")
            self.stdout.write(
                f"cf_{token.prefix}…  {token.name}  {token.created_at:%Y-%m-%d %H:%M}  {last_used}  {state}"
            )

    def _revoke(self, user: User, given: str) -> None:
        # Shown as cf_XXXXXXXX… so that a prefix starting with "-" is not taken for an option.
        prefix = given.strip().removeprefix("cf_").rstrip("…")[:8]
        token = user.api_tokens.filter(prefix=prefix, revoked_at__isnull=True).first()
        if not prefix or token is None:
            raise CommandError(
                _("%(username)s has no active token with prefix “%(prefix)s”.")
                % {"username": user.username, "prefix": given}
            )
        try:
            services.token_revoke(actor=user, token=token)
        except ApplicationError as exc:
            raise CommandError(str(exc))
        self.stdout.write(_("Revoked token cf_%(prefix)s….") % {"prefix": token.prefix})
