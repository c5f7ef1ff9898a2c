"""`campaignflow backup [FILE]`: write a backup; `campaignflow backup --verify FILE`: check one."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from campaignflow.core import backup


class Command(BaseCommand):
    @property
    def help(self) -> str:  # translated when asked, not at import
        return _(
            "Back up the database and uploaded files into one tar file with a manifest of checksums, "
            "or verify a backup by checking it and restoring its database into a scratch location."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "output",
            nargs="?",
            default=".",
            help=_(
                "File to write (.tar, or .tar.gz to compress) or a directory for a dated file; "
                "default: the current directory."
            ),
        )
        parser.add_argument(
            "--include-secret",
            action="store_true",
            help=_("Also store the generated secret key (<data dir>/secret_key); off by default."),
        )
        parser.add_argument("--verify", metavar="FILE", help=_("Verify this backup instead of writing one."))

    def handle(self, *args, **options):
        try:
            if options["verify"]:
                self._verify(Path(options["verify"]))
            else:
                self._backup(Path(options["output"]), options["include_secret"])
        except backup.BackupError as exc:
            raise CommandError(str(exc))

    def _backup(self, output: Path, include_secret: bool) -> None:
        manifest = backup.create_backup(output, include_secret=include_secret)
        tables = manifest["database"]["tables"]
        self.stdout.write(
            self.style.SUCCESS(
                _("Backup written to %(path)s: %(tables)d tables, %(rows)d rows, %(files)d files.")
                % {
                    "path": manifest["path"],
                    "tables": len(tables),
                    "rows": sum(tables.values()),
                    "files": len(manifest["files"]),
                }
            )
        )
        if not include_secret:
            self.stdout.write(
                _(
                    "The secret key is not in the backup: keep CAMPAIGNFLOW_SECRET_KEY (or <data dir>/secret_key) "
                    "safe separately, or use --include-secret."
                )
            )

    def _verify(self, path: Path) -> None:
        result = backup.verify_backup(path)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(path)s is good: %(files)d files match their checksums; the database restored into a "
                    "scratch location with %(tables)d tables and %(rows)d rows, as the manifest records."
                )
                % {"path": path, "files": result.files, "tables": result.tables, "rows": result.rows}
            )
        )
