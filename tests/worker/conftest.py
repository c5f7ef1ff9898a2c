"""`real_worker`: the test's jobs go through the real queue to `campaignflow worker` in a subprocess.

On the PostgreSQL CI pass REDIS_URL is set and the queue is Redis; otherwise (make test) it is the
SQLite queue file, so these tests run in both passes. See harness.py.
"""

from __future__ import annotations

import pytest

from tests.notifications.receiver import Receiver

from .harness import SmtpServer, Worker, real_queue


@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def receiver():
    server = Receiver(default=(200, b'{"ok":true}'))
    yield server
    server.stop()


@pytest.fixture
def real_worker(seeded, tmp_path, smtp):
    """A running worker (e-mail to `smtp`) consuming the queue this test enqueues into."""
    with real_queue(tmp_path) as queue:
        worker = Worker(tmp_path, queue.name, **smtp.env())
        try:
            yield worker.start()
        finally:
            worker.stop()
