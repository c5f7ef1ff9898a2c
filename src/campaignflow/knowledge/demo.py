"""The knowledge base of the demo: the archived campaign's entry, and a few past years for context.

Registered with campaigns.demo.register_before_action. The archived demo campaign gets its entry
from the archive transition itself (lifecycle hook); before any later demo action this hook makes
sure every archived campaign has one and, once, adds synthetic entries of earlier years so that
search, similar campaigns and channel benchmarks have something to show. Those are marked
`is_history` and say so in their snapshot: they are not campaigns of the database.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.utils import timezone

from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import ApplicationError
from campaignflow.metrics import calc

from . import services
from .models import KnowledgeEntry

logger = logging.getLogger(__name__)

PLANNER = "zhang.planner"

# (name, scenario, year, month, background, core message, lessons, tags,
#  {channel: (impressions, clicks, conversions, cost, revenue)})
HISTORY = (
    (
        "2023年中秋节礼盒促销",
        "holiday_promotion",
        2023,
        9,
        "中秋礼盒是全年销售高峰，主推茶礼盒与月饼组合，目标销售额220万元。",
        "好茶配团圆",
        "天猫资源位提前14天锁定效果最好；礼盒库存在第5天告急，预售应更早开启。",
        ["节日促销", "礼盒"],
        {
            "天猫旗舰店": (2_100_000, 63_000, 3_900, "420000", "1010000"),
            "抖音": (3_500_000, 52_000, 1_500, "300000", "330000"),
            "百度搜索": (600_000, 27_000, 1_300, "120000", "290000"),
        },
    ),
    (
        "2023年夏季新品上市：冷泡乌龙",
        "new_product_launch",
        2023,
        6,
        "冷泡乌龙新品上市，通过小红书KOL种草与抖音直播首发，目标新增用户1.5万。",
        "冷泡一夏",
        "小红书种草笔记转化率高于预期；抖音素材需每三天更换，否则点击率明显下降。",
        ["新品上市", "KOL"],
        {
            "小红书": (1_200_000, 40_000, 1_700, "260000", "350000"),
            "抖音": (4_000_000, 60_000, 1_600, "380000", "300000"),
            "微信朋友圈": (1_500_000, 30_000, 1_000, "180000", "240000"),
        },
    ),
    (
        "2024年品牌焕新：年轻化传播",
        "brand_awareness",
        2024,
        4,
        "品牌年轻化传播，与高校社团和B站UP主合作，提升18-25岁人群认知度。",
        "青岚，年轻一口",
        "话题互动量达标但转化偏低；品牌活动应同步设置可追踪的领券入口。",
        ["品牌宣传", "年轻化"],
        {
            "抖音": (6_000_000, 84_000, 1_900, "450000", "280000"),
            "小红书": (1_600_000, 51_000, 1_500, "240000", "260000"),
        },
    ),
    (
        "2024年双十一大促",
        "holiday_promotion",
        2024,
        11,
        "双十一全渠道大促，满199减50，与中国农业发展银行信用卡联合推出分期免息活动。",
        "好茶囤起来",
        "与银行联名的分期免息带来高客单价订单；百度搜索品牌词出价过高，CPA偏高。",
        ["节日促销", "联名"],
        {
            "天猫旗舰店": (3_000_000, 96_000, 6_200, "600000", "1650000"),
            "百度搜索": (900_000, 38_000, 1_500, "210000", "330000"),
            "抖音": (5_200_000, 78_000, 2_300, "420000", "470000"),
        },
    ),
    (
        "2025年春季城市茶空间快闪",
        "online_offline",
        2025,
        3,
        "在杭州、南京开设城市茶空间快闪店，线下试饮扫码领券，线上直播同步引流。",
        "路过，就来一杯",
        "雨天客流下降三成，雨棚与外卖券预案有效；门店扫码率约8%。",
        ["线上线下联动", "快闪"],
        {
            "线下门店": (0, 0, 2_600, "350000", "520000"),
            "微信朋友圈": (1_800_000, 37_000, 1_200, "200000", "290000"),
            "抖音": (2_800_000, 45_000, 1_300, "240000", "260000"),
        },
    ),
    (
        "2025年会员日积分狂欢",
        "holiday_promotion",
        2025,
        8,
        "会员日积分翻倍与积分兑换，唤醒沉睡会员，目标复购率提升5个百分点。",
        "积分翻倍，好茶回家",
        "短信唤醒效果有限，企业微信一对一触达的转化率更高；积分兑换页加载慢影响体验。",
        ["会员", "复购"],
        {
            "微信朋友圈": (1_300_000, 29_000, 1_400, "150000", "310000"),
            "天猫旗舰店": (1_700_000, 52_000, 3_100, "260000", "690000"),
        },
    ),
)


def before_action(*, campaign: Campaign, action: str, users: dict) -> None:
    """Entries for archived campaigns that lack one, and the history once."""
    planner = users.get(PLANNER)
    if planner is None:
        return
    try:
        services.knowledge_entries_sweep()
        if not KnowledgeEntry.objects.filter(is_history=True).exists():
            load_history(department=planner.department, actor=planner)
    except ApplicationError as exc:
        logger.warning("demo knowledge base refused: %s", exc)


def history_snapshot(spec: tuple, department_name: str) -> dict:
    """A snapshot shaped like snapshot.build's, for a campaign that exists only in the demo's past."""
    name, scenario, year, month, background, core, lesson, _tags, channels = spec
    start = dt.date(year, month, 1)
    end = start + dt.timedelta(days=20)
    rows = []
    totals = dict.fromkeys(calc.BASE_MEASURES, Decimal(0))
    for channel, (impressions, clicks, conversions, cost, revenue) in channels.items():
        measures = calc.measures_of(
            {
                "impressions": impressions,
                "clicks": clicks,
                "conversions": conversions,
                "cost": cost,
                "revenue": revenue,
            }
        )
        for key in totals:
            totals[key] += measures[key]
        derived = calc.derive(measures)
        rows.append(
            {
                "name": channel,
                "kind": "",
                "online": channel != "线下门店",
                "days": 21,
                **_row(measures, derived),
            }
        )
    budget = sum((Decimal(values[3]) for values in channels.values()), Decimal(0))
    return {
        "version": 1,
        "history": True,
        "note": "Synthetic campaign of an earlier year, loaded with the demo.",
        "taken_at": timezone.make_aware(dt.datetime.combine(end, dt.time(18))).isoformat(),
        "campaign": {
            "number": f"MC-{year}-H{month:03d}",
            "name": name,
            "status": "archived",
            "department": department_name,
            "owner": "张敏",
            "template": scenario,
            "background": background,
            "core_message": core,
            "theme": core,
            "format": "",
            "target_audience": "",
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "budget_total": str(budget),
        },
        "brief": {},
        "goals": [
            {
                "metric": "roas",
                "name": "投入产出比",
                "target": "2.5",
                "unit": "ratio",
                "direction": "higher",
                "actual": str(calc.derive(totals)["roas"]),
                "achievement": None,
                "met": None,
            },
        ],
        "budget_lines": [
            {"category": "promotion", "label": "", "channel": c, "amount": v[3], "note": ""}
            for c, v in channels.items()
        ],
        "risks": [],
        "milestones": [
            {"name": "活动开始", "date": start.isoformat(), "note": ""},
            {"name": "活动结束", "date": end.isoformat(), "note": ""},
        ],
        "members": [{"name": "张敏", "username": "zhang.planner", "role": "owner", "group": ""}],
        "tasks": {"total": 0, "by_status": {}, "done": 0, "finished_late": 0},
        "results": {"days_with_data": 21, "totals": _row(totals, calc.derive(totals)), "channels": rows},
        "lessons": [{"source": "history", "kind": "review", "date": end.isoformat(), "text": lesson}],
    }


def _row(measures: dict, derived: dict) -> dict:
    keys = ("impressions", "clicks", "conversions", "visits", "leads", "cost", "revenue")
    return {
        **{key: str(measures[key]) for key in keys},
        **{
            key: None if derived.get(key) is None else str(derived[key])
            for key in ("ctr", "cvr", "cpa", "roas", "roi")
        },
    }


def load_history(*, department, actor) -> list[KnowledgeEntry]:
    """The synthetic past entries, once (the caller checks none exist)."""
    entries = []
    for spec in HISTORY:
        data = history_snapshot(spec, department.name if department else "")
        archived = timezone.make_aware(
            dt.datetime.combine(dt.date.fromisoformat(data["campaign"]["end_date"]), dt.time(18))
        )
        entries.append(
            services.entry_from_snapshot(
                data=data,
                campaign=None,
                department=department,
                actor=actor,
                archived_at=archived,
                is_history=True,
                tags=spec[7],
            )
        )
    return entries
