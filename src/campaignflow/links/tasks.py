"""Huey job of the tracked links: every minute, store buffered clicks and roll them up."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import buffer


@db_periodic_task(crontab(minute="*"))
def flush_clicks_task() -> int:
    """Store the clicks buffered in Redis (or this worker's own buffer) and add them to daily metrics."""
    return buffer.flush_clicks()
