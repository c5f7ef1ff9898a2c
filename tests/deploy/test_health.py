"""GET /healthz (liveness) and GET /readyz (readiness), as a load balancer or orchestrator sees them."""

from __future__ import annotations

import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings

from campaignflow.core import health


@pytest.fixture(autouse=True)
def _fresh_migration_state(monkeypatch):
    """Each test decides afresh whether migrations are applied (the positive answer is kept)."""
    monkeypatch.setitem(health._state, "migrations_applied", False)


def test_healthz_answers_ok_without_touching_the_database(client):
    # No `db` fixture: any query would raise "Database access not allowed".
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_api_health_is_still_there(client):
    response = client.get("/api/v1/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_answers_ok_when_database_migrations_and_cache_work(client, db, settings):
    settings.REDIS_URL = ""  # the embedded default, also in the CI pass that sets REDIS_URL
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failed"] == []
    assert body["checks"] == {"database": "ok", "migrations": "ok", "redis": "skipped", "cache": "ok"}


def test_readyz_is_unavailable_while_a_migration_is_not_applied(client, db):
    # As after deploying a release before `campaignflow migrate`: the last campaigns migration
    # is on disk but not recorded as applied (the test's transaction restores the record).
    recorded = MigrationRecorder.Migration.objects.filter(app="campaigns").order_by("-id").first()
    recorded.delete()

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["migrations"]
    assert body["checks"]["migrations"] == "failed: 1 unapplied"
    assert health.unapplied_migrations() == [f"campaigns.{recorded.name}"]


def test_readyz_keeps_answering_ready_once_migrations_were_found_applied(client, db, monkeypatch):
    assert client.get("/readyz").status_code == 200
    monkeypatch.setattr(health, "unapplied_migrations", lambda: pytest.fail("migrations read again"))

    assert client.get("/readyz").status_code == 200


def test_readyz_is_unavailable_when_the_cache_loses_what_it_stores(client, db):
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]
    assert response.json()["checks"]["cache"] == "failed: value written was not read back"


def test_readyz_is_unavailable_when_the_cache_server_is_down(client, db):
    down = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    with override_settings(CACHES={"default": down}):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "failed"  # details go to the log, not to the caller


def test_readyz_checks_redis_when_redis_url_is_set(client, db, settings, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["redis"]
    assert "readiness check redis failed" in caplog.text


def test_readyz_is_unavailable_when_the_database_is_unreachable(client, db, monkeypatch):
    from django.db import OperationalError

    def unreachable():
        raise OperationalError("connection refused by db.internal:5432")

    monkeypatch.setitem(health.CHECKS, "database", unreachable)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]
    assert "db.internal" not in response.content.decode()


def test_probes_answer_only_get(client, db):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
