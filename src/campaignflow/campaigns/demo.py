"""A demo organization (青岚茶饮, a tea-drinks brand) with campaigns in every lifecycle state.

Everything after the first administrator and the organization settings is made through the same
services the API, the web UI and the CLI call, so the demo carries a real audit trail, real
approvals and real registration numbers. Dates are relative to today, so the live campaign is
live whenever the demo is loaded; names that mention a season or a shopping festival follow the
campaign's dates.

Loading is idempotent: the organization's name is the marker that the demo is present, the whole
load is one transaction, and every object is looked up by its unique name first.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaignflow.accounts import services as account_services
from campaignflow.accounts.choices import OrgRole
from campaignflow.accounts.models import Department, Organization, User, UserRole
from campaignflow.core.errors import ApplicationError
from campaignflow.metrics.choices import ChannelKind
from campaignflow.metrics.models import Channel
from campaignflow.metrics.services import channel_create

from . import services
from .choices import BudgetCategory, MemberRole, RiskCategory
from .models import BudgetLine, Campaign, Persona, Risk

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "campaignflow-demo-2026"
ORG_NAME = "青岚茶饮 Qinglan Tea"
EMAIL_DOMAIN = "qinglan-tea.example"

DEPARTMENTS = (("marketing", "市场部"), ("sales", "销售部"), ("product", "产品部"), ("finance", "财务部"))


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    department: str | None  # department code
    roles: tuple[str, ...]
    title: str  # what they do in the demo, shown by `campaignflow demo`


USERS = (
    DemoUser("admin", "系统管理员", None, (OrgRole.ADMIN,), gettext_lazy("Administrator")),
    DemoUser(
        "zhang.planner", "张敏", "marketing", (OrgRole.MEMBER,), gettext_lazy("Planner; owns the campaigns")
    ),
    DemoUser(
        "li.head",
        "李娜",
        "marketing",
        (OrgRole.DEPARTMENT_HEAD,),
        gettext_lazy("Head of Marketing; approves level 1"),
    ),
    DemoUser(
        "wang.manager", "王强", None, (OrgRole.MANAGEMENT,), gettext_lazy("Management; approves level 2")
    ),
    DemoUser("zhao.finance", "赵丽", "finance", (OrgRole.FINANCE,), gettext_lazy("Finance")),
    DemoUser("chen.analyst", "陈晨", "marketing", (OrgRole.DATA_ANALYST,), gettext_lazy("Data analyst")),
    DemoUser(
        "liu.pm", "刘洋", "marketing", (OrgRole.MEMBER,), gettext_lazy("Project manager on the campaigns")
    ),
    DemoUser("sun.sales", "孙浩", "sales", (OrgRole.MEMBER,), gettext_lazy("Sales; team member")),
)

CHANNELS = (
    ("微信朋友圈", ChannelKind.PAID_SOCIAL, True),
    ("抖音", ChannelKind.PAID_SOCIAL, True),
    ("小红书", ChannelKind.KOL, True),
    ("百度搜索", ChannelKind.SEARCH, True),
    ("天猫旗舰店", ChannelKind.ECOMMERCE, True),
    ("线下门店", ChannelKind.OFFLINE_STORE, False),
)

PLANNER, HEAD, MANAGER, PM = "zhang.planner", "li.head", "wang.manager", "liu.pm"

# (action, actor, comment): the road from draft to each target state, in order.
SUBMIT = ("submit", PLANNER, "策划方案、预算与风险预案已完成，请审批。")
APPROVE_1 = ("approve", HEAD, "方案与部门年度目标一致，预算结构合理，同意。")
APPROVE_2 = ("approve", MANAGER, "同意立项。请严格控制推广费，每周同步投放数据。")
PREPARE = ("start_preparation", PM, "立项完成，启动物料制作与渠道排期。")
LAUNCH = ("launch", PM, "物料已于T-3确认，渠道与人员就绪，活动上线。")
OPTIMIZE = ("optimize", PM, "首周复盘：抖音点击率低于目标，更换素材并调整出价。")
CLOSE = ("close", PM, "活动周期结束，进入效果评估与费用决算。")
ARCHIVE = ("archive", PM, "效果评估报告与费用决算已审批，归档并沉淀经验。")
REGISTERED = [SUBMIT, APPROVE_1, APPROVE_2]
PATHS: dict[str, list[tuple[str, str, str]]] = {
    "draft": [],
    "in_review_1": [SUBMIT],
    "in_review_2": [SUBMIT, APPROVE_1],
    "approved": REGISTERED,
    "preparing": [*REGISTERED, PREPARE],
    "live": [*REGISTERED, PREPARE, LAUNCH],
    "optimizing": [*REGISTERED, PREPARE, LAUNCH, OPTIMIZE],
    "closing": [*REGISTERED, PREPARE, LAUNCH, OPTIMIZE, CLOSE],
    "archived": [*REGISTERED, PREPARE, LAUNCH, OPTIMIZE, CLOSE, ARCHIVE],
    "cancelled": [
        *REGISTERED,
        PREPARE,
        ("cancel", MANAGER, "合作高校取消了线下场地，活动效果无法保证，管理层决定终止，预算收回。"),
    ],
    "revised": [
        SUBMIT,
        APPROVE_1,
        (
            "reject",
            MANAGER,
            "抖音投放占推广费过半，且缺少分渠道ROI测算；请压缩抖音预算并补充测算后重新提交。",
        ),
        ("revise", PLANNER, ""),
        ("submit", PLANNER, "已按意见修订（第2版）：压缩抖音预算，补充分渠道ROAS测算。"),
    ],
}

SEASONS = {
    **dict.fromkeys((3, 4, 5), ("春季", "明前龙井")),
    **dict.fromkeys((6, 7, 8), ("夏季", "冷萃白桃乌龙")),
    **dict.fromkeys((9, 10, 11), ("秋季", "桂花乌龙")),
    **dict.fromkeys((12, 1, 2), ("冬季", "红茶暖饮")),
}
FESTIVALS = {
    1: "年货节大促",
    2: "情人节限定礼盒促销",
    3: "女神节焕新促销",
    4: "春茶节大促",
    5: "五一出游季促销",
    6: "618年中大促",
    7: "暑期冰饮狂欢季",
    8: "七夕限定礼盒促销",
    9: "中秋茶礼大促",
    10: "国庆黄金周促销",
    11: "双11狂欢节",
    12: "双12年终盛典",
}


@dataclass(frozen=True)
class DemoCampaign:
    """One demo campaign: its plan, the state it is moved to and who works on it."""

    name: str  # may use {year}, {season}, {product}, {festival} of its start date
    template: str
    target: str  # a key of PATHS
    start_in_days: int
    budget: str
    theme: str
    background: str
    target_audience: str
    core_message: str
    brief: dict
    promotion_split: dict[str, str]  # channel name -> share of the promotion line
    personas: tuple[dict, ...] = ()
    risk: dict | None = None
    team: tuple[tuple[str, str, str], ...] = ((PM, MemberRole.PROJECT_MANAGER, "项目管理"),)


ANALYST = ("chen.analyst", MemberRole.MEMBER, "数据组")
SALES = ("sun.sales", MemberRole.MEMBER, "销售对接")
TEA_LOVER = {
    "name": "都市白领茶饮爱好者",
    "age_min": 25,
    "age_max": 35,
    "gender": "female",
    "city_tier": "tier1",
    "spend_level": "月均茶饮消费300元以上",
    "interests": "轻养生、下午茶、国潮",
    "channels": "小红书、微信朋友圈、抖音",
}
STUDENT = {
    "name": "在校大学生",
    "age_min": 18,
    "age_max": 24,
    "gender": "any",
    "city_tier": "new_tier1",
    "spend_level": "价格敏感，偏好第二杯半价",
    "interests": "校园社团、打卡、短视频",
    "channels": "抖音、小红书",
}

CAMPAIGNS = (
    DemoCampaign(
        name="{year}年{season}新品上市：{product}",
        template="new_product_launch",
        target="draft",
        start_in_days=95,
        budget="1200000.00",
        theme="一口{product}，开启新时节",
        background="新一季{product}即将上市。去年同期新品首月销售额380万元，新客占比仅22%；"
        "本次希望通过社交媒体种草与天猫首发提升新品认知，拉动首月销售与新客增长。",
        target_audience="一线及新一线城市25-35岁女性白领，注重健康与品质，月均茶饮消费300元以上。",
        core_message="当季鲜叶，现采现制",
        brief={
            "requested_by": "产品部、销售部",
            "collection_method": "需求沟通会 + 销售部渠道调研",
            "business_need": "新品需在上市首月完成铺货并建立口碑，首月销售目标100万元。",
            "key_dates": "上市前10天完成物料设计；上市前3天物料样品确认。",
        },
        promotion_split={"小红书": "0.40", "抖音": "0.35", "微信朋友圈": "0.25"},
        personas=(TEA_LOVER,),
        team=((PM, MemberRole.PROJECT_MANAGER, "项目管理"), ANALYST),
    ),
    DemoCampaign(
        name="会员日积分狂欢周",
        template="holiday_promotion",
        target="in_review_1",
        start_in_days=40,
        budget="500000.00",
        theme="积分翻倍，会员专享",
        background="会员复购率近三个月从41%下降到35%。会员日期间积分翻倍、会员专享价，"
        "目标唤醒沉睡会员并拉动复购。",
        target_audience="近180天有购买记录的会员，其中60天未复购的沉睡会员为重点。",
        core_message="会员日，积分翻倍更划算",
        brief={"requested_by": "销售部", "business_need": "提升会员复购率至40%以上。"},
        promotion_split={"微信朋友圈": "0.50", "天猫旗舰店": "0.50"},
        team=((PM, MemberRole.PROJECT_MANAGER, "项目管理"), SALES),
    ),
    DemoCampaign(
        name="小红书茶生活种草计划",
        template="brand_awareness",
        target="in_review_2",
        start_in_days=50,
        budget="600000.00",
        theme="茶是生活的留白",
        background="品牌在小红书的搜索指数低于两个主要竞品。计划联合50位生活方式KOL产出茶生活内容，"
        "提升品牌搜索与正向口碑。",
        target_audience="关注生活方式与国潮的年轻女性，小红书活跃用户。",
        core_message="青岚茶饮，给忙碌生活一点留白",
        brief={"requested_by": "市场部", "business_need": "品牌搜索指数提升30%。"},
        promotion_split={"小红书": "0.70", "微信朋友圈": "0.30"},
        personas=(TEA_LOVER,),
    ),
    DemoCampaign(
        name="城市茶空间会员沙龙",
        template="online_offline",
        target="approved",
        start_in_days=30,
        budget="900000.00",
        theme="一杯茶，一座城",
        background="在北京、上海、成都三家旗舰门店举办会员茶艺沙龙，线上直播同步，"
        "以线下体验带动线上新客与门店客流。",
        target_audience="门店周边3公里的会员与潜在顾客。",
        core_message="来茶空间，慢下来",
        brief={"requested_by": "销售部、产品部", "business_need": "三家旗舰店客流提升20%。"},
        promotion_split={"线下门店": "0.40", "抖音": "0.30", "微信朋友圈": "0.30"},
        team=((PM, MemberRole.PROJECT_MANAGER, "项目管理"), SALES),
    ),
    DemoCampaign(
        name="{year}年{festival}",
        template="holiday_promotion",
        target="preparing",
        start_in_days=12,
        budget="800000.00",
        theme="好茶过节，满199减50",
        background="节日大促是全年销售高峰之一，去年同期销售额260万元。今年主推礼盒与新品组合，"
        "目标销售额300万元。",
        target_audience="礼品采购人群与老客户，一二线城市为主。",
        core_message="好茶配佳节",
        brief={"requested_by": "销售部", "business_need": "节日期间销售额300万元，库存周转30天内。"},
        promotion_split={"天猫旗舰店": "0.50", "抖音": "0.30", "百度搜索": "0.20"},
        team=((PM, MemberRole.PROJECT_MANAGER, "项目管理"), ANALYST, SALES),
        risk={
            "category": RiskCategory.SUPPLY,
            "description": "礼盒供应商产能不足，交付延迟",
            "response": "提前锁定两家备选供应商；礼盒开启预售",
            "probability": 2,
            "impact": 4,
        },
    ),
    DemoCampaign(
        name="{year}年{season}新品上市：{product}",
        template="new_product_launch",
        target="live",
        start_in_days=-10,
        budget="1200000.00",
        theme="{product}，当季限定",
        background="{product}是本季主推新品。通过KOL种草、直播首发与门店试饮，"
        "目标上市90天销售额100万元、新增用户2万。",
        target_audience="一线及新一线城市25-35岁女性白领。",
        core_message="当季限定，错过等一年",
        brief={"requested_by": "产品部", "business_need": "新品上市90天内销售额100万元。"},
        promotion_split={"抖音": "0.40", "小红书": "0.35", "微信朋友圈": "0.25"},
        personas=(TEA_LOVER,),
        team=((PM, MemberRole.PROJECT_MANAGER, "项目管理"), ANALYST, SALES),
    ),
    DemoCampaign(
        name="品牌焕新计划",
        template="brand_awareness",
        target="optimizing",
        start_in_days=-30,
        budget="600000.00",
        theme="新青岚，更年轻",
        background="品牌形象老化，25岁以下用户占比不足15%。启用新LOGO与包装，"
        "通过社交话题与KOL内容传播品牌焕新。",
        target_audience="18-30岁年轻消费者。",
        core_message="青岚，年轻一口",
        brief={"requested_by": "市场部、产品部", "business_need": "25岁以下用户占比提升至25%。"},
        promotion_split={"抖音": "0.50", "小红书": "0.30", "百度搜索": "0.20"},
        personas=(STUDENT,),
        team=((PM, MemberRole.PROJECT_MANAGER, "项目管理"), ANALYST),
    ),
    DemoCampaign(
        name="{year}年{season}城市线下快闪店",
        template="online_offline",
        target="closing",
        start_in_days=-45,
        budget="900000.00",
        theme="青岚快闪茶铺",
        background="在上海、杭州核心商圈开设快闪茶铺，线下试饮扫码领券，线上直播同步引流。",
        target_audience="商圈白领与周末逛街人群。",
        core_message="路过，就来一杯",
        brief={"requested_by": "销售部", "business_need": "快闪期间客流3万人次，新增会员1.2万。"},
        promotion_split={"线下门店": "0.50", "抖音": "0.25", "微信朋友圈": "0.25"},
        team=((PM, MemberRole.PROJECT_MANAGER, "项目管理"), SALES),
        risk={
            "category": RiskCategory.WEATHER,
            "description": "暴雨导致快闪店客流骤降",
            "response": "备好雨棚；雨天加大直播与外卖券投放",
            "probability": 3,
            "impact": 3,
        },
    ),
    DemoCampaign(
        name="{year}年{festival}",
        template="holiday_promotion",
        target="archived",
        start_in_days=-160,
        budget="800000.00",
        theme="囤好茶，享半价",
        background="节日大促，主推爆款礼盒与第二件半价，目标销售额300万元、付费用户1.5万。",
        target_audience="老客户与价格敏感的新客户。",
        core_message="好茶囤起来",
        brief={"requested_by": "销售部", "business_need": "大促期间销售额300万元。"},
        promotion_split={"天猫旗舰店": "0.60", "抖音": "0.40"},
        team=((PM, MemberRole.PROJECT_MANAGER, "项目管理"), ANALYST, SALES),
    ),
    DemoCampaign(
        name="高校茶文化大使招募",
        template="brand_awareness",
        target="cancelled",
        start_in_days=20,
        budget="300000.00",
        theme="做校园里的茶文化大使",
        background="在10所高校招募茶文化大使，举办校园品鉴会，培养年轻用户。",
        target_audience="在校大学生。",
        core_message="喝懂一杯茶",
        brief={"requested_by": "市场部", "business_need": "招募大使100名，覆盖学生5万人。"},
        promotion_split={"抖音": "0.60", "小红书": "0.40"},
        personas=(STUDENT,),
    ),
    DemoCampaign(
        name="花果茶系列新品上市",
        template="new_product_launch",
        target="revised",
        start_in_days=60,
        budget="1000000.00",
        theme="一杯花果，满口春光",
        background="花果茶系列共4款新品，面向年轻女性。目标上市90天销售额100万元。",
        target_audience="18-30岁年轻女性，偏好低糖果味茶饮。",
        core_message="花果鲜萃，0添加蔗糖",
        brief={"requested_by": "产品部", "business_need": "花果茶系列上市90天销售额100万元。"},
        promotion_split={"抖音": "0.56", "小红书": "0.27", "微信朋友圈": "0.17"},
        personas=(STUDENT, TEA_LOVER),
        team=((PM, MemberRole.PROJECT_MANAGER, "项目管理"), ANALYST),
    ),
)

# The second revision of the rejected plan: Douyin cut by 70,000, the estimate the approver asked for.
REVISION_DOUYIN_CUT = Decimal("70000.00")
REVISION_NOTE = (
    "\n\n修订（第2版）：抖音投放压缩7万元；按去年同类新品测算，"
    "分渠道ROAS预计为抖音2.8、小红书3.5、微信朋友圈3.1。"
)


# Later apps add their part of the demo here: each hook is called before every lifecycle action
# as hook(campaign=, action=, users=) so that the campaign meets that step's guards (tasks before
# launch, close-out documents before archive) and carries that stage's data.
BEFORE_ACTION: list[Callable[..., None]] = []


def register_before_action(hook: Callable[..., None]) -> None:
    if hook not in BEFORE_ACTION:
        BEFORE_ACTION.append(hook)


@dataclass
class DemoResult:
    created: bool
    campaigns: list[Campaign] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def is_loaded() -> bool:
    return Organization.objects.filter(name=ORG_NAME).exists()


def demo_load(*, today: dt.date | None = None) -> DemoResult:
    """Load the demo organization once; a second call finds the marker and creates nothing."""
    if is_loaded():
        return DemoResult(created=False)
    today = today or timezone.localdate()
    with transaction.atomic():
        _organization()
        admin = _admin()
        departments = {code: _department(admin, code, name) for code, name in DEPARTMENTS}
        users = {spec.username: _user(admin, spec, departments) for spec in USERS}
        channels = {name: _channel(admin, name, kind, online) for name, kind, online in CHANNELS}
        result = DemoResult(created=True)
        # Oldest first, so registration numbers follow the calendar as they would have.
        for spec in sorted(CAMPAIGNS, key=lambda spec: spec.start_in_days):
            campaign = _campaign(spec, today=today, users=users, channels=channels, result=result)
            result.campaigns.append(campaign)
    return result


# --- organization and people ------------------------------------------------------------------


def _organization() -> Organization:
    org = Organization.current()
    org.name = ORG_NAME
    org.currency = "CNY"
    org.timezone = "Asia/Shanghai"
    org.approval_levels = [OrgRole.DEPARTMENT_HEAD.value, OrgRole.MANAGEMENT.value]
    org.contingency_min = Decimal("0.10")
    org.contingency_max = Decimal("0.15")
    org.save()
    return org


def _admin() -> User:
    """The first administrator, the only user made without a service: no one could create it."""
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User.objects.create_superuser(
            username="admin",
            email=f"admin@{EMAIL_DOMAIN}",
            password=DEMO_PASSWORD,
            display_name="系统管理员",
        )
        UserRole.objects.get_or_create(user=admin, role=OrgRole.ADMIN)
    return admin


def _department(admin: User, code: str, name: str) -> Department:
    existing = Department.objects.filter(code=code).first() or Department.objects.filter(name=name).first()
    return existing or account_services.department_create(actor=admin, name=name, code=code)


def _user(admin: User, spec: DemoUser, departments: dict[str, Department]) -> User:
    existing = User.objects.filter(username=spec.username).first()
    if existing is not None:
        return existing
    return account_services.user_create(
        actor=admin,
        username=spec.username,
        password=DEMO_PASSWORD,
        department=departments[spec.department] if spec.department else None,
        roles=list(spec.roles),
        email=f"{spec.username}@{EMAIL_DOMAIN}",
        display_name=spec.display_name,
    )


def _channel(admin: User, name: str, kind: str, online: bool) -> Channel:
    existing = Channel.objects.filter(name__iexact=name).first()
    return existing or channel_create(actor=admin, name=name, kind=kind, online=online)


# --- campaigns ----------------------------------------------------------------------------------


def _names(start: dt.date) -> dict[str, str]:
    season, product = SEASONS[start.month]
    return {"year": str(start.year), "season": season, "product": product, "festival": FESTIVALS[start.month]}


def _campaign(
    spec: DemoCampaign,
    *,
    today: dt.date,
    users: dict[str, User],
    channels: dict[str, Channel],
    result: DemoResult,
) -> Campaign:
    start = today + dt.timedelta(days=spec.start_in_days)
    names = _names(start)
    name = spec.name.format(**names)
    existing = Campaign.objects.filter(name=name).first()
    if existing is not None:
        return existing
    planner = users[PLANNER]
    # Template goals, milestones and risks are copied in the organization's language.
    with translation.override("zh-hans"):
        campaign = services.campaign_create(
            actor=planner,
            name=name,
            department=planner.department,
            template=spec.template,
            budget_total=Decimal(spec.budget),
            start_date=start,
            background=spec.background.format(**names),
            target_audience=spec.target_audience,
            core_message=spec.core_message,
            theme=spec.theme.format(**names),
            planned_on=min(today, start - dt.timedelta(days=30)),
        )
    services.brief_update(
        campaign=campaign,
        actor=planner,
        data={
            "objectives": campaign.background,
            "target_audience": spec.target_audience,
            "core_message": spec.core_message,
            **spec.brief,
        },
    )
    _split_promotion(campaign, planner, spec.promotion_split, channels)
    for persona in spec.personas:
        services.plan_item_create(campaign=campaign, actor=planner, model=Persona, data=dict(persona))
    if spec.risk:
        services.plan_item_create(
            campaign=campaign, actor=planner, model=Risk, data={**spec.risk, "owner": users[PM]}
        )
    for username, role, group in spec.team:
        services.member_add(campaign=campaign, actor=planner, user=users[username], role=role, group=group)
    _move(campaign, spec.target, users, channels, result)
    campaign.refresh_from_db()
    return campaign


def _split_promotion(
    campaign: Campaign, planner: User, split: dict[str, str], channels: dict[str, Channel]
) -> None:
    """Turn the template's single promotion line into one line per channel, keeping the total."""
    line = campaign.budget_lines.get(category=BudgetCategory.PROMOTION, channel__isnull=True)
    amounts = {
        name: (line.amount * Decimal(share)).quantize(Decimal("0.01")) for name, share in split.items()
    }
    first = next(iter(amounts))
    amounts[first] += line.amount - sum(amounts.values())
    for index, (name, amount) in enumerate(amounts.items()):
        data = {"channel": channels[name], "amount": amount, "note": f"{name}投放"}
        if index == 0:
            services.plan_item_update(item=line, actor=planner, data=data)
        else:
            services.plan_item_create(
                campaign=campaign, actor=planner, model=BudgetLine, data={"category": "promotion", **data}
            )


def _revise(campaign: Campaign, planner: User, channels: dict[str, Channel]) -> None:
    """Revision 2 of the rejected plan: what the level-2 approver asked for."""
    douyin = campaign.budget_lines.get(category=BudgetCategory.PROMOTION, channel=channels["抖音"])
    services.plan_item_update(
        item=douyin, actor=planner, data={"amount": douyin.amount - REVISION_DOUYIN_CUT}
    )
    services.campaign_update(
        campaign=campaign, actor=planner, data={"background": campaign.background + REVISION_NOTE}
    )


def _move(
    campaign: Campaign,
    target: str,
    users: dict[str, User],
    channels: dict[str, Channel],
    result: DemoResult,
) -> None:
    """Walk the campaign to its target state; a refused step leaves it where it got to."""
    for action, username, comment in PATHS[target]:
        try:
            if action == "revise":
                _revise(campaign, users[username], channels)
            else:
                for hook in BEFORE_ACTION:
                    hook(campaign=campaign, action=action, users=users)
                services.campaign_transition(
                    campaign=campaign, actor=users[username], action=action, comment=comment
                )
        except ApplicationError as exc:
            campaign.refresh_from_db()
            message = _("%(campaign)s: “%(action)s” was refused (%(reason)s); it stays %(status)s.") % {
                "campaign": campaign.name,
                "action": action,
                "reason": exc,
                "status": campaign.get_status_display(),
            }
            logger.warning("demo: %s", message)
            result.warnings.append(message)
            return
