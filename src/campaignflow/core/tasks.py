"""Huey jobs of the core app: the daily sweep of orphaned files (see core.files)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import files


@db_periodic_task(crontab(hour="3", minute="17"))
def sweep_orphan_files() -> int:
    """Remove files no row points to any more; returns how many."""
    return len(files.sweep_orphans())
