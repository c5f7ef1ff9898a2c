"""Huey jobs of the execution app."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services.reminders import task_reminders_send


@db_periodic_task(crontab(minute="5"))
def send_task_reminders() -> dict:
    """Every hour: tasks due within 24 hours and overdue tasks, each told once per deadline."""
    count = task_reminders_send()
    return {"due_soon": count.due_soon, "overdue": count.overdue}
