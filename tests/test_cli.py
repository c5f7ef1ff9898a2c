"""The `campaignflow` commands this project adds: demo, token, serve and worker (DESIGN §5)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from campaignflow.accounts.models import ApiToken, hash_token
from campaignflow.accounts.services import token_authenticate
from campaignflow.campaigns.demo import DEMO_PASSWORD, ORG_NAME
from campaignflow.campaigns.models import Campaign
from campaignflow.core.management.commands.serve import GunicornApplication, gunicorn_options


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


# --- demo ------------------------------------------------------------------------------------------


def test_demo_prints_the_users_and_their_password(db):
    out, _err = run("demo")

    assert f"“{ORG_NAME}” loaded with 11 campaigns" in out
    assert DEMO_PASSWORD in out
    for username in ("admin", "zhang.planner", "li.head", "wang.manager", "liu.pm"):
        assert username in out


def test_demo_run_twice_creates_nothing_the_second_time(db):
    run("demo")
    after_first = row_counts()

    out, _err = run("demo")

    assert "is already loaded" in out
    assert row_counts() == after_first
    assert after_first["campaigns.Campaign"] == 11


def test_demo_leaves_campaigns_in_every_lifecycle_state(db):
    run("demo")

    statuses = set(Campaign.objects.values_list("status", flat=True))
    assert statuses == {
        "draft",
        "in_review",
        "approved",
        "preparing",
        "live",
        "optimizing",
        "closing",
        "archived",
        "cancelled",
    }
    levels = set(Campaign.objects.filter(status="in_review").values_list("approval_level", flat=True))
    assert levels == {1, 2}
    # the plan revised after a rejection, and the live plan after its approved change request
    assert Campaign.objects.filter(revision=2).count() == 2


# --- token -------------------------------------------------------------------------------------------


def test_token_prints_a_token_that_authenticates_as_the_user(planner):
    out, err = run("token", "planner", "--name", "laptop")

    raw = out.strip()
    assert raw.startswith("cf_")
    assert token_authenticate(raw) == planner
    assert ApiToken.objects.get(user=planner).name == "laptop"
    assert "shown only this once" in err


def test_token_revoke_stops_the_token_working(planner):
    raw = run("token", "planner")[0].strip()
    prefix = ApiToken.objects.get(user=planner).prefix

    # as --list shows it; the cf_ keeps a prefix that starts with "-" from looking like an option
    out, _err = run("token", "planner", "--revoke", f"cf_{prefix}…")

    assert f"Revoked token cf_{prefix}" in out
    assert token_authenticate(raw) is None
    assert ApiToken.objects.get(user=planner).revoked_at is not None


def test_token_revoke_takes_a_prefix_that_starts_with_a_dash(planner):
    token = ApiToken.objects.create(user=planner, prefix="-dash123", key_hash=hash_token("cf_-dash123rest"))

    run("token", "planner", "--revoke", "cf_-dash123…")

    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_list_shows_prefixes_and_state(planner):
    run("token", "planner", "--name", "ci")
    prefix = ApiToken.objects.get(user=planner).prefix

    out, _err = run("token", "planner", "--list")

    assert f"cf_{prefix}…" in out
    assert "ci" in out
    assert "active" in out


def test_token_revoke_of_an_unknown_prefix_fails_and_changes_nothing(planner):
    raw = run("token", "planner")[0].strip()

    with pytest.raises(CommandError, match="no active token with prefix “nope”"):
        run("token", "planner", "--revoke", "nope")

    assert token_authenticate(raw) == planner


def test_token_for_an_unknown_user_fails_naming_it(db):
    with pytest.raises(CommandError, match="No user named “ghost”"):
        run("token", "ghost")

    assert ApiToken.objects.count() == 0


# --- serve and worker ------------------------------------------------------------------------------


def cli_env(data_dir: Path) -> dict[str, str]:
    """The environment of a fresh `campaignflow` process: SQLite in data_dir, no test-only settings."""
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    return env | {"CAMPAIGNFLOW_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}


def cli(*args: str, data_dir: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "campaignflow", *args],
        env=cli_env(data_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_help_lists_its_options(tmp_path):
    result = cli("serve", "--help", data_dir=tmp_path)

    assert result.returncode == 0, result.stderr
    for option in ("--host", "--port", "--workers", "--threads"):
        assert option in result.stdout


def test_serve_configures_gunicorn_from_its_options():
    app = GunicornApplication(gunicorn_options(host="::1", port=8123, workers=3, threads=2, timeout=30))

    assert app.cfg.bind == ["[::1]:8123"]
    assert (app.cfg.workers, app.cfg.threads, app.cfg.timeout) == (3, 2, 30)
    assert app.cfg.worker_class_str == "gthread"
    assert app.cfg.accesslog == "-" and "request_id=%({x-request-id}o)s" in app.cfg.access_log_format


def test_serve_leaves_request_logging_to_the_app_when_logs_are_json():
    app = GunicornApplication(
        gunicorn_options(host="127.0.0.1", port=8123, workers=1, threads=1, timeout=30, log_format="json")
    )

    assert app.cfg.accesslog is None


def test_serve_refuses_to_start_before_static_files_are_collected(tmp_path):
    result = cli("serve", "--port", str(free_port()), data_dir=tmp_path)

    assert result.returncode != 0
    assert "run `campaignflow collectstatic --noinput` first" in result.stderr


def test_serve_answers_http_and_serves_static_files(tmp_path):
    collected = cli("collectstatic", "--noinput", "-v", "0", data_dir=tmp_path)
    assert collected.returncode == 0, collected.stderr
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "campaignflow", "serve", "--port", str(port), "--workers", "1"],
        env=cli_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = _get_when_up(f"http://127.0.0.1:{port}/api/v1/health", server)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/admin/css/base.css", timeout=5) as css:
            stylesheet = css.read()
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0]

    assert health == b'{"status": "ok"}'
    assert b"body {" in stylesheet
    assert server.returncode == 0, output
    assert f"listening on http://127.0.0.1:{port}/" in output


def _get_when_up(url: str, server: subprocess.Popen, seconds: float = 30) -> bytes:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server exited: {server.communicate()[0]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"no answer from {url} within {seconds} s")


def test_worker_refuses_when_jobs_run_inline(db):
    # Under pytest Huey runs jobs immediately, as CAMPAIGNFLOW_HUEY_IMMEDIATE does in a deployment.
    with pytest.raises(CommandError, match="CAMPAIGNFLOW_HUEY_IMMEDIATE"):
        run("worker")


def test_worker_consumes_the_sqlite_queue_and_stops_cleanly_on_sigint(tmp_path):
    worker = subprocess.Popen(
        [sys.executable, "-m", "campaignflow", "worker", "--workers", "1"],
        env=cli_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # Read the log until the consumer says it has started (a timer ends a worker that never does),
    # then interrupt it as a user pressing Ctrl-C would.
    watchdog = threading.Timer(60, worker.kill)
    watchdog.start()
    lines = []
    try:
        for line in worker.stdout:
            lines.append(line)
            if "Huey consumer started" in line:
                break
    finally:
        worker.send_signal(signal.SIGINT)
        lines.append(worker.communicate(timeout=30)[0])
        watchdog.cancel()
    output = "".join(lines)

    assert f"consuming jobs from SQLite in {tmp_path}" in output
    assert "Huey consumer started with 1 thread" in output
    assert worker.returncode == 0, output
