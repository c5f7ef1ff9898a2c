#!/usr/bin/env python
"""Load test: 50 concurrent users on a generated organization, through `campaignflow serve` (issue 8).

    .venv/bin/python bench/generate_org.py --database postgres            # once (see its --help)
    .venv/bin/python bench/load.py --data-dir /tmp/campaignflow-org       # 60 s, 50 users
    .venv/bin/python bench/load.py --quick                                # scale 0.01, 10 s, SQLite

The server is `campaignflow serve` (gunicorn, gthread; 2 workers × 4 threads unless --workers /
--threads) on a free loopback port, against the database of the generated organization (the
SQLite file in --data-dir, or the PostgreSQL database recorded in its org.json). Locust 2 runs in
this process (a local runner, FastHttpUser) with the mix below; every user acts as one of the
generated people, through the session cookie (pages) or the API token (API calls) the generator
wrote. Requests are grouped by what they are; for each group the table shows requests, req/s,
p50/p95/p99 (ms) and errors, and a JSON file gets the same figures.

Mix (relative weights per user, think time 0.5-2 s between requests):
  pages      campaign list 6, campaign page 8, Gantt 4, task board 4, alerts list 3, knowledge search 3
  dashboards home dashboard with the portfolio 6, KPI dashboard of a campaign 6
  API reads  campaign list 4, campaign 4, KPIs 4, tasks 3, alerts 2, my tasks 2
  writes     approve a plan step 1, task progress (PATCH) 3, metrics import (7-row CSV) 1
  redirect   /r/<code> 10

Targets (issue 8): zero errors; p95 under 300 ms for pages and API reads on PostgreSQL; dashboards
under 500 ms p95. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import gevent

# Importing locust patches the standard library with gevent (sockets, subprocess, time, …).
from locust import FastHttpUser, between, events, task
from locust.env import Environment

ROOT = Path(__file__).resolve().parents[1]
CF = [sys.executable, "-m", "campaignflow"]
DEFAULT_SECRET = "bench-org-secret-" + "k" * 40

GROUPS = {  # request name prefix → group
    "page": "pages",
    "dashboard": "dashboards",
    "api": "API reads",
    "write": "writes",
    "redirect": "redirect",
}
TARGETS_MS = {"pages": 300, "API reads": 300, "dashboards": 500}

ORG: dict = {}
WORK: dict = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the users ------------------------------------------------------------------------------------


class Person(FastHttpUser):
    """One person of the generated organization: browses pages and calls the API."""

    wait_time = between(0.5, 2.0)
    identities = itertools.count()

    def on_start(self):
        browsers = ORG["load"]["browsers"]
        self.me = browsers[next(self.identities) % len(browsers)]
        # One connection per request, as a reverse proxy in front of gunicorn does by default:
        # gunicorn drops a keep-alive connection after 2 s idle, and a request sent on it as it
        # closes fails with no answer (a browser would send it again; a POST must not be).
        self.cookie = {
            "Cookie": f"{ORG['load']['session_cookie']}={self.me['session']}",
            "Connection": "close",
        }
        self.bearer = {"Authorization": f"Bearer {self.me['token']}", "Connection": "close"}
        self.rng = random.Random()

    # helpers

    def _campaign(self, key: str = "campaigns") -> int:
        ids = self.me[key] or self.me["all_campaigns"]
        return self.rng.choice(ids)

    def _get(self, path: str, name: str, headers: dict, expect: int = 200):
        with self.client.get(
            path, name=name, headers=headers, catch_response=True, allow_redirects=False
        ) as r:
            if r.status_code != expect:
                r.failure(f"{r.status_code} for {path}{'' if r.status_code else f': {r.error}'}")

    def page(self, path: str, name: str):
        self._get(path, name, self.cookie)

    def api(self, path: str, name: str):
        self._get(path, name, self.bearer)

    # pages

    @task(6)
    def campaign_list(self):
        self.page("/campaigns/", "page: campaign list")

    @task(8)
    def campaign_page(self):
        self.page(f"/campaigns/{self._campaign('all_campaigns')}/", "page: campaign")

    @task(4)
    def gantt(self):
        self.page(f"/execution/campaigns/{self._campaign('task_campaigns')}/gantt/", "page: Gantt")

    @task(4)
    def board(self):
        self.page(f"/execution/campaigns/{self._campaign('task_campaigns')}/board/", "page: task board")

    @task(3)
    def alerts(self):
        self.page("/alerts/", "page: alerts list")

    @task(3)
    def knowledge(self):
        term = self.rng.choice(ORG["load"]["search_terms"])
        self.page(f"/knowledge/?q={quote(term)}", "page: knowledge search")

    # dashboards

    @task(6)
    def home(self):
        self.page("/", "dashboard: home (portfolio)")

    @task(6)
    def kpi_dashboard(self):
        self.page(f"/metrics/campaigns/{self._campaign()}/dashboard/", "dashboard: KPI dashboard")

    # API reads

    @task(4)
    def api_campaigns(self):
        self.api("/api/v1/campaigns?status=live,optimizing&limit=50", "api: campaign list")

    @task(4)
    def api_campaign(self):
        self.api(f"/api/v1/campaigns/{self._campaign('all_campaigns')}", "api: campaign")

    @task(4)
    def api_kpis(self):
        self.api(f"/api/v1/campaigns/{self._campaign()}/kpis", "api: KPIs")

    @task(3)
    def api_tasks(self):
        self.api(f"/api/v1/campaigns/{self._campaign('task_campaigns')}/tasks", "api: tasks")

    @task(2)
    def api_alerts(self):
        self.api("/api/v1/alerts", "api: alerts")

    @task(2)
    def api_my_tasks(self):
        self.api("/api/v1/me/tasks", "api: my tasks")

    # writes

    def _write(self, method: str, path: str, name: str, token: str, expect: int = 200, **kwargs):
        headers = {"Authorization": f"Bearer {token}", "Connection": "close", **kwargs.pop("headers", {})}
        with self.client.request(
            method, path, name=name, headers=headers, catch_response=True, **kwargs
        ) as r:
            if r.status_code != expect:
                r.failure(f"{r.status_code} for {method} {path}: {(r.text or r.error or '')!s:.200}")
                return False
        return True

    @task(1)
    def approve(self):
        queue = WORK["approvals"]
        if not queue:
            return self.api_campaign()
        item = queue.pop(0)
        if (
            self._write(
                "POST",
                f"/api/v1/campaigns/{item['campaign']}/approve",
                "write: approve",
                item["token"],
                json={"comment": "同意"},
            )
            and item["level"] == 1
        ):
            queue.append({"campaign": item["campaign"], "level": 2, "token": item["final"]})

    @task(3)
    def task_progress(self):
        item = self.rng.choice(WORK["task_updates"])
        status = self.rng.choice(["in_progress", "todo"])
        self._write(
            "PATCH",
            f"/api/v1/tasks/{item['task']}",
            "write: task progress",
            item["token"],
            json={"status": status},
        )

    @task(1)
    def metrics_import(self):
        import datetime as dt

        item = self.rng.choice(WORK["imports"])
        last = dt.date.fromisoformat(item["last_day"])
        lines = ["date,channel,impressions,clicks,conversions,cost,revenue"]
        for back in range(7):
            day = last - dt.timedelta(days=back)
            impressions = self.rng.randint(5000, 90000)
            clicks = impressions // self.rng.randint(30, 80)
            lines.append(
                f"{day},{item['channel']},{impressions},{clicks},{clicks // 30},"
                f"{impressions * 3 / 100:.2f},{clicks * 4:.2f}"
            )
        boundary = uuid.uuid4().hex
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="daily.csv"\r\n'
            f"Content-Type: text/csv\r\n\r\n" + "\n".join(lines) + f"\r\n--{boundary}--\r\n"
        ).encode()
        self._write(
            "POST",
            f"/api/v1/campaigns/{item['campaign']}/metrics/import",
            "write: metrics import",
            item["token"],
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )

    # tracked links

    @task(10)
    def redirect(self):
        code = self.rng.choice(ORG["load"]["link_codes"])
        self._get(
            f"/r/{code}",
            "redirect: /r/<code>",
            {"User-Agent": "Mozilla/5.0 (iPhone) MicroMessenger/8.0", "Connection": "close"},
            expect=302,
        )


# --- the server -----------------------------------------------------------------------------------


def server_env(org: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {
        "CAMPAIGNFLOW_DATA_DIR": org["data_dir"],
        "CAMPAIGNFLOW_SECRET_KEY": org.get("secret_key") or DEFAULT_SECRET,
        "CAMPAIGNFLOW_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "campaignflow.config.settings",
        "CAMPAIGNFLOW_CLICK_BUFFER": "memory",
        "PYTHONPATH": str(ROOT / "src"),
    }
    if org.get("database_url"):
        env["DATABASE_URL"] = org["database_url"]
    return env


def start_server(org: dict, port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    env = server_env(org)
    # An organization generated before a newer migration gets it now (a no-op when up to date).
    subprocess.run([*CF, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*CF, "collectstatic", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    out = log.open("w")
    server = subprocess.Popen(
        [
            *CF,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        start_new_session=True,
    )
    deadline = time.time() + 90
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited ({server.returncode}); see {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.terminate()
    raise SystemExit("the server did not answer within 90 s")


def warm_up(port: int) -> None:
    """One request of each page kind per worker thread, so workers import and connect before timing."""
    me = ORG["load"]["browsers"][0]
    cookie = f"{ORG['load']['session_cookie']}={me['session']}"
    campaign = me["campaigns"][0] if me["campaigns"] else me["all_campaigns"][0]
    paths = [
        "/",
        "/campaigns/",
        f"/campaigns/{campaign}/",
        f"/metrics/campaigns/{campaign}/dashboard/",
        "/alerts/",
        "/knowledge/?q=" + quote("茶"),
    ]
    for _ in range(4):
        for path in paths:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", path, headers={"Cookie": cookie})
            conn.getresponse().read()
            conn.close()


def alone_times(port: int, repeat: int = 5) -> dict[str, float]:
    """Median time of each read endpoint requested alone (no other load): the server's own cost,
    to set beside the load figures, which add the wait for a free worker thread."""
    me = ORG["load"]["browsers"][0]
    cookie = {"Cookie": f"{ORG['load']['session_cookie']}={me['session']}"}
    bearer = {"Authorization": f"Bearer {me['token']}"}
    data, tasks = me["campaigns"][0], me["task_campaigns"][0]
    paths = {
        "page: campaign list": ("/campaigns/", cookie),
        "page: campaign": (f"/campaigns/{data}/", cookie),
        "page: Gantt": (f"/execution/campaigns/{tasks}/gantt/", cookie),
        "page: task board": (f"/execution/campaigns/{tasks}/board/", cookie),
        "page: alerts list": ("/alerts/", cookie),
        "page: knowledge search": ("/knowledge/?q=" + quote("绿茶"), cookie),
        "dashboard: home (portfolio)": ("/", cookie),
        "dashboard: KPI dashboard": (f"/metrics/campaigns/{data}/dashboard/", cookie),
        "api: campaign list": ("/api/v1/campaigns?status=live,optimizing&limit=50", bearer),
        "api: campaign": (f"/api/v1/campaigns/{data}", bearer),
        "api: KPIs": (f"/api/v1/campaigns/{data}/kpis", bearer),
        "api: tasks": (f"/api/v1/campaigns/{tasks}/tasks", bearer),
        "api: alerts": ("/api/v1/alerts", bearer),
        "api: my tasks": ("/api/v1/me/tasks", bearer),
        "redirect: /r/<code>": (f"/r/{ORG['load']['link_codes'][0]}", {}),
    }
    result = {}
    for name, (path, headers) in paths.items():
        times = []
        for _ in range(repeat):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            conn.getresponse().read()
            times.append((time.perf_counter() - started) * 1000)
            conn.close()
        result[name] = round(sorted(times)[len(times) // 2], 1)
    return result


def approval_queue(port: int) -> list[dict]:
    """The plan approvals still to decide, read from the server: an earlier run decided some."""
    queue = []
    for item in ORG["load"]["approvals"]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request(
            "GET",
            f"/api/v1/campaigns/{item['campaign']}",
            headers={"Authorization": f"Bearer {item['final']}"},
        )
        response = conn.getresponse()
        campaign = json.loads(response.read()) if response.status == 200 else {}
        conn.close()
        if campaign.get("status") == "in_review":
            level = campaign.get("approval_level", item["level"])
            queue.append(
                {**item, "level": level, "token": item["token"] if level == item["level"] else item["final"]}
            )
    return queue


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- the run and the report -------------------------------------------------------------------------


def run_load(host: str, users: int, spawn_rate: float, duration: float) -> Environment:
    env = Environment(user_classes=[Person], host=host, events=events)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=spawn_rate)
    gevent.spawn_later(duration, runner.quit)
    runner.greenlet.join()
    return env


def summarize(env: Environment, duration: float) -> dict:
    stats = env.stats
    groups: dict[str, list] = {}
    endpoints = {}
    for (name, _method), entry in sorted(stats.entries.items()):
        group = GROUPS[name.split(":", 1)[0]]
        groups.setdefault(group, []).append(entry)
        endpoints[name] = figures(entry, duration)
    result = {"groups": {}, "endpoints": endpoints}
    from locust.stats import StatsEntry

    for group, entries in groups.items():
        merged = StatsEntry(stats, group, "")
        for entry in entries:
            merged.extend(entry)
        result["groups"][group] = figures(merged, duration)
    result["total"] = figures(stats.total, duration)
    errors = {}
    for error in stats.errors.values():
        errors[f"{error.name}: {error.error}"[:300]] = error.occurrences
    result["errors"] = errors
    return result


def figures(entry, duration: float) -> dict:
    return {
        "requests": entry.num_requests,
        "errors": entry.num_failures,
        "rps": round(entry.num_requests / duration, 2),
        "p50_ms": entry.get_response_time_percentile(0.5) if entry.num_requests else None,
        "p95_ms": entry.get_response_time_percentile(0.95) if entry.num_requests else None,
        "p99_ms": entry.get_response_time_percentile(0.99) if entry.num_requests else None,
        "max_ms": round(entry.max_response_time) if entry.num_requests else None,
    }


def verdict(result: dict) -> list[str]:
    missed = []
    if result["total"]["errors"]:
        missed.append(f"{result['total']['errors']} errors (target: none)")
    for group, limit in TARGETS_MS.items():
        row = result["groups"].get(group)
        if row and row["p95_ms"] is not None and row["p95_ms"] >= limit:
            missed.append(f"{group} p95 {row['p95_ms']} ms (target < {limit} ms)")
    return missed


def print_table(result: dict, header: str) -> None:
    print(f"\n{header}")
    print("times in ms; alone: the median of 5 requests of the endpoint with no other load")
    line = (
        f"{'group / endpoint':<32} {'requests':>8} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>6} "
        f"{'errors':>6} {'alone':>6}"
    )
    print(line)
    print("-" * len(line))

    def row(name, f, indent=""):
        def ms(v):
            return "—" if v is None else f"{v:.0f}"

        print(
            f"{indent + name:<32} {f['requests']:>8} {f['rps']:>7.1f} {ms(f['p50_ms']):>6} {ms(f['p95_ms']):>6} "
            f"{ms(f['p99_ms']):>6} {ms(f['max_ms']):>6} {f['errors']:>6} {ms(f.get('alone_ms')):>6}"
        )

    for group in GROUPS.values():
        if group not in result["groups"]:
            continue
        target = f" (p95 < {TARGETS_MS[group]} ms)" if group in TARGETS_MS else ""
        row(group + target, result["groups"][group])
        for name, f in result["endpoints"].items():
            if GROUPS[name.split(":", 1)[0]] == group:
                row(name.split(": ", 1)[1], f, "  ")
    print("-" * len(line))
    row("total", result["total"])
    if result["errors"]:
        print("\nerrors:")
        for text, count in sorted(result["errors"].items(), key=lambda kv: -kv[1])[:20]:
            print(f"  {count:>5} × {text}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data-dir", default="/tmp/campaignflow-org", help="where generate_org.py wrote org.json"
    )
    parser.add_argument(
        "--generate", action="store_true", help="run generate_org.py first (with --scale, --database)"
    )
    parser.add_argument("--scale", type=float, default=0.01, help="with --generate (default 0.01)")
    parser.add_argument(
        "--database", choices=["sqlite", "postgres"], default="sqlite", help="with --generate"
    )
    parser.add_argument("--pg-url", help="with --generate --database postgres")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="generate scale 0.01 on SQLite in a scratch dir and run 10 s (for make bench)",
    )
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--json", help="write the results here (default <data dir>/load-<database>.json)")
    args = parser.parse_args()
    scratch = None
    if args.quick:
        import tempfile

        args.generate, args.scale, args.database = True, 0.01, "sqlite"
        args.duration = min(args.duration, 10)
        args.data_dir = scratch = tempfile.mkdtemp(prefix="campaignflow-load-")
        args.json = args.json or str(Path(scratch).parent / "campaignflow-load-quick.json")
    try:
        return run(args)
    finally:
        if scratch:
            import shutil

            shutil.rmtree(scratch, ignore_errors=True)


def run(args) -> int:
    if args.generate:
        command = [
            sys.executable,
            str(ROOT / "bench" / "generate_org.py"),
            "--data-dir",
            args.data_dir,
            "--scale",
            str(args.scale),
            "--database",
            args.database,
        ]
        if args.pg_url:
            command += ["--pg-url", args.pg_url]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    manifest = Path(args.data_dir) / "org.json"
    if not manifest.exists():
        raise SystemExit(f"{manifest} is missing: run bench/generate_org.py --data-dir {args.data_dir} first")
    ORG.update(json.loads(manifest.read_text()))
    WORK["approvals"] = list(ORG["load"]["approvals"])
    WORK["task_updates"] = ORG["load"]["task_updates"]
    WORK["imports"] = ORG["load"]["imports"]

    port = free_port()
    log = Path(args.data_dir) / f"server-{port}.log"
    server = start_server(ORG, port, args.workers, args.threads, log)
    try:
        warm_up(port)
        alone = alone_times(port)
        WORK["approvals"] = approval_queue(port)
        available = len(WORK["approvals"]) + sum(1 for item in WORK["approvals"] if item["level"] == 1)
        started = time.perf_counter()
        env = run_load(f"http://127.0.0.1:{port}", args.users, args.spawn_rate, args.duration)
        elapsed = time.perf_counter() - started
    finally:
        stop_server(server)
    result = summarize(env, elapsed)
    for name, figures_ in result["endpoints"].items():
        figures_["alone_ms"] = alone.get(name)
    counts = ORG["counts"]
    result["config"] = {
        "database": ORG["database"],
        "scale": ORG["scale"],
        "campaigns": counts["campaigns"],
        "daily_metrics": counts["daily_metrics"],
        "tasks": counts["tasks"],
        "users": args.users,
        "duration_s": round(elapsed, 1),
        "server": f"campaignflow serve, {args.workers} workers × {args.threads} threads",
        "approval_steps_left": len(WORK["approvals"]),
        "approval_steps_available": available,
    }
    missed = verdict(result)
    result["targets_missed"] = missed
    out = Path(args.json or Path(args.data_dir) / f"load-{ORG['database']}.json")
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    header = (
        f"{args.users} users for {elapsed:.0f} s on {ORG['database']} (scale {ORG['scale']}: {counts['campaigns']:,} "
        f"campaigns, {counts['tasks']:,} tasks, {counts['daily_metrics']:,} daily rows), "
        f"{args.workers} workers × {args.threads} threads"
    )
    print_table(result, header)
    print(f"\n{'targets met' if not missed else 'TARGETS MISSED: ' + '; '.join(missed)}   (JSON: {out})")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
