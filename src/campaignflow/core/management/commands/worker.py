"""`campaignflow worker`: the background job consumer (Huey), wrapping huey's run_huey command.

Jobs (alert and SLA checks, notifications, imports) are queued in SQLite under the data dir by
default, or in Redis when REDIS_URL is set; run as many workers as the queue needs.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


class Command(BaseCommand):
    @property
    def help(self) -> str:  # translated when asked, not at import
        return _("Run the background job consumer (Huey).")

    def add_arguments(self, parser):
        parser.add_argument(
            "--workers",
            "-w",
            type=int,
            default=None,
            help=_("Concurrent jobs (default: CAMPAIGNFLOW_WORKERS or 2)."),
        )
        parser.add_argument(
            "--worker-type",
            "-k",
            choices=["thread", "process", "greenlet"],
            default=None,
            help=_("How jobs run concurrently (default: thread)."),
        )

    def handle(self, *args, **options):
        if settings.HUEY.get("immediate"):
            raise CommandError(
                _(
                    "Jobs run inline in the web process (CAMPAIGNFLOW_HUEY_IMMEDIATE); there is nothing to consume."
                )
            )
        consumer = {}
        if options["workers"] is not None:
            if options["workers"] < 1:
                raise CommandError(_("--workers must be at least 1."))
            consumer["workers"] = options["workers"]
        if options["worker_type"]:
            consumer["worker_type"] = options["worker_type"]
        backend = _("Redis") if settings.REDIS_URL else _("SQLite in %(dir)s") % {"dir": settings.DATA_DIR}
        self.stdout.write(_("CampaignFlow worker consuming jobs from %(backend)s") % {"backend": backend})
        try:
            call_command("run_huey", **consumer)
        except KeyboardInterrupt:
            # Ctrl-C before the consumer has installed its own handler (it does so once its
            # threads have started): nothing was taken from the queue yet, so stop cleanly.
            self.stdout.write(_("Worker stopped before it started consuming."))
