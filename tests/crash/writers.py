"""Service-level writes for tests/crash/test_concurrent_writers.py, run by threads and by processes.

A process runs it through the CLI:

    campaignflow shell -c "from tests.crash.writers import main; main(<campaign>, '<user>', '<label>', <n>, '<go file>')"
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from django.urls import get_resolver
from django.utils import timezone

from campaignflow.accounts.models import User
from campaignflow.campaigns.models import Campaign
from campaignflow.execution import services as execution
from campaignflow.metrics import services as metrics
from campaignflow.metrics.models import Channel


def write(*, campaign_id: int, username: str, label: str, count: int, channel_id: int, first_day: dt.date):
    """`count` rounds of: a task, an execution log entry and one day of one channel's data."""
    actor = User.objects.get(username=username)
    for n in range(count):
        campaign = Campaign.objects.get(pk=campaign_id)
        today = timezone.localdate()
        execution.task_create(
            campaign=campaign,
            actor=actor,
            data={
                "name": f"{label} task {n}",
                "planned_start": today,
                "planned_finish": today + dt.timedelta(days=3),
            },
        )
        execution.log_entry_create(
            campaign=campaign, actor=actor, data={"kind": "issue", "description": f"{label} entry {n}"}
        )
        metrics.daily_metric_save(
            campaign=campaign,
            actor=actor,
            data={
                "date": (first_day + dt.timedelta(days=n)).isoformat(),
                "channel": channel_id,
                "impressions": 100 + n,
            },
        )


def warm_up() -> None:
    """Import the URLconf (the whole API, seconds) now rather than in the first write transaction,
    where the first `reverse` of a fresh process would hold SQLite's write lock all that time."""
    get_resolver().url_patterns  # noqa: B018


def main(campaign_id: int, username: str, label: str, count: int, go: str) -> None:
    """The process side: say it is ready, wait for the go file, then write."""
    channel = Channel.objects.get(name=label)
    warm_up()
    print("READY", flush=True)
    while not Path(go).exists():
        time.sleep(0.01)
    start = Campaign.objects.get(pk=campaign_id).start_date
    write(
        campaign_id=campaign_id,
        username=username,
        label=label,
        count=count,
        channel_id=channel.pk,
        first_day=start,
    )
    print("DONE", flush=True)
