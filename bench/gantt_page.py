"""Time the Gantt page of a 500-task campaign, against the same page with no tasks (the bare view).

    .venv/bin/python bench/gantt_page.py [--tasks 500] [--repeat 15]

Runs Django in-process on a throwaway SQLite database (CAMPAIGNFLOW_TESTING: its own data dir),
builds a campaign with N tasks in chains of ten (finish-to-start) and a baseline, signs in as the
campaign owner and requests /execution/campaigns/<id>/gantt/ through Django's test client: the
full stack of middleware, permission checks, queries, critical path, figure JSON and template.
Reports the median and the worst of `--repeat` requests after one warm-up. Target: under 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaignflow.config.settings")
os.environ.setdefault("CAMPAIGNFLOW_TESTING", "1")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

TARGET_MS = 1000.0


def build(tasks: int):
    from campaignflow.accounts.models import Department, User
    from campaignflow.campaigns.models import Campaign, CampaignMember
    from campaignflow.execution.models import Task, TaskDependency

    department = Department.objects.create(name="Marketing", code="marketing")
    owner = User.objects.create_user("owner", password="bench-password-2026", department=department)

    def campaign(name: str) -> Campaign:
        made = Campaign.objects.create(
            name=name,
            department=department,
            owner=owner,
            created_by=owner,
            status="live",
            start_date=dt.date(2026, 12, 1),
            end_date=dt.date(2027, 3, 1),
        )
        CampaignMember.objects.create(campaign=made, user=owner, role="owner")
        return made

    empty, full = campaign("Empty"), campaign("Five hundred tasks")
    start = dt.date(2026, 10, 1)
    rows = []
    for n in range(tasks):
        begin = start + dt.timedelta(days=(n % 10) * 4 + n // 50)
        rows.append(
            Task(
                campaign=full,
                owner=owner,
                name=f"Task {n:04d}",
                planned_start=begin,
                planned_finish=begin + dt.timedelta(days=3),
                baseline_start=begin,
                baseline_finish=begin + dt.timedelta(days=2),
                status=("done", "in_progress", "todo", "todo")[n % 4],
                actual_finish=begin + dt.timedelta(days=3) if n % 4 == 0 else None,
                is_milestone=False,
                order=n,
            )
        )
    Task.objects.bulk_create(rows)
    ids = list(Task.objects.filter(campaign=full).order_by("order").values_list("pk", flat=True))
    links = [TaskDependency(task_id=ids[n], depends_on_id=ids[n - 1]) for n in range(1, tasks) if n % 10]
    TaskDependency.objects.bulk_create(links)
    return owner, empty, full


def timed(client: Client, url: str, repeat: int) -> list[float]:
    response = client.get(url)  # warm-up: templates, plotly version, session
    assert response.status_code == 200, response.status_code
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    # Not setup_test_environment(): its template instrumentation would be timed too.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    owner, empty, full = build(args.tasks)
    client = Client()
    client.force_login(owner)

    bare = timed(client, f"/execution/campaigns/{empty.pk}/gantt/", args.repeat)
    page = timed(client, f"/execution/campaigns/{full.pk}/gantt/", args.repeat)
    size = len(client.get(f"/execution/campaigns/{full.pk}/gantt/").content)

    median, worst = statistics.median(page), max(page)
    print(
        f"Gantt page, {args.tasks} tasks: median {median:.0f} ms, worst {worst:.0f} ms, {size / 1024:.0f} KiB of HTML"
    )
    print(
        f"bare view (same page, no tasks): median {statistics.median(bare):.0f} ms, worst {max(bare):.0f} ms"
    )
    print(f"ratio {median / statistics.median(bare):.1f}× the bare view; target under {TARGET_MS:.0f} ms")
    ok = worst < TARGET_MS
    print("OK" if ok else "MISSED TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
