"""Real processes: gunicorn from deploy/gunicorn.conf.py, the worker's graceful stop, the deploy check."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from .helpers import ROOT, cli_env, free_port, get, wait_until_up


def probe(role: str, port: int, data_dir: Path) -> int:
    return subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "probe.py"), role],
        env=cli_env(data_dir, PORT=str(port)),
        capture_output=True,
        timeout=30,
    ).returncode


def test_gunicorn_conf_serves_probes_logs_request_ids_and_stops_on_sigterm(tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        env=cli_env(tmp_path, CAMPAIGNFLOW_WEB_WORKERS="1", CAMPAIGNFLOW_WEB_THREADS="2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", server)
        # a fresh data dir: the database exists but nothing is migrated yet
        before = get(f"{base}/readyz")
        probe_before = probe("web", port, tmp_path)
        migrated = subprocess.run(
            [sys.executable, "-m", "campaignflow", "migrate", "--noinput", "-v", "0"],
            env=cli_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert migrated.returncode == 0, migrated.stderr
        after = get(f"{base}/readyz", **{"X-Request-ID": "deploy-test-1"})
        probe_after = probe("web", port, tmp_path)
        live = get(f"{base}/healthz")
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=60)[0]

    assert before[0] == 503
    assert json.loads(before[2])["failed"] == ["migrations"]
    assert probe_before == 1
    assert after[0] == 200
    assert after[1]["X-Request-ID"] == "deploy-test-1"
    assert probe_after == 0
    assert live[0] == 200
    assert 'GET /readyz HTTP/1.1" 200' in output
    assert "request_id=deploy-test-1" in output  # the access log line carries the id
    assert "Handling signal: term" in output
    assert server.returncode == 0, output


def run_slow_job_worker(data_dir: Path, stop: signal.Signals) -> tuple[subprocess.Popen, str]:
    marker = data_dir / "marker"
    marker.mkdir()
    worker = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("slow_job_worker.py")), str(marker)],
        env=cli_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    watchdog = threading.Timer(90, worker.kill)
    watchdog.start()
    try:
        deadline = time.monotonic() + 60
        while not (marker / "started").exists() and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.05)
        worker.send_signal(stop)
        output = worker.communicate(timeout=60)[0]
    finally:
        watchdog.cancel()
    assert (marker / "started").exists(), output
    return worker, output


def test_worker_finishes_its_running_job_before_it_stops_on_sigint(tmp_path):
    worker, output = run_slow_job_worker(tmp_path, signal.SIGINT)

    assert (tmp_path / "marker" / "finished").exists(), output
    assert "Shutting down gracefully" in output
    assert worker.returncode == 0, output


def test_worker_interrupts_its_running_job_on_sigterm(tmp_path):
    # Why compose.yaml and the systemd unit stop the worker with SIGINT: Huey's SIGTERM does not
    # wait. If Huey ever changes this, the deployment files can go back to the default signal.
    _worker, output = run_slow_job_worker(tmp_path, signal.SIGTERM)

    assert not (tmp_path / "marker" / "finished").exists(), output


def production_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CAMPAIGNFLOW_")}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the browser tests set it for their own process
    return (
        env
        | {
            "CAMPAIGNFLOW_DATA_DIR": str(data_dir),
            "CAMPAIGNFLOW_DEBUG": "false",
            "CAMPAIGNFLOW_SECRET_KEY": secrets.token_urlsafe(50),
            "CAMPAIGNFLOW_ALLOWED_HOSTS": "campaigns.example.com",
            "CAMPAIGNFLOW_CSRF_TRUSTED_ORIGINS": "https://campaigns.example.com",
            "CAMPAIGNFLOW_BASE_URL": "https://campaigns.example.com",
            "CAMPAIGNFLOW_SECURE_COOKIES": "true",
            "CAMPAIGNFLOW_SSL_REDIRECT": "true",
            "CAMPAIGNFLOW_SECURE_HSTS_SECONDS": "31536000",
            "CAMPAIGNFLOW_SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
            "CAMPAIGNFLOW_SECURE_HSTS_PRELOAD": "true",
        }
        | extra
    )


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "campaignflow", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_the_documented_production_environment(tmp_path):
    result = deploy_check(production_env(tmp_path))

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_without_https_settings(tmp_path):
    result = deploy_check(
        production_env(tmp_path, CAMPAIGNFLOW_SSL_REDIRECT="false", CAMPAIGNFLOW_SECURE_HSTS_SECONDS="0")
    )

    assert result.returncode != 0
    assert "security.W004" in result.stderr
    assert "security.W008" in result.stderr
