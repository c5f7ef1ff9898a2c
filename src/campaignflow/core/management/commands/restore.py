"""`campaignflow restore FILE`: replace the database and uploaded files with a backup's."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from campaignflow.core import backup


class Command(BaseCommand):
    @property
    def help(self) -> str:  # translated when asked, not at import
        return _(
            "Restore a backup made by “campaignflow backup”: the database and the uploaded files are "
            "replaced. Stop the web and worker processes first."
        )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The backup file (.tar or .tar.gz)."))
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=_("Do not ask to confirm."),
        )
        parser.add_argument(
            "--migrate",
            action="store_true",
            help=_(
                "Run “campaignflow migrate” afterwards, to bring a backup from an older version up to date."
            ),
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        confirm = self._confirm if options["interactive"] else None
        try:
            manifest = backup.restore_backup(path, confirm=confirm)
        except backup.BackupError as exc:
            raise CommandError(str(exc))
        self.stdout.write(
            self.style.SUCCESS(
                _("Restored %(path)s (made %(created)s): the database and %(files)d files.")
                % {"path": path, "created": manifest.get("created_at"), "files": len(manifest["files"])}
            )
        )
        pending = backup.pending_migrations(manifest)
        if pending and options["migrate"]:
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
        elif pending:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "The backup is older than this version: run “campaignflow migrate” (%(count)d migrations)."
                    )
                    % {"count": len(pending)}
                )
            )

    def _confirm(self, manifest: dict) -> bool:
        database = settings.DATABASES["default"]
        self.stdout.write(
            _(
                "This replaces the database %(database)s and everything under %(media)s with the backup made "
                "%(created)s by version %(version)s."
            )
            % {
                "database": database.get("NAME"),
                "media": settings.MEDIA_ROOT,
                "created": manifest.get("created_at"),
                "version": manifest.get("app_version"),
            }
        )
        try:
            answer = input(_("Type “yes” to continue: "))
        except EOFError:  # no terminal: --noinput is how scripts say yes
            return False
        return answer.strip().lower() in ("yes", _("yes"))
