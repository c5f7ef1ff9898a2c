"""Liveness and readiness probes for load balancers, containers and orchestrators.

`GET /healthz` (liveness) answers 200 as long as the process serves requests: it touches nothing
that may be down, so a database outage never gets healthy web processes restarted.

`GET /readyz` (readiness) answers 200 only when this process can do real work: the database
answers a trivial query, every migration is applied, Redis answers when REDIS_URL is set, and the
cache stores and returns a value. Otherwise 503, naming the failed checks, so a load balancer
sends no traffic to a process started before `campaignflow migrate` ran or cut off from its
database. Details of a failure go to the log, not to the unauthenticated answer.

Both are plain Django views outside /api/ (no session, no token, no CSRF) and answer JSON.
`GET /api/v1/health` stays as the API's own liveness answer.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 2
_state = {"migrations_applied": False}  # once true it stays true for the life of the process
_redis_clients: dict[str, object] = {}


class CheckFailed(Exception):
    """A readiness check failed; the message is safe to show (no host names, no credentials)."""


def unapplied_migrations() -> list[str]:
    """Migrations on disk that the database has not applied, as "app.name"."""
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def check_database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_migrations() -> str:
    # Reading every migration file costs tens of milliseconds; a process whose schema was up to
    # date stays so (migrate runs before a release starts), so the answer is kept once positive.
    if _state["migrations_applied"]:
        return "ok"
    missing = unapplied_migrations()
    if missing:
        raise CheckFailed(f"{len(missing)} unapplied")
    _state["migrations_applied"] = True
    return "ok"


def check_redis() -> str:
    url = settings.REDIS_URL
    if not url:
        return "skipped"
    client = _redis_clients.get(url)
    if client is None:
        import redis

        client = redis.Redis.from_url(
            url, socket_connect_timeout=PROBE_TIMEOUT_SECONDS, socket_timeout=PROBE_TIMEOUT_SECONDS
        )
        _redis_clients[url] = client
    if not client.ping():
        raise CheckFailed("no answer to PING")
    return "ok"


def check_cache() -> str:
    key = f"campaignflow:readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    try:
        if cache.get(key) != "1":
            raise CheckFailed("value written was not read back")
    finally:
        cache.delete(key)
    return "ok"


CHECKS = {
    "database": check_database,
    "migrations": check_migrations,
    "redis": check_redis,
    "cache": check_cache,
}


def run_checks() -> tuple[dict[str, str], list[str]]:
    results, failed = {}, []
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except CheckFailed as error:
            results[name] = f"failed: {error}"
            failed.append(name)
        except Exception:
            logger.warning("readiness check %s failed", name, exc_info=True)
            results[name] = "failed"
            failed.append(name)
    return results, failed


@never_cache
@require_GET
def healthz(request):
    """Liveness: the process is up and serving. Nothing else is touched."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """Readiness: 200 when every check passes, else 503 with the failed checks."""
    results, failed = run_checks()
    if failed:
        return JsonResponse({"status": "unavailable", "checks": results, "failed": failed}, status=503)
    return JsonResponse({"status": "ok", "checks": results, "failed": []})
