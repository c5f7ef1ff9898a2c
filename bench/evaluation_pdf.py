#!/usr/bin/env python
"""Benchmark: the evaluation report (Table 4) as PDF for 50 channels × 365 days (issue 5, "Speed").

Target: under 2 s for GET …/reports/evaluation?format=pdf's work (build + render) over 18,250 rows.

    .venv/bin/python bench/evaluation_pdf.py                      # 50 channels, 365 days, 5 runs
    .venv/bin/python bench/evaluation_pdf.py --channels 50 --days 365 --runs 10

Runs on a throwaway SQLite DATA_DIR (migrated for the run, removed afterwards). Each run builds the
document (the KPI GROUP BY queries) and renders it; the baseline renders the same campaign's
document as XLSX in the same run, so the ratio is what PDF costs against the spreadsheet.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

START = dt.date(2025, 1, 1)


def seed(days: int, channels: int):
    import random

    from campaignflow.accounts.models import Department, User, UserRole
    from campaignflow.campaigns.models import Campaign, Goal
    from campaignflow.metrics.models import Channel, DailyMetric

    department = Department.objects.create(name="市场部", code="marketing")
    analyst = User.objects.create_user(username="bench.analyst", password="bench-2026", department=department)
    UserRole.objects.create(user=analyst, role="data_analyst")
    made = Channel.objects.bulk_create(
        Channel(name=f"渠道{i:02d}", kind="paid_social") for i in range(channels)
    )
    campaign = Campaign.objects.create(
        name="评估报告基准",
        department=department,
        owner=analyst,
        created_by=analyst,
        status="closing",
        start_date=START,
        end_date=START + dt.timedelta(days=days - 1),
    )
    for metric, target in (("revenue", "50000000"), ("new_users", "900000"), ("cpa", "40"), ("ctr", "0.02")):
        Goal.objects.create(campaign=campaign, metric=metric, name="", target=Decimal(target))
    rng = random.Random(5)
    rows = []
    for channel in made:
        for day in range(days):
            clicks = rng.randint(100, 2000)
            rows.append(
                DailyMetric(
                    campaign=campaign,
                    channel=channel,
                    date=START + dt.timedelta(days=day),
                    impressions=clicks * rng.randint(30, 80),
                    clicks=clicks,
                    conversions=clicks // rng.randint(10, 40),
                    new_users=clicks // 5,
                    cost=Decimal(rng.randint(500, 5000)),
                    revenue=Decimal(rng.randint(1000, 20000)),
                )
            )
    DailyMetric.objects.bulk_create(rows, batch_size=2000)
    return campaign, analyst


def run(args) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaignflow.config.settings")
    django.setup()
    from django.utils import translation

    from campaignflow.reports import registry

    campaign, analyst = seed(args.days, args.channels)
    translation.activate("zh-hans")
    request = registry.Request(user=analyst)
    registry.produce("evaluation", "pdf", campaign=campaign, request=request)  # warm: imports, fonts
    timings = {"pdf": [], "xlsx": []}
    size = 0
    for _ in range(args.runs):
        for fmt in ("xlsx", "pdf"):
            started = time.perf_counter()
            rendered = registry.produce("evaluation", fmt, campaign=campaign, request=request)
            timings[fmt].append(time.perf_counter() - started)
            size = len(rendered.content) if fmt == "pdf" else size
    pdf, xlsx = statistics.median(timings["pdf"]), statistics.median(timings["xlsx"])
    print(f"rows: {args.days * args.channels:,} ({args.channels} channels × {args.days} days)")
    print(
        f"evaluation PDF  median {pdf * 1000:.0f} ms, max {max(timings['pdf']) * 1000:.0f} ms ({size:,} bytes)"
    )
    print(f"evaluation XLSX median {xlsx * 1000:.0f} ms (baseline)")
    print(f"ratio PDF / XLSX: {pdf / xlsx:.2f}")
    print(f"target PDF < 2 s: {'met' if max(timings['pdf']) < 2 else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        run(args)
        return
    workdir = Path(tempfile.mkdtemp(prefix="campaignflow-bench-evaluation-"))
    try:
        env = os.environ | {"CAMPAIGNFLOW_DATA_DIR": str(workdir), "DATABASE_URL": ""}
        subprocess.run(
            [sys.executable, "-m", "campaignflow", "migrate", "--noinput", "-v", "0"], env=env, check=True
        )
        subprocess.run([sys.executable, __file__, "--inner", *sys.argv[1:]], env=env, check=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
