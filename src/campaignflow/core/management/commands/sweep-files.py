"""`campaignflow sweep-files`: remove uploaded and archived files that no row points to any more."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand

from campaignflow.core import files


class Command(BaseCommand):
    help = "Remove files under the data directory's media folder that no row points to (older than --hours)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=files.GRACE.total_seconds() / 3600)
        parser.add_argument("--dry-run", action="store_true", help="List what would be removed.")

    def handle(self, *args, hours: float, dry_run: bool, **options):
        removed = files.sweep_orphans(grace=dt.timedelta(hours=hours), dry_run=dry_run)
        for name in removed:
            self.stdout.write(name)
        verb = "would remove" if dry_run else "removed"
        self.stderr.write(f"{verb} {len(removed)} file(s)")
