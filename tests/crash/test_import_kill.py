"""kill -9 in the middle of a large import leaves no partial rows, and the import can simply be re-run.

The import runs in a real `campaignflow` process on the test's own database (SQLite file in the
SQLite run, PostgreSQL in the PostgreSQL pass), is SIGKILLed while its transaction is open and
rows have been sent to the database, and then runs again.
"""

from __future__ import annotations

import csv
import datetime as dt
import signal
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from campaignflow.audit.models import AuditEvent
from campaignflow.metrics.models import DailyMetric
from tests.deploy.helpers import CAMPAIGNFLOW, cli_env_for_test_db
from tests.factories import UserFactory

from .conftest import START

# Committed for real, so other processes and threads see the rows; data the migrations seed
# (metric definitions, default alert rules) is seeded again before each test (the `seeded` fixture).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]

HERE = Path(__file__).resolve().parent
DAYS = 2500  # × 20 channels = 50,000 rows, ten writer batches


def export(path: Path, channels) -> int:
    with path.open("w", newline="", encoding="utf-8") as stream:
        out = csv.writer(stream)
        out.writerow(["日期", "渠道", "曝光量", "销售额(元)"])
        for day in range(DAYS):
            date = (START + dt.timedelta(days=day)).isoformat()
            for n, channel in enumerate(channels):
                out.writerow([date, channel.name, 1000 + day, f"{n}.50"])
    return DAYS * len(channels)


def run_until_mid_import(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """Start the import, return once it says it is mid-import (else fail with its output)."""
    process = subprocess.Popen(
        [sys.executable, str(HERE / "import_until_killed.py"), "3", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    watchdog = threading.Timer(120, process.kill)
    watchdog.start()
    lines = []
    try:
        for line in process.stdout:
            lines.append(line)
            if line.startswith("MID-IMPORT"):
                return process, line
    finally:
        watchdog.cancel()
    process.wait()
    raise AssertionError("the import never got to the middle:\n" + "".join(lines))


def copy_in_progress() -> bool:
    """PostgreSQL: another session of this database is in the middle of a COPY in an open transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND query LIKE 'COPY %%'"
        )
        return cursor.fetchone()[0] > 0


def stored(campaign) -> list[tuple]:
    rows = DailyMetric.objects.filter(campaign=campaign).order_by("date", "channel_id")
    return list(rows.values_list("channel_id", "date", "impressions", "revenue"))


@pytest.mark.parametrize("earlier_rows", [0, 40], ids=["first-import", "re-import-over-stored-rows"])
def test_a_killed_import_leaves_nothing_and_the_rerun_imports_everything(
    tmp_path, long_campaign, channels, earlier_rows
):
    # an earlier import's rows, which the interrupted one would overwrite (the merge path)
    for n in range(earlier_rows):
        DailyMetric.objects.create(
            campaign=long_campaign,
            channel=channels[n % len(channels)],
            date=START + dt.timedelta(days=n // len(channels)),
            impressions=7,
            revenue=Decimal("7.00"),
        )
    before = stored(long_campaign)
    path = tmp_path / "export.csv"
    rows = export(path, channels)
    args = [str(long_campaign.pk), str(path), "--user", "admin"]
    env = cli_env_for_test_db(tmp_path / "data")
    UserFactory(username="admin", department=long_campaign.department, roles=["admin"])

    process, said = run_until_mid_import(args, env)
    copying = copy_in_progress() if connection.vendor == "postgresql" else None
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)

    assert process.returncode == -signal.SIGKILL
    assert int(said.split()[1]) >= 10_000  # rows had been written when it died
    if copying is not None:
        assert copying
    assert stored(long_campaign) == before  # not one partial row, the earlier rows untouched
    assert not AuditEvent.objects.filter(verb="metrics.imported").exists()  # no "imported" record
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            assert cursor.fetchone()[0] == "ok"

    again = subprocess.run(
        [*CAMPAIGNFLOW, "import-metrics", *args], env=env, capture_output=True, text=True, timeout=300
    )

    assert again.returncode == 0, again.stderr
    assert f"Imported {rows:,} rows".replace(",", "") in again.stdout.replace(",", "")
    assert DailyMetric.objects.filter(campaign=long_campaign).count() == rows
    first = DailyMetric.objects.get(campaign=long_campaign, channel=channels[0], date=START)
    assert (first.impressions, first.revenue) == (1000, Decimal("0.50"))
    assert AuditEvent.objects.filter(verb="metrics.imported").count() == 1
