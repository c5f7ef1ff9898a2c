#!/usr/bin/env python
"""Benchmark: throughput of the tracked-link redirect `GET /r/<code>` (issue 4, "Speed").

Target: at least half the requests per second of a bare Django view returning the same 302, served
by the same server in the same run, with every click counted afterwards.

    .venv/bin/python bench/redirect.py                       # memory buffer, and Redis if reachable
    .venv/bin/python bench/redirect.py --buffer memory --seconds 5 --rounds 3 --clients 4

Each buffer variant gets a scratch SQLite database and its own gunicorn (the server of
`campaignflow serve`, same worker class: gthread, 2 workers × 4 threads by default, access log
off) serving CampaignFlow's URLs plus `/bench/bare/<code>`: a plain view that returns the same
302 through the same middleware. Client processes with keep-alive connections alternate rounds
of the bare view and the redirect; the ratio is redirect/bare requests per second.

Counting: memory variant — the server is stopped with SIGTERM (a clean shutdown), then the
stored clicks must equal the redirects answered (the workers write their buffers at exit).
Redis variant — `flush_clicks()` in this process, then the same check. Then the roll-up: the
channel's DailyMetric for today must hold every click.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0.47"
TARGET = "https://shop.example/tea?sku=42"


# --- the server (a child process: python bench/redirect.py --serve ...) -------------------------------


def bare_redirect(request, code):
    """The baseline: the same 302 to the same tagged URL, without lookup or counting."""
    from django.http import HttpResponseRedirect

    response = HttpResponseRedirect(BARE_URL)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


BARE_URL = ""


def serve(port: int, workers: int, threads: int) -> None:
    global BARE_URL
    import types

    import django
    from django.conf import settings
    from django.urls import include, path

    django.setup()
    from campaignflow.core.management.commands.serve import GunicornApplication, gunicorn_options
    from campaignflow.links.models import TrackedLink

    BARE_URL = TrackedLink.objects.get().tagged_url + "&cf_click=xxxxxxxxxxxx"
    urls = types.ModuleType("bench_redirect_urls")
    urls.urlpatterns = [
        path("bench/bare/<str:code>", bare_redirect),
        path("", include("campaignflow.config.urls")),
    ]
    sys.modules["bench_redirect_urls"] = urls
    settings.ROOT_URLCONF = "bench_redirect_urls"
    from django.db import connections

    connections.close_all()
    options = gunicorn_options(host="127.0.0.1", port=port, workers=workers, threads=threads, timeout=60)
    options |= {"accesslog": None, "loglevel": "warning"}
    GunicornApplication(options).run()


# --- the load ----------------------------------------------------------------------------------------


def client_loop(port: int, path: str, seconds: float, result) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"User-Agent": UA, "Connection": "keep-alive"}
    done = failed = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status == 302:
                done += 1
            else:
                failed += 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException):
            failed += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.close()
    result.put((done, failed))


def load(port: int, path: str, seconds: float, clients: int) -> tuple[float, int, int]:
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=client_loop, args=(port, path, seconds, queue)) for _ in range(clients)]
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - started
    done = sum(r[0] for r in results)
    return done / elapsed, done, sum(r[1] for r in results)


# --- one variant -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, deadline: float = 60) -> None:
    end = time.time() + deadline
    while time.time() < end:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def seed() -> str:
    import datetime as dt

    from django.utils import timezone

    from campaignflow.accounts.models import Department, User
    from campaignflow.campaigns.models import Campaign, CampaignMember
    from campaignflow.links import services
    from campaignflow.metrics.models import Channel

    department = Department.objects.create(name="市场部", code="marketing")
    owner = User.objects.create_user(
        username="bench.owner", password="bench-owner-2026", department=department
    )
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Redirect benchmark",
        number="MC-2026-0001",
        department=department,
        owner=owner,
        created_by=owner,
        status="live",
        start_date=today - dt.timedelta(days=10),
        end_date=today + dt.timedelta(days=10),
    )
    CampaignMember.objects.create(campaign=campaign, user=owner, role="owner")
    channel = Channel.objects.create(name="朋友圈", kind="paid_social")
    link = services.link_create(
        campaign=campaign,
        actor=owner,
        data={"channel": channel, "target_url": TARGET, "utm_source": "wechat", "utm_medium": "paid_social"},
    )
    return link.code


def variant(name: str, args) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix=f"campaignflow-bench-redirect-{name}-"))
    env = {
        "CAMPAIGNFLOW_DATA_DIR": str(data_dir),
        "CAMPAIGNFLOW_SECRET_KEY": uuid.uuid4().hex * 2,
        "CAMPAIGNFLOW_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "campaignflow.config.settings",
        "CAMPAIGNFLOW_CLICK_BUFFER": name,
        "CAMPAIGNFLOW_CLICK_REDIS_PREFIX": f"bench-redirect-{uuid.uuid4().hex}",
    }
    if name == "redis":
        env["REDIS_URL"] = args.redis_url
    command = [
        sys.executable,
        __file__,
        "--child",
        name,
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--seconds",
        str(args.seconds),
        "--rounds",
        str(args.rounds),
        "--clients",
        str(args.clients),
    ]
    environ = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")} | env
    output = subprocess.run(command, env=environ, capture_output=True, text=True, check=False)
    if output.returncode != 0:
        print(output.stdout, output.stderr, file=sys.stderr)
        raise SystemExit(f"{name}: the benchmark failed")
    import json

    return json.loads(output.stdout.strip().splitlines()[-1])


def child(name: str, args) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    code = seed()
    from django.db import connections

    connections.close_all()
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            str(port),
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
        ],
        env=os.environ.copy(),
    )
    answered = 0
    try:
        wait_ready(port)
        load(port, f"/bench/bare/{code}", 1, args.clients)  # warm-up of both
        answered += load(port, f"/r/{code}", 1, args.clients)[1]  # every answered 302 is a click
        bare, redirect = [], []
        for _round in range(args.rounds):
            bare.append(load(port, f"/bench/bare/{code}", args.seconds, args.clients)[0])
            rate, done, failed = load(port, f"/r/{code}", args.seconds, args.clients)
            redirect.append(rate)
            answered += done
            if failed:
                raise SystemExit(f"{failed} redirects failed")
    finally:
        server.send_signal(signal.SIGTERM)  # a clean shutdown: workers write their buffers at exit
        server.wait(timeout=120)
    from campaignflow.links import buffer
    from campaignflow.links.models import Click
    from campaignflow.metrics.models import DailyMetric

    stored_at_shutdown = Click.objects.count()
    buffer.flush_clicks()
    stored = Click.objects.count()
    rolled = sum(DailyMetric.objects.values_list("clicks", flat=True))
    if name == "redis":
        buffer.get_buffer().clear()
    return {
        "bare": statistics.median(bare),
        "redirect": statistics.median(redirect),
        "answered": answered,
        "stored_at_shutdown": stored_at_shutdown,
        "stored": stored,
        "rolled_up": rolled,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--buffer", choices=["memory", "redis", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    if args.serve:
        serve(args.serve, args.workers, args.threads)
        return
    if args.child:
        import json

        print(json.dumps(child(args.child, args)))
        return
    names = ["memory", "redis"] if args.buffer == "both" else [args.buffer]
    ok = True
    for name in names:
        if name == "redis" and not redis_reachable(args.redis_url):
            print(f"redis: {args.redis_url} not reachable, variant skipped")
            continue
        r = variant(name, args)
        ratio = r["redirect"] / r["bare"]
        counted = r["stored"] == r["answered"] and r["rolled_up"] == r["answered"]
        print(
            f"{name:6}  bare 302 {r['bare']:8.0f} req/s   redirect {r['redirect']:8.0f} req/s   "
            f"ratio {ratio:.2f} (target ≥ 0.50)   clicks answered {r['answered']}, stored {r['stored']} "
            f"({r['stored_at_shutdown']} before the final flush), in DailyMetric {r['rolled_up']}"
            f"   {'OK' if ratio >= 0.5 and counted else 'MISSED'}"
        )
        ok = ok and ratio >= 0.5 and counted
    sys.exit(0 if ok else 1)


def redis_reachable(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


if __name__ == "__main__":
    main()
