#!/usr/bin/env python
"""Generate a large organization for load tests: 1,000 campaigns, 50,000 tasks, 3.65 M daily rows.

    .venv/bin/python bench/generate_org.py --database sqlite --data-dir /tmp/cf-org
    .venv/bin/python bench/generate_org.py --database postgres --pg-url postgres://postgres@127.0.0.1:5432/cf_org
    .venv/bin/python bench/generate_org.py --scale 0.01 …          # 10 campaigns, 500 tasks, 36,500 rows

What it writes, at --scale 1 (every count scales with --scale, departments and channels do not):

- 8 departments, each with a head and members; org-wide management, finance, data analysts and
  an administrator; 20 channels.
- 1,000 campaigns in every status (draft 150, in review 150 — half waiting for the department
  head, half for management —, approved 50, preparing 100, live 200, optimizing 100, closing 50,
  archived 150, cancelled 50), each with a requirements brief, 4-8 members of its department,
  SMART goals, budget lines within the contingency rule, risks, milestones and a persona.
  Campaigns past review have their approvals, registration number and record.
- 50,000 tasks spread over the campaigns past review, with finish-to-start dependencies that
  respect the dates, statuses that agree with the campaign's (done with actual dates when it is
  over, late ones with a delay reason) and baselines frozen at registration.
- 3,650,000 daily metric rows: the 500 campaigns from live to archived × 365 days × 20 channels.
- Expenses against budget lines, tracked links, alerts from the organization's default rules,
  and one knowledge entry per archived campaign (written by knowledge.services, so search works).
- API tokens and signed-in sessions for the people the load test acts as, written with the work
  lists of bench/load.py (plans to approve, tasks to update, campaigns to import into, link codes)
  to `<data dir>/org.json`.

Rows go in with bulk_create in big batches; the daily metrics with executemany on SQLite and
COPY on PostgreSQL. The database is created from scratch: the SQLite file in --data-dir is
removed first; on PostgreSQL the database of --pg-url is dropped and created again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/h5load"
PASSWORD = "bench-org-2026"  # every generated user's password (the data is synthetic)

STATUS_WEIGHTS = {  # per 1,000 campaigns
    "draft": 150,
    "in_review": 150,
    "approved": 50,
    "preparing": 100,
    "live": 200,
    "optimizing": 100,
    "closing": 50,
    "archived": 150,
    "cancelled": 50,
}
DATA_STATUSES = ("live", "optimizing", "closing", "archived")  # the ones with 365 days of data
TASK_STATUSES = ("approved", "preparing", "live", "optimizing", "closing", "archived", "cancelled")
DAYS, CHANNELS = 365, 20
TASKS_PER_1000 = 50_000

DEPARTMENTS = [
    ("市场部", "marketing"),
    ("品牌部", "brand"),
    ("电商部", "ecommerce"),
    ("新零售部", "retail"),
    ("会员运营部", "crm"),
    ("产品部", "product"),
    ("公关部", "pr"),
    ("渠道部", "channels"),
]
CHANNEL_NAMES = [
    ("朋友圈广告", "paid_social"),
    ("微信公众号", "owned"),
    ("抖音信息流", "paid_social"),
    ("抖音直播", "livestream"),
    ("小红书", "kol"),
    ("微博", "paid_social"),
    ("B站", "kol"),
    ("知乎", "content"),
    ("百度搜索", "search"),
    ("天猫旗舰店", "ecommerce"),
    ("京东自营", "ecommerce"),
    ("拼多多", "ecommerce"),
    ("短信", "direct"),
    ("邮件", "direct"),
    ("线下门店", "offline"),
    ("地铁广告", "offline"),
    ("分众电梯", "offline"),
    ("KOL合作", "kol"),
    ("社群", "owned"),
    ("视频号", "paid_social"),
]
THEMES = [
    "春季上新",
    "618大促",
    "中秋礼盒",
    "双十一",
    "年货节",
    "会员日",
    "新品发布",
    "品牌焕新",
    "门店开业",
    "夏日清凉",
]
PRODUCTS = ["绿茶", "乌龙茶", "红茶", "花草茶", "茶礼盒", "冷泡茶", "茶具", "普洱", "白茶", "抹茶"]
SCENARIOS = ["holiday_promotion", "new_product_launch", "brand_awareness", "online_offline", ""]
TASK_NAMES = [
    "确定活动主题",
    "设计主视觉",
    "物料印刷",
    "渠道排期",
    "KOL签约",
    "落地页开发",
    "预热内容发布",
    "直播脚本",
    "门店培训",
    "库存备货",
    "客服话术",
    "数据看板搭建",
    "投放素材制作",
    "合规审核",
    "复盘会议",
]
GROUPS = ["物料组", "渠道组", "内容组", "数据组", ""]


@dataclass
class Shape:
    """How big each part is. `full(scale)` is the load-test organization; tests use small shapes
    (tests/perf builds the same organization with 2 and then 10 of everything)."""

    statuses: dict[str, int]
    tasks: int  # in all, spread over the campaigns past review
    days: int = DAYS
    channels: int = CHANNELS
    staff_per_department: int = 24
    links_per_campaign: int = 4
    alerts_per_campaign: int = 3
    expenses_per_line: int = 2
    meetings_per_campaign: int = 2
    log_per_campaign: int = 2
    notifications_per_user: int = 5
    knowledge: bool = True

    @classmethod
    def full(cls, scale: float) -> Shape:
        return cls(
            statuses=allocate(max(1, round(1000 * scale)), STATUS_WEIGHTS),
            tasks=round(TASKS_PER_1000 * scale),
            staff_per_department=max(6, round(24 * scale**0.5)),
        )

    @classmethod
    def uniform(cls, n: int) -> Shape:
        """n of everything: n campaigns in each status, n tasks, days, links, alerts … per campaign."""
        return cls(
            statuses=dict.fromkeys(STATUS_WEIGHTS, n),
            tasks=n * n * len(TASK_STATUSES),
            days=n,
            channels=2,
            staff_per_department=max(4, n),
            links_per_campaign=n,
            alerts_per_campaign=n,
            expenses_per_line=n,
            meetings_per_campaign=n,
            log_per_campaign=n,
            notifications_per_user=n,
        )


def allocate(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split total by the weights (largest remainder), at least one each when total allows."""
    scale = sum(weights.values())
    exact = {k: total * w / scale for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: exact[k] - counts[k], reverse=True)[: total - sum(counts.values())]:
        counts[k] += 1
    if total >= len(weights):
        for k in weights:
            while counts[k] == 0:
                donor = max(counts, key=counts.get)
                counts[donor] -= 1
                counts[k] += 1
    return counts


# --- setting up the database ----------------------------------------------------------------------


def prepare_environment(args) -> None:
    data_dir = Path(args.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["CAMPAIGNFLOW_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("CAMPAIGNFLOW_SECRET_KEY", "bench-org-secret-" + "k" * 40)
    os.environ["DJANGO_SETTINGS_MODULE"] = "campaignflow.config.settings"
    os.environ.pop("REDIS_URL", None)
    if args.database == "postgres":
        os.environ["DATABASE_URL"] = args.pg_url
        recreate_pg_database(args.pg_url)
    else:
        os.environ.pop("DATABASE_URL", None)
        for suffix in ("", "-wal", "-shm"):
            (data_dir / f"campaignflow.sqlite3{suffix}").unlink(missing_ok=True)
    sys.path.insert(0, str(ROOT / "src"))


def recreate_pg_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- the generator ----------------------------------------------------------------------------------


class Generator:
    def __init__(self, shape: Shape, seed: int = 1000, scale: float | None = None, verbose: bool = True):
        self.shape = shape
        self.scale = scale
        self.verbose = verbose
        self.rng = random.Random(seed)
        self.today = dt.date.today()
        self.timings: dict[str, float] = {}

    def timed(self, name, fn, *args):
        started = time.perf_counter()
        result = fn(*args)
        self.timings[name] = round(time.perf_counter() - started, 2)
        if self.verbose:
            print(f"  {name:<22} {self.timings[name]:7.2f} s", flush=True)
        return result

    def run(self) -> dict:
        self.build()
        self.timed("tokens and sessions", self.credentials)
        self.timed("analyze", self.analyze)
        return self.manifest()

    def run_for_tests(self) -> None:
        """The organization without credentials for the load test (tests/perf)."""
        self.build()

    def build(self) -> None:
        from django.db import transaction

        self.timed("organization", self.organization)
        self.timed("people", self.people)
        with transaction.atomic():
            self.timed("campaigns", self.campaigns)
            self.timed("plans", self.plans)
            self.timed("approvals", self.approvals)
            self.timed("tasks", self.tasks)
            self.timed("expenses", self.expenses)
            self.timed("links", self.links)
            self.timed("alerts", self.alerts)
            self.timed("meetings and log", self.meetings)
        self.timed("daily metrics", self.daily_metrics)
        self.timed("knowledge entries", self.knowledge)

    # organization, departments, channels, people

    def organization(self):
        from campaignflow.accounts.models import Department, Organization
        from campaignflow.metrics.models import Channel

        Organization.current()
        self.departments = Department.objects.bulk_create(
            Department(name=name, code=code) for name, code in DEPARTMENTS
        )
        self.channels = Channel.objects.bulk_create(
            Channel(name=name, kind=kind, online=kind != "offline")
            for name, kind in CHANNEL_NAMES[: self.shape.channels]
        )

    def people(self):
        from django.contrib.auth.hashers import make_password

        from campaignflow.accounts.models import User, UserRole

        password = make_password(PASSWORD)  # hashed once: PBKDF2 per user would take a minute
        per_department = self.shape.staff_per_department
        users, roles = [], []

        def person(username, display, department=None, role=None, superuser=False):
            user = User(
                username=username,
                display_name=display,
                password=password,
                department=department,
                email=f"{username}@example.com",
                is_superuser=superuser,
                is_staff=superuser,
            )
            users.append(user)
            if role:
                roles.append((user, role))
            return user

        self.admin = person("admin", "系统管理员", role="admin", superuser=True)
        self.management = [person(f"mgmt.{i}", f"总经理{i}", role="management") for i in range(3)]
        self.finance = [person(f"finance.{i}", f"财务{i}", role="finance") for i in range(3)]
        self.analysts = [person(f"analyst.{i}", f"数据专员{i}", role="data_analyst") for i in range(4)]
        self.heads, self.staff = {}, {}
        for department in self.departments:
            self.heads[department.pk] = person(
                f"{department.code}.head", f"{department.name}负责人", department, "department_head"
            )
            self.staff[department.pk] = [
                person(f"{department.code}.{i:02d}", f"{department.name}{i:02d}", department, "member")
                for i in range(per_department)
            ]
        User.objects.bulk_create(users, batch_size=1000)
        UserRole.objects.bulk_create(UserRole(user=user, role=role) for user, role in roles)

    # campaigns and their plans

    def campaigns(self):
        from campaignflow.campaigns.models import (
            Campaign,
            CampaignMember,
            RegistrationCounter,
            RequirementsBrief,
        )

        rng, today = self.rng, self.today
        counts = self.shape.statuses
        self.status_counts = counts
        now = dt.datetime.now(dt.UTC)
        campaigns = []
        sequence = 0
        for status, count in counts.items():
            for index in range(count):
                # every department gets campaigns in every status (the first one first)
                department = self.departments[index % len(self.departments)]
                staff = self.staff[department.pk]
                owner = staff[(index // len(self.departments)) % len(staff)]
                start, end = self._dates(status, index)
                created = dt.datetime.combine(start, dt.time(9), dt.UTC) - dt.timedelta(days=40)
                created = min(created, now - dt.timedelta(days=2))
                number = None
                if status not in ("draft", "in_review") and not (status == "cancelled" and index % 2):
                    sequence += 1
                    number = f"MC-{today.year}-{sequence:04d}"
                theme, product = rng.choice(THEMES), rng.choice(PRODUCTS)
                campaigns.append(
                    Campaign(
                        number=number,
                        name=f"{theme}·{product}{department.name}活动 {len(campaigns) + 1:04d}",
                        department=department,
                        owner=owner,
                        created_by=owner,
                        status=status,
                        approval_level=(1 + index % 2) if status == "in_review" else 0,
                        template=rng.choice(SCENARIOS),
                        planned_on=created.date(),
                        background=f"{theme}期间主推{product}，提升品牌声量与销售额，目标人群为25-40岁城市白领。",
                        target_audience="25-40岁一二线城市白领，关注健康饮品",
                        core_message=f"{product}，好茶好心情",
                        theme=theme,
                        format="线上投放+线下门店",
                        start_date=start,
                        end_date=end,
                        cancel_reason="预算调整，活动取消" if status == "cancelled" else "",
                        created_at=created,
                        submitted_at=created + dt.timedelta(days=3) if status != "draft" else None,
                        approved_at=created + dt.timedelta(days=6) if number else None,
                    )
                )
        self.campaign_list = Campaign.objects.bulk_create(campaigns, batch_size=500)
        RequirementsBrief.objects.bulk_create(
            (
                RequirementsBrief(
                    campaign=c,
                    requested_by="销售部, 产品部",
                    business_need=f"{c.theme}销售目标",
                    objectives="销售额与新客双增长",
                    key_dates="活动开始前两周完成物料",
                )
                for c in self.campaign_list
            ),
            batch_size=1000,
        )
        members, self.members = [], {}
        for c in self.campaign_list:
            staff = self.staff[c.department_id]
            others = [u for u in staff if u.pk != c.owner_id]
            chosen = rng.sample(others, min(len(others), rng.randint(3, 7)))
            roles = [("owner", c.owner)]
            roles += [
                ("planner", chosen[0]),
                ("project_manager", chosen[1] if len(chosen) > 1 else chosen[0]),
            ]
            roles += [("member", u) for u in chosen[2:]]
            seen = set()
            mine = []
            for role, user in roles:
                if user.pk in seen:
                    continue
                seen.add(user.pk)
                mine.append(user)
                members.append(CampaignMember(campaign=c, user=user, role=role, group=rng.choice(GROUPS)))
            self.members[c.pk] = mine
        CampaignMember.objects.bulk_create(members, batch_size=2000)
        registered = [c for c in self.campaign_list if c.number]
        if registered:
            RegistrationCounter.objects.create(year=today.year, last=sequence)
        self.registered = registered

    def _dates(self, status: str, index: int) -> tuple[dt.date, dt.date]:
        """Dates that agree with the status; the data statuses span exactly DAYS days."""
        today, rng = self.today, self.rng
        span = self.shape.days - 1
        if status == "live":
            start = today - dt.timedelta(days=span)
            return start, today + dt.timedelta(days=rng.randint(10, 60))
        if status == "optimizing":
            start = today - dt.timedelta(days=span + rng.randint(0, 5))
            return start, max(start + dt.timedelta(days=span), today + dt.timedelta(days=rng.randint(5, 30)))
        if status == "closing":
            start = today - dt.timedelta(days=span + rng.randint(5, 20))
            return start, start + dt.timedelta(days=span)
        if status == "archived":
            start = today - dt.timedelta(days=span + 30 + (index % 5) * 70)
            return start, start + dt.timedelta(days=span)
        if status == "cancelled":
            start = today - dt.timedelta(days=rng.randint(0, 60))
            return start, start + dt.timedelta(days=rng.randint(20, 60))
        start = today + dt.timedelta(
            days=rng.randint(10, 90) if status != "preparing" else rng.randint(3, 20)
        )
        return start, start + dt.timedelta(days=rng.randint(20, 90))

    def plans(self):
        from campaignflow.campaigns.models import BudgetLine, Goal, Milestone, Persona, Risk

        rng = self.rng
        goals, lines, risks, milestones, personas = [], [], [], [], []
        self.budget_lines = {}
        for c in self.campaign_list:
            members = self.members[c.pk]
            for metric, target, direction in (
                ("revenue", Decimal(rng.randrange(500_000, 5_000_000)), "higher"),
                ("cvr", Decimal("0.0350"), "higher"),
                ("roas", Decimal("3.0000"), "higher"),
            ):
                goals.append(
                    Goal(
                        campaign=c,
                        metric=metric,
                        name=metric.upper(),
                        target=target,
                        direction=direction,
                        deadline=c.end_date,
                        owner=rng.choice(members),
                    )
                )
            # Budget: promotion on three channels, labor, materials, third party, contingency 10-15 %.
            base = [Decimal(rng.randrange(50_000, 400_000)) for _ in range(6)]
            subtotal = sum(base)
            contingency = (subtotal * Decimal(rng.choice(["0.11", "0.12", "0.13"]))).quantize(Decimal("1"))
            mine = []
            for i, (category, amount) in enumerate(
                zip(
                    ["promotion", "promotion", "promotion", "labor", "materials", "third_party"],
                    base,
                    strict=True,
                )
            ):
                channel = self.channels[(c.pk + i) % len(self.channels)] if category == "promotion" else None
                mine.append(
                    BudgetLine(
                        campaign=c,
                        category=category,
                        label=channel.name if channel else "",
                        channel=channel,
                        amount=amount,
                    )
                )
            mine.append(BudgetLine(campaign=c, category="contingency", amount=contingency))
            lines.extend(mine)
            self.budget_lines[c.pk] = mine
            risks.append(
                Risk(
                    campaign=c,
                    category="traffic",
                    description="投放流量不及预期",
                    probability=3,
                    impact=4,
                    response="预留应急预算，加投效果渠道",
                    owner=c.owner,
                )
            )
            risks.append(
                Risk(
                    campaign=c,
                    category="supply",
                    description="礼盒库存不足",
                    probability=2,
                    impact=3,
                    response="提前备货并约定补货周期",
                    owner=rng.choice(members),
                )
            )
            for name, offset in (("物料定稿", -14), ("活动上线", 0), ("活动复盘", None)):
                date = (
                    c.end_date + dt.timedelta(days=7)
                    if offset is None
                    else c.start_date + dt.timedelta(offset)
                )
                milestones.append(Milestone(campaign=c, name=name, date=date))
            personas.append(
                Persona(
                    campaign=c,
                    name="都市白领",
                    age_min=25,
                    age_max=40,
                    gender="any",
                    city_tier="tier1",
                    interests="健康, 咖啡, 下午茶",
                )
            )
        Goal.objects.bulk_create(goals, batch_size=2000)
        BudgetLine.objects.bulk_create(lines, batch_size=2000)
        Risk.objects.bulk_create(risks, batch_size=2000)
        Milestone.objects.bulk_create(milestones, batch_size=2000)
        Persona.objects.bulk_create(personas, batch_size=2000)

    def approvals(self):
        from campaignflow.accounts.models import Organization
        from campaignflow.campaigns.models import Approval, RegistrationRecord

        levels = list(Organization.current().approval_levels or [])
        approvals = []
        for c in self.campaign_list:
            head = self.heads[c.department_id]
            if c.status == "in_review" and c.approval_level == 2:
                approvals.append(
                    Approval(
                        campaign=c,
                        revision=1,
                        level=1,
                        role=levels[0],
                        decision="approve",
                        actor=head,
                        at=c.submitted_at + dt.timedelta(days=1),
                    )
                )
            elif c.number:
                for level, role in enumerate(levels, start=1):
                    actor = (
                        head if role == "department_head" else self.management[c.pk % len(self.management)]
                    )
                    approvals.append(
                        Approval(
                            campaign=c,
                            revision=1,
                            level=level,
                            role=role,
                            decision="approve",
                            actor=actor,
                            at=c.submitted_at + dt.timedelta(days=level),
                        )
                    )
        Approval.objects.bulk_create(approvals, batch_size=2000)
        totals = {pk: sum(line.amount for line in lines) for pk, lines in self.budget_lines.items()}
        RegistrationRecord.objects.bulk_create(
            (
                RegistrationRecord(
                    campaign=c,
                    number=c.number,
                    year=self.today.year,
                    sequence=int(c.number.rsplit("-", 1)[1]),
                    owner_name=str(c.owner),
                    department_name=c.department.name,
                    budget_total=totals[c.pk],
                    start_date=c.start_date,
                    end_date=c.end_date,
                    approved_by=self.management[c.pk % len(self.management)],
                    registered_at=c.approved_at,
                )
                for c in self.registered
            ),
            batch_size=2000,
        )

    # tasks and dependencies

    def tasks(self):
        from campaignflow.execution.models import Task, TaskDependency

        rng, today = self.rng, self.today
        holders = [c for c in self.campaign_list if c.status in TASK_STATUSES]
        total = self.shape.tasks
        per = {
            c.pk: total // len(holders) + (1 if i < total % len(holders) else 0)
            for i, c in enumerate(holders)
        }
        tasks = []
        for c in holders:
            n = per[c.pk]
            if n == 0:
                continue
            members = self.members[c.pk]
            prep_start = c.start_date - dt.timedelta(days=30)
            window = max((c.end_date - prep_start).days, n)
            over = c.status in ("closing", "archived")
            for i in range(n):
                offset = i * window // n
                start = prep_start + dt.timedelta(days=offset)
                milestone = i % 10 == 9
                finish = start if milestone else start + dt.timedelta(days=rng.randint(1, 6))
                status, actual_start, actual_finish, reason = "todo", None, None, ""
                if over or finish < today - dt.timedelta(days=3):
                    status, actual_start = "done", start
                    actual_finish = finish + dt.timedelta(days=rng.choice([0, 0, 0, 1, 2]))
                    actual_finish = min(actual_finish, today)
                    if actual_finish > finish:
                        reason = "供应商交付延迟"
                elif start <= today:
                    status, actual_start = rng.choice(["in_progress", "in_progress", "blocked"]), start
                if status != "done" and finish < today:
                    reason = "等待素材审核"
                tasks.append(
                    Task(
                        campaign=c,
                        name=f"{TASK_NAMES[i % len(TASK_NAMES)]} {i + 1}",
                        owner=members[(i + c.pk) % len(members)],
                        planned_start=start,
                        planned_finish=finish,
                        actual_start=actual_start,
                        actual_finish=actual_finish,
                        status=status,
                        delay_reason=reason,
                        is_milestone=milestone,
                        baseline_start=start,
                        baseline_finish=finish,
                        order=i,
                        checklist=[{"text": "负责人确认", "done": status == "done"}],
                    )
                )
        made = Task.objects.bulk_create(tasks, batch_size=2000)
        dependencies = []
        by_campaign: dict[int, list] = {}
        for task in made:
            by_campaign.setdefault(task.campaign_id, []).append(task)
        for campaign_tasks in by_campaign.values():
            for i, task in enumerate(campaign_tasks[1:], start=1):
                earlier = [
                    t for t in campaign_tasks[max(0, i - 8) : i] if t.planned_finish < task.planned_start
                ]
                for other in rng.sample(earlier, min(len(earlier), rng.choice([1, 1, 2]))):
                    dependencies.append(TaskDependency(task=task, depends_on=other))
        TaskDependency.objects.bulk_create(dependencies, batch_size=5000)
        self.task_count, self.dependency_count = len(made), len(dependencies)
        self.open_tasks = [
            (t.pk, t.campaign_id)
            for t in made
            if t.status in ("todo", "in_progress") and t.planned_finish > today + dt.timedelta(days=3)
        ]

    def expenses(self):
        from campaignflow.expenses.models import Expense

        rng = self.rng
        expenses = []
        for c in self.campaign_list:
            if c.status not in ("preparing", *DATA_STATUSES):
                continue
            for line in self.budget_lines[c.pk][:6]:
                for k in range(self.shape.expenses_per_line):
                    amount = (line.amount * Decimal(rng.randint(15, 45)) / 100).quantize(Decimal("0.01"))
                    day = min(c.start_date + dt.timedelta(days=rng.randint(0, 300)), self.today)
                    expenses.append(
                        Expense(
                            campaign=c,
                            budget_line=line,
                            category=line.category,
                            amount=amount,
                            date=day,
                            vendor=f"供应商{(c.pk + k) % 37:02d}",
                            reference=f"INV-{c.pk:05d}-{line.pk}-{k}",
                            created_by=self.finance[c.pk % len(self.finance)],
                        )
                    )
        Expense.objects.bulk_create(expenses, batch_size=2000)
        self.expense_count = len(expenses)

    def links(self):
        from campaignflow.links.models import LinkSettings, TrackedLink

        LinkSettings.current()
        links = []
        for c in self.campaign_list:
            if c.status not in ("preparing", *DATA_STATUSES):
                continue
            for k in range(self.shape.links_per_campaign):
                channel = self.channels[(c.pk + k) % len(self.channels)]
                links.append(
                    TrackedLink(
                        campaign=c,
                        channel=channel,
                        name=f"{channel.name}投放链接",
                        code=f"L{c.pk:05d}{k}{uuid.uuid4().hex[:8]}",
                        target_url=f"https://shop.example/tea/{c.pk}",
                        utm_source="wechat",
                        utm_medium="paid_social",
                        utm_campaign=f"cf{c.pk}",
                        active=c.status != "archived",
                        created_by=c.owner,
                    )
                )
        self.link_objects = TrackedLink.objects.bulk_create(links, batch_size=2000)
        self.link_codes = [link.code for link in self.link_objects if link.active]

    def alerts(self):
        from campaignflow.alerts.models import Alert, AlertRule

        rules = list(AlertRule.objects.filter(campaign__isnull=True).order_by("pk"))
        now = dt.datetime.now(dt.UTC)
        alerts = []
        for c in self.campaign_list:
            if c.status not in DATA_STATUSES or not rules:
                continue
            scopes = len(rules) * len(self.channels)
            for k in range(self.shape.alerts_per_campaign):
                rule = rules[k % len(rules)]
                status = ["open", "acknowledged", "resolved"][k % 3]
                if c.status in ("closing", "archived") or k >= scopes:
                    status = "resolved"  # one active alert per rule, campaign and channel
                opened = now - dt.timedelta(days=k + 1, hours=c.pk % 24)
                alerts.append(
                    Alert(
                        rule=rule,
                        campaign=c,
                        channel=self.channels[(k // len(rules)) % len(self.channels)],
                        metric=rule.metric,
                        condition=rule.condition,
                        threshold=rule.threshold,
                        window=rule.window,
                        severity=rule.severity,
                        day=min(c.end_date, self.today) - dt.timedelta(days=k),
                        observed=Decimal("0.012"),
                        expected=Decimal("0.035"),
                        still_breaching=status != "resolved",
                        status=status,
                        opened_at=opened,
                        due_at=opened + dt.timedelta(hours=24),
                        last_evaluated_at=opened,
                        acknowledged_by=c.owner if status != "open" else None,
                        acknowledged_at=opened + dt.timedelta(hours=2) if status != "open" else None,
                        response_plan="调整出价并更换素材" if status != "open" else "",
                        resolved_by=c.owner if status == "resolved" else None,
                        resolved_at=opened + dt.timedelta(hours=20) if status == "resolved" else None,
                        resolution_note="转化率已恢复" if status == "resolved" else "",
                    )
                )
        Alert.objects.bulk_create(alerts, batch_size=2000)
        self.alert_count = len(alerts)

    def meetings(self):
        """Meetings with attendees and action items, execution log entries, RACI, notifications."""
        from campaignflow.execution.models import ActionItem, LogEntry, Meeting, Task, TaskRaci
        from campaignflow.notifications.models import Notification

        shape = self.shape
        meetings, entries = [], []
        for c in self.campaign_list:
            if c.status not in TASK_STATUSES:
                continue
            for k in range(shape.meetings_per_campaign):
                meetings.append(
                    Meeting(
                        campaign=c,
                        kind="standup",
                        date=min(self.today, c.start_date + dt.timedelta(days=k)),
                        notes="进度正常",
                        decisions="按计划推进",
                        created_by=c.owner,
                    )
                )
            for k in range(shape.log_per_campaign):
                entries.append(
                    LogEntry(
                        campaign=c,
                        kind="issue",
                        description=f"素材审核延迟 {k + 1}",
                        handling="加急处理",
                        author=c.owner,
                    )
                )
        meetings = Meeting.objects.bulk_create(meetings, batch_size=2000)
        Meeting.attendees.through.objects.bulk_create(
            (
                Meeting.attendees.through(meeting_id=m.pk, user_id=u.pk)
                for m in meetings
                for u in self.members[m.campaign_id][:3]
            ),
            batch_size=5000,
        )
        ActionItem.objects.bulk_create(
            (
                ActionItem(meeting=m, description="更新投放素材", owner=m.created_by, due=m.date)
                for m in meetings
            ),
            batch_size=2000,
        )
        LogEntry.objects.bulk_create(entries, batch_size=2000)
        owners = {c.pk: c.owner_id for c in self.campaign_list}
        raci = []
        for pk, campaign_id, owner_id in Task.objects.values_list("pk", "campaign_id", "owner_id").iterator():
            raci.append(TaskRaci(task_id=pk, user_id=owner_id, role="R"))
            if owners[campaign_id] != owner_id:
                raci.append(TaskRaci(task_id=pk, user_id=owners[campaign_id], role="A"))
        TaskRaci.objects.bulk_create(raci, batch_size=5000)
        people = [*self.management, *self.analysts, *(u for staff in self.staff.values() for u in staff)]
        Notification.objects.bulk_create(
            (
                Notification(
                    recipient=u,
                    event="task.assigned",
                    title=f"新任务 {k + 1}",
                    body="请查看",
                    url="/execution/my-tasks/",
                    campaign=c,
                    actor=c.owner,
                )
                for u in people
                for k, c in zip(range(shape.notifications_per_user), self.campaign_list, strict=False)
            ),
            batch_size=5000,
        )

    # the fact table

    def daily_metrics(self):
        import numpy as np
        from django.db import connection, transaction

        from campaignflow.metrics.models import DailyMetric

        fields = [f for f in DailyMetric._meta.concrete_fields if not f.primary_key]
        columns = [f.column for f in fields]
        holders = [c for c in self.campaign_list if c.status in DATA_STATUSES]
        np_rng = np.random.default_rng(2026)
        days = self.shape.days
        channel_ids = np.array([ch.pk for ch in self.channels])
        rows_total = 0
        table = DailyMetric._meta.db_table
        postgres = connection.vendor == "postgresql"
        with transaction.atomic(), connection.cursor() as cursor:
            if postgres:
                raw = cursor.cursor
                copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            else:
                insert = (
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
                )
            for c in holders:
                n = days * len(channel_ids)
                dates = [(c.start_date + dt.timedelta(days=d)).isoformat() for d in range(days)]
                impressions = np_rng.integers(2_000, 120_000, n)
                clicks = impressions * np_rng.integers(5, 40, n) // 1000
                conversions = clicks * np_rng.integers(1, 8, n) // 100
                cost_cents = impressions * np_rng.integers(2_000, 6_000, n) // 100  # CPM 20-60 yuan
                revenue_cents = conversions * np_rng.integers(8_000, 30_000, n)
                visits = clicks * np_rng.integers(70, 95, n) // 100
                leads = conversions * 2
                values = {
                    "campaign_id": [c.pk] * n,
                    "channel_id": np.tile(channel_ids, days).tolist(),
                    "date": [d for d in dates for _ in range(len(channel_ids))],
                    "impressions": impressions.tolist(),
                    "clicks": clicks.tolist(),
                    "conversions": conversions.tolist(),
                    "new_users": (conversions // 2).tolist(),
                    "revenue": [f"{v // 100}.{v % 100:02d}" for v in revenue_cents.tolist()],
                    "cost": [f"{v // 100}.{v % 100:02d}" for v in cost_cents.tolist()],
                    "leads": leads.tolist(),
                    "mqls": (leads // 2).tolist(),
                    "opportunities": (leads // 5).tolist(),
                    "visits": visits.tolist(),
                    "negative_comments": np_rng.integers(0, 5, n).tolist(),
                    "note": [""] * n,
                }
                rows = list(zip(*(values[col] for col in columns), strict=True))
                if postgres:
                    with raw.copy(copy_sql) as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    cursor.executemany(insert, rows)
                rows_total += n
        self.metric_rows = rows_total

    def knowledge(self):
        from campaignflow.knowledge import services

        archived = [c for c in self.campaign_list if c.status == "archived" and self.shape.knowledge]
        for c in archived:
            services.knowledge_entry_create(campaign=c)
        self.knowledge_count = len(archived)

    # who the load test acts as

    def credentials(self):
        from django.conf import settings
        from django.contrib.sessions.backends.db import SessionStore

        from campaignflow.accounts.models import ApiToken, hash_token

        visible_by_department: dict[int, list[int]] = {}
        for c in self.campaign_list:
            visible_by_department.setdefault(c.department_id, []).append(c.pk)
        all_ids = [c.pk for c in self.campaign_list]
        status_of = {c.pk: c.status for c in self.campaign_list}

        def identity(user, kind):
            raw = ApiToken.generate()
            ApiToken.objects.create(user=user, name="load", prefix=raw[3:11], key_hash=hash_token(raw))
            session = SessionStore()
            session["_auth_user_id"] = str(user.pk)
            session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
            session["_auth_user_hash"] = user.get_session_auth_hash()
            session.create()
            ids = all_ids if kind == "org" else visible_by_department.get(user.department_id, [])
            return {
                "username": user.username,
                "kind": kind,
                "token": raw,
                "session": session.session_key,
                "campaigns": [pk for pk in ids if status_of[pk] in DATA_STATUSES],
                "task_campaigns": [pk for pk in ids if status_of[pk] in TASK_STATUSES],
                "all_campaigns": ids,
            }

        browsers = [identity(u, "org") for u in (*self.management, *self.analysts, *self.finance)]
        heads = {pk: identity(u, "department") for pk, u in self.heads.items()}
        department_people = list(heads.values())
        for department in self.departments:
            for user in self.staff[department.pk][:3]:
                department_people.append(identity(user, "department"))
        # at small scales some departments have no campaign with data or tasks to look at
        browsers += [p for p in department_people if p["campaigns"] and p["task_campaigns"]]
        management = [identity(u, "org") for u in self.management]
        tokens_by_user: dict[int, str] = {}

        def token_of(user):
            if user.pk not in tokens_by_user:
                raw = ApiToken.generate()
                ApiToken.objects.create(user=user, name="load", prefix=raw[3:11], key_hash=hash_token(raw))
                tokens_by_user[user.pk] = raw
            return tokens_by_user[user.pk]

        approvals = []
        for c in self.campaign_list:
            if c.status != "in_review":
                continue
            approvals.append(
                {
                    "campaign": c.pk,
                    "level": c.approval_level,
                    # the department head decides level 1, management level 2
                    "token": heads[c.department_id]["token"]
                    if c.approval_level == 1
                    else management[c.pk % len(management)]["token"],
                    "final": management[c.pk % len(management)]["token"],
                }
            )
        by_pk = {c.pk: c for c in self.campaign_list}
        task_updates = []
        for task_pk, campaign_pk in self.open_tasks:
            c = by_pk[campaign_pk]
            if c.status in ("preparing", "live", "optimizing", "approved"):
                task_updates.append({"task": task_pk, "token": token_of(c.owner)})
        analysts = [identity(u, "org") for u in self.analysts]
        imports = [
            {
                "campaign": c.pk,
                "token": analysts[c.pk % len(analysts)]["token"],
                "channel": self.channels[0].name,
                "last_day": min(
                    self.today, c.start_date + dt.timedelta(days=self.shape.days - 1)
                ).isoformat(),
            }
            for c in self.campaign_list
            if c.status in ("live", "optimizing")
        ]
        self.load = {
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "browsers": browsers,
            "api_readers": browsers,
            "approvals": approvals,
            "task_updates": task_updates,
            "imports": imports,
            "link_codes": self.link_codes,
            "search_terms": ["绿茶", "中秋", "礼盒", "新品", "会员", "双十一", "直播", "门店"],
        }

    def analyze(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def manifest(self) -> dict:
        return {
            "scale": self.scale,
            "counts": {
                "campaigns": len(self.campaign_list),
                "by_status": self.status_counts,
                "tasks": self.task_count,
                "dependencies": self.dependency_count,
                "daily_metrics": self.metric_rows,
                "expenses": self.expense_count,
                "links": len(self.link_objects),
                "alerts": self.alert_count,
                "knowledge_entries": self.knowledge_count,
            },
            "timings": self.timings,
            "load": self.load,
        }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--data-dir", default="/tmp/campaignflow-org", help="data dir (SQLite file, org.json)"
    )
    parser.add_argument(
        "--pg-url", default=DEFAULT_PG_URL, help=f"PostgreSQL database to (re)create ({DEFAULT_PG_URL})"
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the full size (0.01: 10 campaigns)"
    )
    parser.add_argument("--seed", type=int, default=1000)
    args = parser.parse_args()
    if not 0 < args.scale <= 10:
        parser.error("--scale must be in (0, 10]")
    prepare_environment(args)
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    print(f"generating scale {args.scale} on {args.database} in {args.data_dir}", flush=True)
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started
    print(f"  {'migrate':<22} {migrated:7.2f} s", flush=True)
    result = Generator(Shape.full(args.scale), args.seed, scale=args.scale).run()
    from django.conf import settings

    result["database"] = args.database
    result["secret_key"] = settings.SECRET_KEY  # the sessions in org.json are signed with it
    result["database_url"] = args.pg_url if args.database == "postgres" else None
    result["data_dir"] = str(Path(args.data_dir).resolve())
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["seconds_without_migrate"] = round(result["seconds"] - migrated, 1)
    out = Path(args.data_dir) / "org.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    counts = result["counts"]
    print(
        f"done in {result['seconds']:.1f} s ({result['seconds_without_migrate']:.1f} s without migrate): "
        f"{counts['campaigns']:,} campaigns, {counts['tasks']:,} tasks, {counts['dependencies']:,} dependencies, "
        f"{counts['daily_metrics']:,} daily metric rows, {counts['expenses']:,} expenses, {counts['links']:,} links, "
        f"{counts['alerts']:,} alerts, {counts['knowledge_entries']:,} knowledge entries → {out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
