#!/usr/bin/env python
"""Benchmark: importing a 1,000,000-row channel export (issue 4, "Speed").

Targets: at least 50,000 rows/s on SQLite; on PostgreSQL at least half the rows per second of a
plain `COPY` of the same file into an equivalent table, measured in the same run; peak memory of
the importing process under 300 MB.

    .venv/bin/python bench/import_metrics.py                      # SQLite and PostgreSQL, 1,000,000 rows
    .venv/bin/python bench/import_metrics.py --rows 200000 --database sqlite
    .venv/bin/python bench/import_metrics.py --pg-url postgres://postgres@127.0.0.1:5432/test

The file is what a data analyst drops on a campaign: Chinese headers (日期, 渠道, 曝光量, …),
UTF-8, 50 channels a day over one campaign with a long enough date range. Each measured step runs
in its own process, so its peak RSS (getrusage ru_maxrss) is the import's own, not the
generator's. The import goes through the same service as the API (`daily_metrics_import`):
encoding detection, header mapping, every row check, the upsert and the audit event.

PostgreSQL baseline: `COPY … FROM STDIN (FORMAT csv, HEADER)` of the very same file into a table
with the file's columns, typed like DailyMetric, with an identity key, the same NOT NULL and
non-negative checks and a unique index on (channel, date): the table a DBA would make to hold the
file with the guarantees daily metrics have. A COPY into a table without any index is printed
too, as the floor. A scratch database is created for the run and dropped afterwards.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHANNELS = 50
START = dt.date(1990, 1, 1)
HEADER = [
    "日期",
    "渠道",
    "曝光量",
    "点击量",
    "转化量",
    "新增用户",
    "销售额(元)",
    "花费",
    "线索",
    "MQL",
    "商机",
    "客流量",
    "负面评论",
    "异常说明",
]
CAMPAIGFLOW_MODULE = [sys.executable, "-m", "campaignflow"]


def channel_name(index: int) -> str:
    return f"渠道{index:02d}"


def days_for(rows: int) -> int:
    return -(-rows // CHANNELS)


def generate(path: Path, rows: int) -> None:
    """The export: one row per channel and day, plausible numbers, now and then a note."""
    rng = random.Random(20240610)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        written, day = 0, 0
        while written < rows:
            date = (START + dt.timedelta(days=day)).isoformat()
            for channel in range(CHANNELS):
                if written >= rows:
                    break
                impressions = rng.randrange(1000, 100000)
                clicks = impressions * rng.randrange(5, 40) // 1000
                conversions = clicks * rng.randrange(1, 8) // 100
                note = "客流低于预期20%" if rng.random() < 0.001 else ""
                writer.writerow(
                    [
                        date,
                        channel_name(channel),
                        impressions,
                        clicks,
                        conversions,
                        conversions * 2,
                        f"{conversions * 199}.00",
                        f"{clicks * 2}.50",
                        clicks // 10,
                        clicks // 30,
                        clicks // 90,
                        0,
                        rng.randrange(0, 5),
                        note,
                    ]
                )
                written += 1
            day += 1


# --- steps, each in its own process ------------------------------------------------------------------


def _django(env: dict) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaignflow.config.settings")
    import django

    django.setup()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step_seed(rows: int) -> dict:
    from campaignflow.accounts.models import Department, User, UserRole
    from campaignflow.campaigns.models import Campaign
    from campaignflow.metrics.models import Channel

    department = Department.objects.create(name="市场部", code="marketing")
    analyst = User.objects.create_user(
        username="bench.analyst", password="bench-analyst-2026", department=department
    )
    UserRole.objects.create(user=analyst, role="data_analyst")
    Channel.objects.bulk_create(Channel(name=channel_name(i), kind="paid_social") for i in range(CHANNELS))
    campaign = Campaign.objects.create(
        name="Benchmark campaign",
        department=department,
        owner=analyst,
        created_by=analyst,
        status="live",
        start_date=START,
        end_date=START + dt.timedelta(days=days_for(rows) - 1),
    )
    return {"campaign": campaign.pk}


def step_import(campaign_id: int, path: str) -> dict:
    from campaignflow.accounts.models import User
    from campaignflow.campaigns.models import Campaign
    from campaignflow.metrics import services

    campaign = Campaign.objects.get(pk=campaign_id)
    actor = User.objects.get(username="bench.analyst")
    before = _rss_mb()
    started = time.perf_counter()
    with open(path, "rb") as stream:
        result = services.daily_metrics_import(
            campaign=campaign, actor=actor, stream=stream, filename=Path(path).name
        )
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "rss_before_mb": before,
        "peak_rss_mb": _rss_mb(),
    }


COUNTS = (
    "impressions",
    "clicks",
    "conversions",
    "new_users",
    "leads",
    "mqls",
    "opportunities",
    "visits",
    "negative_comments",
)
FILE_COLUMNS = [
    ("date", "date"),
    ("channel", 'varchar(100) COLLATE "C"'),
    ("impressions", "bigint"),
    ("clicks", "bigint"),
    ("conversions", "bigint"),
    ("new_users", "bigint"),
    ("revenue", "numeric(16,2)"),
    ("cost", "numeric(16,2)"),
    ("leads", "bigint"),
    ("mqls", "bigint"),
    ("opportunities", "bigint"),
    ("visits", "bigint"),
    ("negative_comments", "bigint"),
    ("note", "varchar(500)"),
]


def copy_table_sql(indexed: bool) -> str:
    """The baseline table: the file's columns typed like DailyMetric; `indexed` adds its guarantees."""
    if not indexed:
        return "CREATE TABLE bench_copy (" + ", ".join(f"{name} {kind}" for name, kind in FILE_COLUMNS) + ")"
    columns = ["id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"]
    for name, kind in FILE_COLUMNS:
        check = f" CHECK ({name} >= 0)" if name in COUNTS or name in ("revenue", "cost") else ""
        columns.append(f"{name} {kind} NOT NULL{check}")
    # Key order and "C" collation as DailyMetric's unique index (campaign, date, channel id): the
    # file arrives day by day, and integer ids compare like bytes, not like locale-aware text.
    return "CREATE TABLE bench_copy (" + ", ".join(columns) + ", UNIQUE (date, channel))"


def step_copy(path: str, indexed: bool) -> dict:
    from django.db import connection

    names = ", ".join(name for name, _kind in FILE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(copy_table_sql(indexed))
        started = time.perf_counter()
        with (
            open(path, "rb") as stream,
            cursor.cursor.copy(
                f"COPY bench_copy ({names}) FROM STDIN (FORMAT csv, HEADER true, FORCE_NOT_NULL (note))"
            ) as copy,
        ):
            while chunk := stream.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_copy")
        rows = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_copy")
    return {"seconds": seconds, "rows": rows, "peak_rss_mb": _rss_mb()}


def child(argv: list[str]) -> None:
    env = json.loads(argv[1])
    _django(env)
    name = argv[0]
    if name == "seed":
        result = step_seed(int(argv[2]))
    elif name == "import":
        result = step_import(int(argv[2]), argv[3])
    else:
        result = step_copy(argv[2], indexed=name == "copy-indexed")
    print("RESULT " + json.dumps(result))


def run_step(name: str, env: dict, *args) -> dict:
    command = [sys.executable, __file__, "--child", name, json.dumps(env), *map(str, args)]
    output = subprocess.run(command, capture_output=True, text=True, env=os.environ | env, check=False)
    for line in output.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"step {name} failed:\n{output.stdout}\n{output.stderr}")


# --- one database ------------------------------------------------------------------------------------------


def migrate(env: dict) -> None:
    subprocess.run([*CAMPAIGFLOW_MODULE, "migrate", "--noinput", "-v", "0"], env=os.environ | env, check=True)


def bench_database(label: str, env: dict, csv_path: Path, rows: int, with_copy: bool) -> dict:
    migrate(env)
    campaign = run_step("seed", env, rows)["campaign"]
    results = {
        "first": run_step("import", env, campaign, csv_path),
        "again": run_step("import", env, campaign, csv_path),
    }
    if with_copy:
        results["copy"] = run_step("copy-indexed", env, csv_path)
        results["copy_bare"] = run_step("copy-bare", env, csv_path)
    results["label"] = label
    return results


def postgres_database(url: str) -> tuple[str, callable]:
    """A scratch database next to the one in `url`, and a function that drops it."""
    import psycopg

    name = f"campaignflow_bench_{os.getpid()}"
    base = url.rsplit("/", 1)[0]
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{base}/{name}", drop


# --- report ----------------------------------------------------------------------------------------------------


def report(rows: int, size: int, results: list[dict]) -> bool:
    """Print the table; True when every target was met."""
    met = True
    print(
        f"\nImport of a {rows:,}-row CSV ({size / 1e6:.1f} MB, {CHANNELS} channels × {days_for(rows):,} days)\n"
    )
    print(f"{'database':<11}{'step':<34}{'seconds':>9}{'rows/s':>12}{'peak RSS MB':>13}   target")
    for result in results:
        first, again = result["first"], result["again"]
        rate = first["rows"] / first["seconds"]
        target = ""
        if result["label"] == "SQLite":
            target = f"≥ 50,000 rows/s: {'met' if rate >= 50000 else 'MISSED'}"
            met &= rate >= 50000
        print(
            f"{result['label']:<11}{'import (new rows, COPY/INSERT)':<34}{first['seconds']:>9.2f}{rate:>12,.0f}"
            f"{first['peak_rss_mb']:>13.0f}   {target}"
        )
        again_rate = again["rows"] / again["seconds"]
        print(
            f"{'':<11}{'re-import (all rows updated)':<34}{again['seconds']:>9.2f}{again_rate:>12,.0f}"
            f"{again['peak_rss_mb']:>13.0f}"
        )
        if "copy" in result:
            copy, bare = result["copy"], result["copy_bare"]
            copy_rate, bare_rate = copy["rows"] / copy["seconds"], bare["rows"] / bare["seconds"]
            print(f"{'':<11}{'COPY, equivalent table':<34}{copy['seconds']:>9.2f}{copy_rate:>12,.0f}")
            print(f"{'':<11}{'COPY, table without indexes':<34}{bare['seconds']:>9.2f}{bare_rate:>12,.0f}")
            ratio = rate / copy_rate
            met &= ratio >= 0.5
            print(
                f"{'':<11}{'ratio import / COPY (equivalent)':<34}{ratio:>9.2f}{'':>25}   ≥ 0.5: "
                f"{'met' if ratio >= 0.5 else 'MISSED'}"
            )
            print(f"{'':<11}{'ratio import / COPY (no indexes)':<34}{rate / bare_rate:>9.2f}")
        peak = max(first["peak_rss_mb"], again["peak_rss_mb"])
        met &= peak < 300
        print(
            f"{'':<11}{'peak memory of the import process':<34}{'':>21}{peak:>13.0f}   < 300 MB: "
            f"{'met' if peak < 300 else 'MISSED'} (Django loaded: {first['rss_before_mb']:.0f} MB)"
        )
    return met


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--pg-url", default=os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/test"
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="campaignflow-bench-"))
    try:
        csv_path = workdir / "channel-export.csv"
        started = time.perf_counter()
        generate(csv_path, args.rows)
        print(f"generated {csv_path.name}: {args.rows:,} rows in {time.perf_counter() - started:.1f} s")
        results = []
        base_env = {"CAMPAIGNFLOW_DEBUG": "0", "CAMPAIGNFLOW_LOG_LEVEL": "WARNING"}
        if args.database in ("sqlite", "both"):
            data_dir = workdir / "sqlite"
            data_dir.mkdir()
            env = base_env | {"CAMPAIGNFLOW_DATA_DIR": str(data_dir), "DATABASE_URL": ""}
            results.append(bench_database("SQLite", env, csv_path, args.rows, with_copy=False))
        if args.database in ("postgres", "both"):
            url, drop = postgres_database(args.pg_url)
            try:
                data_dir = workdir / "postgres"
                data_dir.mkdir()
                env = base_env | {"CAMPAIGNFLOW_DATA_DIR": str(data_dir), "DATABASE_URL": url}
                results.append(bench_database("PostgreSQL", env, csv_path, args.rows, with_copy=True))
            finally:
                drop()
        met = report(args.rows, csv_path.stat().st_size, results)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
