"""`campaignflow serve`: the production web server (gunicorn) on CampaignFlow's WSGI application.

Static files are served by whitenoise from STATIC_ROOT, so `campaignflow collectstatic --noinput`
must have run first (`make run` does). Put a reverse proxy in front for TLS (docs/deployment.md).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage, staticfiles_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _
from gunicorn.app.base import BaseApplication

from campaignflow.config.env import env_int


class GunicornApplication(BaseApplication):
    """gunicorn configured from a dict instead of its own command line."""

    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        # gunicorn 25+ opens a control socket at one fixed path in ~/.gunicorn: a second server on
        # the machine (tests beside `make run`) would fight over it, and nothing here uses it.
        if "control_socket_disable" in self.cfg.settings:
            self.cfg.set("control_socket_disable", True)

    def load(self):
        # Imported by each worker after the fork, so no connection or thread is shared across it.
        from campaignflow.config.wsgi import application

        return application


def bind_address(host: str, port: int) -> str:
    """host:port as gunicorn expects it, with brackets around a bare IPv6 address."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}"


# The combined log format, then the time taken and the id RequestIdMiddleware set on the response
# (the same as deploy/gunicorn.conf.py).
ACCESS_LOG_FORMAT = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms request_id=%({x-request-id}o)s'
)


def gunicorn_options(
    *, host: str, port: int, workers: int, threads: int, timeout: int, log_format: str = "plain"
) -> dict:
    """gunicorn's settings; with JSON logs the app logs each request itself, so no access log."""
    return {
        "bind": [bind_address(host, port)],
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": timeout,
        "accesslog": None if log_format == "json" else "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "proc_name": "campaignflow",
    }


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    @property
    def help(self) -> str:  # translated when asked, not at import
        return _("Run the production web server (gunicorn) with static files served by whitenoise.")

    requires_migrations_checks = True

    def add_arguments(self, parser):
        parser.add_argument(
            "--host", default="127.0.0.1", help=_("Address to listen on (default 127.0.0.1).")
        )
        parser.add_argument("--port", type=int, default=8000, help=_("Port to listen on (default 8000)."))
        parser.add_argument(
            "--workers",
            type=_positive,
            default=env_int("CAMPAIGNFLOW_WEB_WORKERS", 2),
            help=_("Worker processes (default: CAMPAIGNFLOW_WEB_WORKERS or 2)."),
        )
        parser.add_argument(
            "--threads",
            type=_positive,
            default=env_int("CAMPAIGNFLOW_WEB_THREADS", 4),
            help=_("Threads per worker (default: CAMPAIGNFLOW_WEB_THREADS or 4)."),
        )
        parser.add_argument(
            "--timeout",
            type=_positive,
            default=env_int("CAMPAIGNFLOW_WEB_TIMEOUT", 60),
            help=_("Seconds before a silent worker is restarted (default: CAMPAIGNFLOW_WEB_TIMEOUT or 60)."),
        )

    def handle(self, *args, **options):
        if not 0 < options["port"] < 65536:
            raise CommandError(_("--port must be between 1 and 65535."))
        self._check_static_files()
        # The migration check above opened a connection; a forked worker must not inherit it.
        connections.close_all()
        host, port = options["host"], options["port"]
        self.stdout.write(
            _("CampaignFlow listening on http://%(address)s/ (%(workers)d workers × %(threads)d threads)")
            % {
                "address": bind_address(host, port),
                "workers": options["workers"],
                "threads": options["threads"],
            }
        )
        GunicornApplication(
            gunicorn_options(
                host=host,
                port=port,
                workers=options["workers"],
                threads=options["threads"],
                timeout=options["timeout"],
                log_format=settings.LOG_FORMAT,
            )
        ).run()

    def _check_static_files(self) -> None:
        """Without the manifest every page that links a stylesheet fails, so refuse to start."""
        if not isinstance(staticfiles_storage, ManifestStaticFilesStorage):
            return
        manifest = Path(settings.STATIC_ROOT) / staticfiles_storage.manifest_name
        if not manifest.exists():
            raise CommandError(
                _(
                    "Static files are not collected in %(root)s; run `campaignflow collectstatic --noinput` first."
                )
                % {"root": settings.STATIC_ROOT}
            )
