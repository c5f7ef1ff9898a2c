#!/usr/bin/env python
"""Benchmark: knowledge-base search over 10,000 archived campaigns (issue 5, "Speed").

Target: p95 under 50 ms for a search, on SQLite (FTS5) and on PostgreSQL (tsvector + GIN).

    .venv/bin/python bench/search.py                       # SQLite and PostgreSQL
    .venv/bin/python bench/search.py --database sqlite --entries 10000 --requests 200

Each round runs every query of QUERIES once: a frequent Chinese word, a rare long word (中国农业发展
银行, found through its parts), two words, English, a query with filters, FTS syntax that must
be quoted away, and a 10,000-character paste. Searches go through `selectors.entry_search`, the
function the API and the web page call (segmentation, permission subquery, ranking, loading the
50 best entries with their tags and channels), once as a data analyst (sees everything) and
once as a department member (the permission subquery applies). The same queries are then timed
through the whole stack as GET /api/v1/knowledge/search. The baseline is a bare indexed lookup
of one entry by primary key through the same ORM, in the same run. Each database runs in its own
process on a scratch database (temporary SQLite file, or a PostgreSQL database created for the
run and dropped afterwards).
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

CAMPAIGNFLOW = [sys.executable, "-m", "campaignflow"]
TARGET_MS = 50.0

PRODUCTS = (
    "桂花乌龙",
    "冷泡绿茶",
    "茉莉花茶",
    "普洱礼盒",
    "白桃乌龙",
    "抹茶拿铁",
    "柠檬红茶",
    "大红袍",
    "龙井新茶",
    "菊花枸杞",
)
SCENES = ("新品上市", "品牌宣传", "节日促销", "线上线下联动", "会员日", "快闪店", "直播带货", "校园推广")
FESTIVALS = ("春节", "中秋节", "端午节", "双十一", "618", "七夕", "国庆", "元宵节")
PHRASES = (
    "通过KOL种草与直播首发提升新品认知",
    "门店试饮扫码领券带动客流",
    "抖音素材每三天更换以保持点击率",
    "小红书笔记转化率高于预期",
    "天猫资源位提前十四天锁定",
    "礼盒库存告急应提前开启预售",
    "雨天客流下降，外卖券预案有效",
    "企业微信一对一触达转化率更高",
    "百度搜索品牌词出价过高导致获客成本偏高",
    "会员积分翻倍唤醒沉睡用户",
    "高校社团合作提升年轻人群认知",
    "满199减50拉动客单价",
    "朋友圈广告定向一二线城市白领",
    "线下快闪店排队时间过长影响体验",
    "联名包装带来社交媒体自发传播",
)
CHANNELS = ("微信朋友圈", "抖音", "小红书", "百度搜索", "天猫旗舰店", "线下门店", "B站", "微博")
SCENARIOS = ("new_product_launch", "brand_awareness", "holiday_promotion", "online_offline")
ENGLISH = ("livestream launch", "brand refresh", "loyalty week", "pop-up store", "gift box promotion")

QUERIES = (
    ("frequent word", "直播", {}),
    ("rare long word", "中国农业发展银行", {}),
    ("short part", "农业", {}),
    ("two words", "礼盒 预售", {}),
    ("English", "Livestream launch", {}),
    ("with filters", "抖音 点击率", {"year": 2023, "channel": "抖音"}),
    ("FTS syntax", '"NEAR(礼盒* OR 直播" AND (', {}),
    ("huge paste", "直播带货" * 2500, {}),
)


def seed(entries: int) -> dict:
    """10,000 archived entries with channel rows and a full-text index, like the real ones."""
    from django.db import connection, transaction

    from campaignflow.accounts.models import Department, User, UserRole
    from campaignflow.knowledge import search, text
    from campaignflow.knowledge.models import EntryChannel, KnowledgeEntry

    departments = [Department.objects.create(name=f"部门{i}", code=f"dept-{i}") for i in range(8)]
    analyst = User.objects.create_user(
        username="bench.analyst", password="bench-analyst-2026", department=departments[0]
    )
    UserRole.objects.create(user=analyst, role="data_analyst")
    member = User.objects.create_user(
        username="bench.member", password="bench-member-2026", department=departments[1]
    )
    UserRole.objects.create(user=member, role="member")
    rng = random.Random(10_000)
    started = time.perf_counter()
    with transaction.atomic():
        made = []
        for index in range(entries):
            year = rng.choice((2021, 2022, 2023, 2024, 2025))
            product, scene = rng.choice(PRODUCTS), rng.choice(SCENES)
            name = f"{year}年{rng.choice(FESTIVALS)}{product}{scene}"
            background = "，".join(rng.sample(PHRASES, 3)) + "。"
            if rng.random() < 0.02:
                background += "与中国农业发展银行合作推出联名信用卡分期免息。"
            if rng.random() < 0.2:
                background += " " + rng.choice(ENGLISH)
            lessons = "；".join(rng.sample(PHRASES, 2))
            search_text = "\n".join((f"MC-{year}-{index:04d}", name, background, lessons))
            made.append(
                KnowledgeEntry(
                    number=f"MC-{year}-{index:05d}",
                    name=name,
                    department=rng.choice(departments),
                    department_name="",
                    scenario=rng.choice(SCENARIOS),
                    year=year,
                    snapshot={
                        "version": 1,
                        "campaign": {"name": name, "background": background},
                        "lessons": [{"text": lessons}],
                    },
                    keywords=text.keywords(f"{name}\n{background}\n{lessons}"),
                    search_text=search_text,
                    search_tokens=text.index_text(search_text),
                    archived_at=dt.datetime(year, 12, 31, tzinfo=dt.UTC) - dt.timedelta(minutes=index),
                )
            )
        made = KnowledgeEntry.objects.bulk_create(made, batch_size=1000)
        rows = []
        for entry in made:
            for channel in rng.sample(CHANNELS, 3):
                impressions = rng.randrange(10_000, 1_000_000)
                clicks = impressions * rng.randrange(5, 40) // 1000
                conversions = clicks * rng.randrange(1, 8) // 100
                cost = Decimal(clicks * 2)
                rows.append(
                    EntryChannel(
                        entry=entry,
                        name=channel,
                        impressions=impressions,
                        clicks=clicks,
                        conversions=conversions,
                        cost=cost,
                        revenue=Decimal(conversions * 199),
                        ctr=Decimal(clicks) / impressions,
                        cvr=Decimal(conversions) / clicks if clicks else None,
                        cpa=(cost / conversions).quantize(Decimal("0.0001")) if conversions else None,
                    )
                )
        EntryChannel.objects.bulk_create(rows, batch_size=2000)
        search.index_entries((entry.pk, entry.search_tokens) for entry in made)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does shortly after a bulk load
            cursor.execute("ANALYZE knowledge_knowledgeentry")
            cursor.execute("ANALYZE knowledge_entrychannel")
            cursor.execute("ANALYZE knowledge_search")
    return {"seconds": time.perf_counter() - started, "first": made[0].pk, "last": made[-1].pk}


def timed(fn, requests: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def child(env: dict, entries: int, requests: int) -> dict:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaignflow.config.settings")
    import django

    django.setup()
    from django.test import Client

    from campaignflow.accounts.models import User
    from campaignflow.knowledge import selectors
    from campaignflow.knowledge.models import KnowledgeEntry

    seeded = seed(entries)
    analyst = User.objects.get(username="bench.analyst")
    member = User.objects.get(username="bench.member")
    rounds = max(1, requests // len(QUERIES))
    result: dict = {"entries": KnowledgeEntry.objects.count(), "seed_s": seeded["seconds"], "hits": {}}

    for label, user in (("analyst", analyst), ("member", member)):
        timings = []
        for name, query, filters in QUERIES:
            found = selectors.entry_search(user=user, query=query, filters=selectors.Filters(**filters))
            result["hits"].setdefault(name, {})[label] = len(found.entries)
            timings += timed(
                lambda q=query, f=filters, u=user: selectors.entry_search(
                    user=u, query=q, filters=selectors.Filters(**f)
                ),
                rounds,
            )
        result[f"search_{label}"] = timings

    pks = list(range(seeded["first"], seeded["last"] + 1))
    rng = random.Random(1)
    result["baseline"] = timed(lambda: KnowledgeEntry.objects.get(pk=rng.choice(pks)), rounds * len(QUERIES))

    client = Client(HTTP_HOST="localhost")
    client.force_login(analyst)
    api = []
    for _name, query, filters in QUERIES:
        params = {"q": query, **filters}

        def call(p=params):
            response = client.get("/api/v1/knowledge/search", p)
            assert response.status_code == 200, response.content[:200]

        api += timed(call, rounds)
    result["api_analyst"] = api
    return result


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def run_child(env: dict, args) -> dict:
    command = [sys.executable, __file__, "--child", json.dumps(env), str(args.entries), str(args.requests)]
    output = subprocess.run(command, capture_output=True, text=True, env=os.environ | env, check=False)
    for line in output.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"benchmark failed:\n{output.stdout}\n{output.stderr}")


def report(results: list[tuple[str, dict]], args) -> bool:
    """Print the table; True when every target was met."""
    met = True
    print(
        f"\nKnowledge search over {args.entries:,} archived entries, {args.requests} searches per row after warm-up\n"
    )
    print(f"{'database':<11}{'what':<26}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'p95 / pk':>10}   target")
    for label, result in results:
        base95 = percentile(result["baseline"], 0.95)
        for key, what in (
            ("search_analyst", "search (analyst)"),
            ("search_member", "search (dept member)"),
            ("api_analyst", "GET /knowledge/search"),
        ):
            values = result[key]
            p95 = percentile(values, 0.95)
            target = f"p95 < {TARGET_MS:.0f} ms: {'met' if p95 < TARGET_MS else 'MISSED'}"
            met &= p95 < TARGET_MS
            print(
                f"{label:<11}{what:<26}{statistics.median(values):>9.2f}{p95:>9.2f}{max(values):>9.2f}"
                f"{p95 / base95:>10.1f}   {target}"
            )
            label = ""
        base = result["baseline"]
        print(
            f"{'':<11}{'baseline: get(pk=…)':<26}{statistics.median(base):>9.2f}{base95:>9.2f}{max(base):>9.2f}{1:>10.1f}"
        )
        hits = ", ".join(
            f"{name} {counts['analyst']}/{counts['member']}" for name, counts in result["hits"].items()
        )
        print(f"{'':<11}results shown (analyst/member, at most 50): {hits}")
        print(
            f"{'':<11}seeding {result['entries']:,} entries (jieba + index) took {result['seed_s']:.1f} s\n"
        )
    return met


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        env, entries, requests = json.loads(sys.argv[2]), *map(int, sys.argv[3:5])
        print("RESULT " + json.dumps(child(env, entries, requests)))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
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
