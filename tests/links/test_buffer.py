"""The in-process click buffer: batches, failures, and nothing lost on a clean shutdown."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.db import connection

from campaignflow.links import buffer as click_buffer
from campaignflow.links.buffer import ClickRecord, MemoryBuffer
from campaignflow.links.models import Click

ROOT = Path(__file__).resolve().parents[2]


def record(link, n: int = 0) -> ClickRecord:
    return ClickRecord(link.pk, time.time(), f"{n:032x}", "browser", False, f"t{n}")


@pytest.mark.django_db
def test_a_flush_writes_every_buffered_click_once(link):
    buffer = MemoryBuffer(background=False)
    for n in range(1234):
        buffer.add(record(link, n))

    assert buffer.flush() == 1234
    assert buffer.flush() == 0
    assert Click.objects.filter(link=link).count() == 1234


@pytest.mark.django_db
def test_a_failed_write_puts_the_clicks_back(link, monkeypatch):
    buffer = MemoryBuffer(background=False)
    for n in range(3):
        buffer.add(record(link, n))

    def broken(records):
        raise RuntimeError("database down")

    monkeypatch.setattr(click_buffer, "store", broken)
    with pytest.raises(RuntimeError):
        buffer.flush()
    monkeypatch.undo()

    assert buffer.pending() == 3
    assert buffer.flush() == 3


@pytest.mark.django_db(transaction=True)
def test_the_background_thread_writes_when_the_batch_is_full(link):
    buffer = MemoryBuffer(flush_size=50, flush_seconds=3600, background=True)
    for n in range(50):
        buffer.add(record(link, n))

    deadline = time.monotonic() + 20
    while Click.objects.count() < 50 and time.monotonic() < deadline:
        time.sleep(0.05)

    assert Click.objects.count() == 50
    assert buffer.pending() == 0


SHUTDOWN_SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    import django
    django.setup()
    from campaignflow.links import buffer
    memory = buffer.MemoryBuffer(flush_size=10**9, flush_seconds=3600, background=True)
    buffer.set_buffer(memory)
    link_id = int(sys.argv[1])
    for n in range(5000):
        buffer.record_click(buffer.ClickRecord(link_id, time.time(), f"{n:032x}", "mobile", False, ""))
    print(memory.pending(), flush=True)
    sys.exit(0)  # a clean exit: atexit writes what the thread has not
    """
)


@pytest.mark.django_db(transaction=True)
def test_a_clean_shutdown_loses_no_buffered_click(link):
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{settings_dict['NAME']}"
    else:
        url = "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
            **{k: settings_dict[k] or "" for k in ("USER", "PASSWORD", "HOST", "PORT", "NAME")}
        )
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "campaignflow.config.settings",
        "DATABASE_URL": url,
        "CAMPAIGNFLOW_DEBUG": "1",
        "PYTHONPATH": str(ROOT / "src"),
    }
    env.pop("REDIS_URL", None)

    result = subprocess.run(
        [sys.executable, "-c", SHUTDOWN_SCRIPT, str(link.pk)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "5000"  # all still buffered when the process began to exit
    assert Click.objects.filter(link=link).count() == 5000
