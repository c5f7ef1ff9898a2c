"""Container health probe: `python probe.py web` or `python probe.py worker`; exit 0 when healthy.

web: GET http://127.0.0.1:$PORT/readyz (PORT defaults to 8000) with a Host header taken from
CAMPAIGNFLOW_ALLOWED_HOSTS, so Django's host check accepts the probe; healthy on 200.
worker: the worker's own dependencies answer: PostgreSQL (DATABASE_URL, SELECT 1) and Redis
(REDIS_URL, PING), each when set. Standard library plus the drivers CampaignFlow installs.
"""

import os
import sys
import urllib.error
import urllib.request

TIMEOUT = 4


def probe_host() -> str:
    hosts = [h.strip() for h in os.environ.get("CAMPAIGNFLOW_ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = hosts[0] if hosts else "localhost"
    if host == "*":
        return "localhost"
    if host.startswith("."):  # ".example.com" allows any subdomain
        return "probe" + host
    return host


def web() -> bool:
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(f"http://127.0.0.1:{port}/readyz", headers={"Host": probe_host()})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, OSError) as error:
        print(f"readyz: {error}", file=sys.stderr)
        return False


def worker() -> bool:
    if os.environ.get("DATABASE_URL"):
        import psycopg

        with psycopg.connect(os.environ["DATABASE_URL"], connect_timeout=TIMEOUT) as connection:
            connection.execute("SELECT 1")
    if os.environ.get("REDIS_URL"):
        import redis

        redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=TIMEOUT).ping()
    return True


if __name__ == "__main__":
    role = sys.argv[1] if len(sys.argv) > 1 else "web"
    try:
        healthy = web() if role == "web" else worker()
    except Exception as error:
        print(f"{role}: {error}", file=sys.stderr)
        healthy = False
    sys.exit(0 if healthy else 1)
