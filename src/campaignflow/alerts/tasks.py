"""Huey jobs of the alerts app: evaluate after an import, every hour, and escalate every 5 minutes.

Each job takes ids (or nothing), calls one service and is safe to run twice: evaluation updates
the active alert instead of opening another, and escalation is once per alert and level.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


@db_task()
def evaluate_campaign(campaign_id: int) -> int:
    """Evaluate one campaign's rules after its data changed; returns how many alerts opened."""
    evaluation = services.evaluate_campaign_by_id(campaign_id)
    return len(evaluation.opened) if evaluation else 0


@db_periodic_task(crontab(minute="7"))
def evaluate_live() -> int:
    """Hourly: every live campaign, so a rule added or edited takes effect without new data."""
    return services.evaluate_live_campaigns()


@db_periodic_task(crontab(minute="*/5"))
def escalate_overdue() -> int:
    """Every five minutes: open alerts past their 24 hours go to the department head and management."""
    return len(services.alerts_escalate_overdue())
