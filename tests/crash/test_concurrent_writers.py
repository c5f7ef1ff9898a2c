"""Many writers at once on the default SQLite database: no "database is locked", no write lost.

Threads of this process and separate `campaignflow shell` processes write through the services
(tasks, execution log, daily data: each a read-then-write transaction) to one database file at
the same moment. Settings open SQLite with IMMEDIATE transactions, WAL and a 30 s busy timeout,
so writers queue for the lock instead of failing. The PostgreSQL pass runs the same writers.
"""

from __future__ import annotations

import subprocess
import threading

import pytest
from django.db import connection

from campaignflow.audit.models import AuditEvent
from campaignflow.execution.models import LogEntry, Task
from campaignflow.metrics.models import DailyMetric
from tests.deploy.helpers import CAMPAIGNFLOW, ROOT, cli_env_for_test_db
from tests.factories import ChannelFactory

from . import writers

# Committed for real, so other processes and threads see the rows; data the migrations seed
# (metric definitions, default alert rules) is seeded again before each test (the `seeded` fixture).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]

THREADS, PROCESSES, ROUNDS = 3, 3, 8


def test_threads_and_processes_writing_at_once_all_succeed(tmp_path, long_campaign, pm):
    labels = [f"thread-{n}" for n in range(THREADS)] + [f"process-{n}" for n in range(PROCESSES)]
    channels = {label: ChannelFactory(name=label) for label in labels}
    go = tmp_path / "go"
    env = cli_env_for_test_db(tmp_path / "data")
    processes = []
    for label in labels[THREADS:]:
        code = f"from tests.crash.writers import main; main({long_campaign.pk}, 'pm', '{label}', {ROUNDS}, '{go}')"
        processes.append(
            subprocess.Popen(
                [*CAMPAIGNFLOW, "shell", "--no-imports", "-c", code],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    for process in processes:  # each has started Django and read the database: ready to write
        said = process.stdout.readline().strip()
        if said != "READY":
            process.kill()
            raise AssertionError(f"{said} {process.communicate()}")
    writers.warm_up()
    barrier = threading.Barrier(THREADS + 1)
    errors: list[BaseException] = []

    def thread_writes(label):
        try:
            barrier.wait(timeout=60)
            writers.write(
                campaign_id=long_campaign.pk,
                username="pm",
                label=label,
                count=ROUNDS,
                channel_id=channels[label].pk,
                first_day=long_campaign.start_date,
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=thread_writes, args=(label,)) for label in labels[:THREADS]]
    for thread in threads:
        thread.start()
    go.touch()
    barrier.wait(timeout=60)
    for thread in threads:
        thread.join(timeout=300)
    outputs = [process.communicate(timeout=300) for process in processes]

    assert errors == []
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        assert "DONE" in out
        assert "database is locked" not in err
    writes = len(labels) * ROUNDS
    assert Task.objects.filter(campaign=long_campaign).count() == writes
    assert LogEntry.objects.filter(campaign=long_campaign).count() == writes
    assert DailyMetric.objects.filter(campaign=long_campaign).count() == writes
    for label in labels:
        assert Task.objects.filter(name__startswith=f"{label} task").count() == ROUNDS
        assert DailyMetric.objects.filter(channel=channels[label]).count() == ROUNDS
    assert AuditEvent.objects.filter(verb="task.created").count() == writes
    # task orders are "last + 10" read under the campaign lock: no two writers got the same one
    orders = list(Task.objects.filter(campaign=long_campaign).values_list("order", flat=True))
    assert len(set(orders)) == writes
