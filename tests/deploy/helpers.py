"""Helpers of the tests that start real processes (gunicorn, the worker, CLI commands)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CAMPAIGNFLOW = [sys.executable, "-m", "campaignflow"]


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """A fresh `campaignflow` process: SQLite in data_dir, no test-only or inherited deploy settings."""
    dropped = ("DATABASE_URL", "REDIS_URL", "CAMPAIGNFLOW_LOG_FORMAT", "CAMPAIGNFLOW_WEB_WORKERS")
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    return env | {"CAMPAIGNFLOW_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"} | extra


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, **headers: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server exited: {server.communicate()[0]}")
        try:
            get(url)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"no answer from {url} within {seconds} s")


def wait_for(condition, *, seconds: float = 60, interval: float = 0.1, what: str = "the condition"):
    """Poll `condition()` until it returns something truthy (returned); AssertionError after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        time.sleep(interval)


def database_url() -> str:
    """DATABASE_URL of the database this test process uses (the test database), for a subprocess.

    With `transactional_db` the rows a test writes are committed, so a `campaignflow` process
    started with this URL sees them, and the test sees what the process wrote.
    """
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    if connection.vendor == "postgresql":
        user = urllib.parse.quote(db["USER"] or "", safe="")
        password = ":" + urllib.parse.quote(db["PASSWORD"], safe="") if db["PASSWORD"] else ""
        host = db["HOST"] or "localhost"
        port = f":{db['PORT']}" if db["PORT"] else ""
        return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"
    raise NotImplementedError(connection.vendor)


def cli_env_for_test_db(data_dir: Path, **extra: str) -> dict[str, str]:
    """`cli_env` on the test's own database (see `database_url`); scratch files in data_dir."""
    return cli_env(data_dir, DATABASE_URL=database_url(), **extra)
