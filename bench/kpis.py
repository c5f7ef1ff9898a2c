#!/usr/bin/env python
"""Benchmark: the KPI endpoint of one campaign with 365 days × 50 channels (issue 4, "Speed").

Target: p95 under 150 ms for GET /api/v1/campaigns/{id}/kpis over 18,250 daily rows.

    .venv/bin/python bench/kpis.py                         # SQLite and PostgreSQL, 50 requests each
    .venv/bin/python bench/kpis.py --database sqlite --requests 200 --days 365 --channels 50

Requests go through Django's whole stack in-process (middleware, session authentication, Ninja,
the selector's GROUP BY queries, JSON rendering) with the test client, so the figure is the
server's time without the network. The baseline is a bare view returning a small JSON document
through the same stack, measured in the same run; the difference is what the KPIs cost. Each
database runs in its own process on a scratch database (temporary SQLite file, or a PostgreSQL
database created for the run and dropped afterwards).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

START = dt.date(2025, 1, 1)
CAMPAIGNFLOW = [sys.executable, "-m", "campaignflow"]


def seed(days: int, channels: int) -> int:
    from django.db import connection

    from campaignflow.accounts.models import Department, User, UserRole
    from campaignflow.campaigns.models import Campaign, Goal
    from campaignflow.metrics.models import Channel, DailyMetric

    department = Department.objects.create(name="市场部", code="marketing")
    analyst = User.objects.create_user(
        username="bench.analyst", password="bench-analyst-2026", department=department
    )
    UserRole.objects.create(user=analyst, role="data_analyst")
    made = Channel.objects.bulk_create(
        Channel(name=f"渠道{i:02d}", kind="paid_social") for i in range(channels)
    )
    end = START + dt.timedelta(days=days - 1)
    campaign = Campaign.objects.create(
        name="KPI benchmark",
        department=department,
        owner=analyst,
        created_by=analyst,
        status="live",
        start_date=START,
        end_date=end,
    )
    for metric, target, direction in (
        ("revenue", "50000000", "higher"),
        ("cvr", "0.035", "higher"),
        ("cpa", "40", "lower"),
        ("roas", "3", "higher"),
        ("ctr", "0.02", "higher"),
    ):
        Goal.objects.create(
            campaign=campaign, metric=metric, target=Decimal(target), direction=direction, deadline=end
        )
    rng = random.Random(365)
    rows = []
    for day in range(days):
        date = START + dt.timedelta(days=day)
        for channel in made:
            impressions = rng.randrange(1000, 100000)
            clicks = impressions * rng.randrange(5, 40) // 1000
            conversions = clicks * rng.randrange(1, 8) // 100
            rows.append(
                DailyMetric(
                    campaign=campaign,
                    channel=channel,
                    date=date,
                    impressions=impressions,
                    clicks=clicks,
                    conversions=conversions,
                    new_users=conversions * 2,
                    revenue=Decimal(conversions * 199),
                    cost=Decimal(clicks * 2),
                    leads=clicks // 10,
                    mqls=clicks // 30,
                    opportunities=clicks // 90,
                    negative_comments=rng.randrange(0, 5),
                )
            )
    DailyMetric.objects.bulk_create(rows, batch_size=2000)
    if connection.vendor == "postgresql":
        # What autovacuum does shortly after a bulk load; without statistics the planner guesses.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE metrics_dailymetric")
    return campaign.pk


def measure(client, url: str, requests: int, warmup: int = 5) -> list[float]:
    for _ in range(warmup):
        assert client.get(url).status_code == 200, url
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    return timings


def child(env: dict, days: int, channels: int, requests: int) -> dict:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaignflow.config.settings")
    import django

    django.setup()
    from django.http import JsonResponse
    from django.test import Client
    from django.urls import clear_url_caches, path

    from campaignflow.accounts.models import User
    from campaignflow.config import urls as root
    from campaignflow.metrics.models import DailyMetric

    campaign_id = seed(days, channels)

    def bare(request):
        return JsonResponse({"campaign": campaign_id, "ok": True})

    root.urlpatterns.insert(0, path("bench/bare/", bare))
    clear_url_caches()
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="bench.analyst"))
    url = f"/api/v1/campaigns/{campaign_id}/kpis"
    size = len(client.get(url).content)
    return {
        "rows": DailyMetric.objects.count(),
        "kpis": measure(client, url, requests),
        "bare": measure(client, "/bench/bare/", requests),
        "bytes": size,
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def run_child(env: dict, args) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        json.dumps(env),
        str(args.days),
        str(args.channels),
        str(args.requests),
    ]
    output = subprocess.run(command, capture_output=True, text=True, env=os.environ | env, check=False)
    for line in output.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"benchmark failed:\n{output.stdout}\n{output.stderr}")


def report(results: list[tuple[str, dict]], args) -> bool:
    """Print the table; True when every target was met."""
    met = True
    print(
        f"\nGET /api/v1/campaigns/{{id}}/kpis — {args.days} days × {args.channels} channels, "
        f"{args.requests} requests after 5 warm-up\n"
    )
    print(
        f"{'database':<11}{'endpoint':<14}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'p95 / bare':>12}   target"
    )
    for label, result in results:
        kpis, bare = result["kpis"], result["bare"]
        p95, bare95 = percentile(kpis, 0.95), percentile(bare, 0.95)
        target = f"p95 < 150 ms: {'met' if p95 < 150 else 'MISSED'}"
        met &= p95 < 150
        print(
            f"{label:<11}{'kpis':<14}{statistics.median(kpis):>9.1f}{p95:>9.1f}{max(kpis):>9.1f}"
            f"{p95 / bare95:>12.1f}   {target}"
        )
        print(
            f"{'':<11}{'bare view':<14}{statistics.median(bare):>9.1f}{bare95:>9.1f}{max(bare):>9.1f}{1:>12.1f}"
        )
        print(f"{'':<11}{result['rows']:,} rows, response {result['bytes'] / 1024:.0f} KiB")
    return met


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        env, days, channels, requests = json.loads(sys.argv[2]), *map(int, sys.argv[3:6])
        print("RESULT " + json.dumps(child(env, days, channels, requests)))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--pg-url", default=os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/test"
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="campaignflow-bench-"))
    base_env = {"CAMPAIGNFLOW_DEBUG": "0", "CAMPAIGNFLOW_LOG_LEVEL": "WARNING"}
    results = []
    try:
        if args.database in ("sqlite", "both"):
            env = base_env | {"CAMPAIGNFLOW_DATA_DIR": str(workdir / "sqlite"), "DATABASE_URL": ""}
            (workdir / "sqlite").mkdir()
            subprocess.run(
                [*CAMPAIGNFLOW, "migrate", "--noinput", "-v", "0"], env=os.environ | env, check=True
            )
            results.append(("SQLite", run_child(env, args)))
        if args.database in ("postgres", "both"):
            import psycopg

            name = f"campaignflow_bench_{os.getpid()}"
            with psycopg.connect(args.pg_url, autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{name}"')
            try:
                url = f"{args.pg_url.rsplit('/', 1)[0]}/{name}"
                env = base_env | {"CAMPAIGNFLOW_DATA_DIR": str(workdir / "postgres"), "DATABASE_URL": url}
                (workdir / "postgres").mkdir()
                subprocess.run(
                    [*CAMPAIGNFLOW, "migrate", "--noinput", "-v", "0"], env=os.environ | env, check=True
                )
                results.append(("PostgreSQL", run_child(env, args)))
            finally:
                with psycopg.connect(args.pg_url, autocommit=True) as connection:
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        met = report(results, args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
