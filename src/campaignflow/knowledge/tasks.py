"""Huey job of the knowledge base: every five minutes, freeze archived campaigns that have no entry.

The archive transition writes the entry itself (lifecycle.register_after); this sweep catches
campaigns archived before the knowledge base existed or by a path that skipped the hook.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*/5"))
def knowledge_sweep() -> int:
    """Create the missing entries; returns how many."""
    return services.knowledge_entries_sweep()
