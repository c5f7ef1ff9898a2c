"""Huey jobs of the outbox: send one delivery, and every minute send whatever is due.

Both call one function of delivery.py, which does the work and never raises. The sweep is what
makes the outbox safe: a delivery whose job was lost (the queue was down when the business
transaction committed, or its worker was killed mid-send and its lease ran out) is found by it.
A worker also queues one sweep as it starts, so after a crash or a deploy the outbox resumes at
once instead of at the next minute.
"""

from __future__ import annotations

import threading

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_startup

from . import delivery

_started = threading.Lock()
_sweep_queued = False


@db_task()
def deliver(delivery_id: int) -> str:
    """Attempt one delivery; does nothing when it was sent already or another worker has it."""
    return delivery.delivery_attempt(delivery_id)


@db_periodic_task(crontab(minute="*"))
def deliver_due() -> int:
    """Queue a `deliver` job for each due delivery: new ones whose job was lost, retries, abandoned."""
    due = delivery.deliveries_due()
    for pk in due:
        deliver(pk)
    return len(due)


@on_startup()
def sweep_at_start() -> None:
    """Queue one sweep when the worker starts (Huey calls this in each worker thread: once per process)."""
    global _sweep_queued
    with _started:
        if _sweep_queued:
            return
        _sweep_queued = True
    deliver_due()
