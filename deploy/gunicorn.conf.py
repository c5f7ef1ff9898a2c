"""gunicorn settings for CampaignFlow: the same server `campaignflow serve` starts, as a config file.

    gunicorn -c deploy/gunicorn.conf.py --bind 0.0.0.0:8000

for process managers that run gunicorn themselves. `campaignflow serve` (what the Containerfile and
the systemd units run) sets the same values from the same variables; tests/deploy checks that the
two agree. Values come from the environment, read when gunicorn loads this file:

    CAMPAIGNFLOW_WEB_WORKERS   worker processes (default 2)
    CAMPAIGNFLOW_WEB_THREADS   threads per worker (default 4; gthread workers, sync when 1)
    CAMPAIGNFLOW_WEB_TIMEOUT   seconds before a silent worker is killed and replaced (default 60)
    CAMPAIGNFLOW_LOG_FORMAT    json: no gunicorn access log, the application writes one JSON
                               record per request instead (request id, method, path, status,
                               duration_ms); plain (default): gunicorn's access log with the
                               request id at the end of each line
    FORWARDED_ALLOW_IPS        read by gunicorn itself: proxies trusted for X-Forwarded-Proto

On SIGTERM gunicorn stops accepting connections and gives running requests `graceful_timeout`
seconds to finish before it kills the workers; give the process manager a longer stop timeout
(compose: stop_grace_period 40s; systemd: TimeoutStopSec=40).
"""

import os


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be an integer; got {raw!r}") from None
    if value < 1:
        raise SystemExit(f"{name} must be at least 1; got {raw!r}")
    return value


wsgi_app = "campaignflow.config.wsgi:application"
bind = ["127.0.0.1:8000"]  # override with --bind; keep gunicorn behind a reverse proxy
workers = _positive_int("CAMPAIGNFLOW_WEB_WORKERS", 2)
threads = _positive_int("CAMPAIGNFLOW_WEB_THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _positive_int("CAMPAIGNFLOW_WEB_TIMEOUT", 60)
graceful_timeout = 30  # gunicorn's default, which `campaignflow serve` uses as well
proc_name = "campaignflow"
# The heartbeat file on a RAM disk: on a container's overlay filesystem it can stall workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

errorlog = "-"
accesslog = None if os.environ.get("CAMPAIGNFLOW_LOG_FORMAT", "").strip().lower() == "json" else "-"
# The combined log format, then the time taken and the id RequestIdMiddleware set on the response.
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms request_id=%({x-request-id}o)s'
)

# gunicorn 25+ opens a control socket at one fixed path under ~/.gunicorn; nothing here uses it.
control_socket_disable = True
