"""Expenses and settlements for the demo campaigns, recorded through the services like finance would.

Registered with campaigns.demo.register_before_action after the metrics app's hook, which fills
the daily data before launch. Before launch, finance (赵丽) records the campaign's expenses so far:
materials a few days before the start (slightly over budget, with a generated PDF invoice),
the third-party services contract a few days before the start (a negotiated saving), labor for the days elapsed, and per
promotion channel the platform invoice rounded from the cost in the daily data; the contingency
reserve stays untouched.

The settlement is submitted at close-out, which the demo only reaches through the `close` action
itself: before `close` this module notes the campaign, and its `after_close` lifecycle hook
(registered in apps.py; a no-op for any campaign the demo did not note) writes the explanations and
submits the settlement in the same transaction. Before `archive`, management approves it, so the
archived campaign passes the archive guard.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from campaignflow.campaigns.choices import BudgetCategory
from campaignflow.campaigns.models import BudgetLine, Campaign
from campaignflow.core.errors import ApplicationError
from campaignflow.metrics.models import DailyMetric

from . import attachments, selectors, services
from .models import Expense

logger = logging.getLogger(__name__)

FINANCE, MANAGER = "zhao.finance", "wang.manager"
HUNDRED = Decimal("100")

# campaign pk -> (name, finance user): campaigns whose settlement the demo submits once closed.
_PENDING_SUBMIT: dict[int, tuple[str, object]] = {}

VENDORS = {
    BudgetCategory.MATERIALS: ("上海印象印务有限公司", "海报、易拉宝与试饮杯印制"),
    BudgetCategory.THIRD_PARTY: ("城市空间场地服务有限公司", "场地租赁与直播技术支持"),
    BudgetCategory.LABOR: ("青岚茶饮人力资源部", "活动执行人员劳务费"),
    BudgetCategory.CUSTOM: ("杂项供应商", "其他费用"),
}
EXPLANATIONS = {
    BudgetCategory.MATERIALS: "客流高于预期，海报与试饮杯追加印制一批，物料费超支。",
    BudgetCategory.THIRD_PARTY: "场地租赁与直播技术服务谈得九折优惠，形成节余。",
    BudgetCategory.PROMOTION: "按各渠道后台实际消耗结算，部分渠道投放未达排期，推广费节余。",
    BudgetCategory.LABOR: "执行人员按实际排班结算。",
    BudgetCategory.CONTINGENCY: "活动期间未发生需动用应急预备金的事件，预备金全部节余。",
    BudgetCategory.CUSTOM: "按实际发生结算。",
}
SUBMIT_COMMENT = "费用已与发票、合同核对，提交管理层审核。"
APPROVE_COMMENT = "决算与凭证核对无误，超支与节余原因说明充分，同意。"


def before_action(*, campaign: Campaign, action: str, users: dict) -> None:
    """Record the expenses before launch; note the campaign before close; approve before archive."""
    finance = users.get(FINANCE)
    if finance is None:
        return
    campaign = Campaign.objects.get(pk=campaign.pk)  # the lifecycle services saved fresh copies
    try:
        with transaction.atomic():
            if action == "launch":
                record_expenses(campaign=campaign, actor=finance)
            elif action == "close":
                _PENDING_SUBMIT[campaign.pk] = (campaign.name, finance)
            elif action == "archive" and MANAGER in users:
                services.settlement_approve(campaign=campaign, actor=users[MANAGER], comment=APPROVE_COMMENT)
    except ApplicationError as exc:
        logger.warning("demo expenses for %s refused: %s", campaign, exc)


def after_close(*, campaign: Campaign, actor, comment: str = "") -> None:
    """Lifecycle hook after `close`: submit the settlement of a campaign the demo noted, else nothing."""
    pending = _PENDING_SUBMIT.pop(campaign.pk, None)
    if pending is None or pending[0] != campaign.name:
        return
    finance = pending[1]
    try:
        with transaction.atomic():
            view = selectors.settlement_for(campaign=campaign)
            explanations = {
                row.category: EXPLANATIONS.get(row.category, EXPLANATIONS[BudgetCategory.CUSTOM])
                for row in view.rows
                if row.explanation_required
            }
            services.settlement_update(campaign=campaign, actor=finance, explanations=explanations)
            services.settlement_submit(campaign=campaign, actor=finance, comment=SUBMIT_COMMENT)
    except ApplicationError as exc:
        logger.warning("demo settlement for %s refused: %s", campaign, exc)


def _round(value: Decimal, step: Decimal = HUNDRED) -> Decimal:
    return ((value / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * step).quantize(Decimal("0.01"))


def record_expenses(*, campaign: Campaign, actor, today: dt.date | None = None) -> int:
    """The campaign's expenses up to today; nothing when it already has some. Returns the count."""
    if campaign.start_date is None or campaign.end_date is None:
        return 0
    if Expense.objects.filter(campaign=campaign).exists():
        return 0
    today = today or timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    last = min(campaign.end_date, yesterday)
    if last < campaign.start_date:
        return 0
    elapsed = (last - campaign.start_date).days + 1
    days = (campaign.end_date - campaign.start_date).days + 1
    count = 0
    number = campaign.number or f"C{campaign.pk}"
    for index, line in enumerate(
        BudgetLine.objects.filter(campaign=campaign).select_related("channel").order_by("id"), start=1
    ):
        reference = f"{number}-{index:02d}"
        if line.category == BudgetCategory.CONTINGENCY or not line.amount:
            continue
        if line.category == BudgetCategory.PROMOTION:
            if line.channel_id is None:
                continue
            cost = DailyMetric.objects.filter(campaign_id=campaign.pk, channel_id=line.channel_id).aggregate(
                total=Sum("cost")
            )["total"]
            if not cost:
                continue
            data = {
                "amount": _round(cost),
                "date": last,
                "vendor": line.channel.name,
                "reference": f"INV-{reference}",
                "note": f"{line.channel.name}投放费用，按平台账单结算",
            }
        else:
            vendor, note = VENDORS.get(line.category, VENDORS[BudgetCategory.CUSTOM])
            if line.category == BudgetCategory.MATERIALS:
                amount, date = (
                    _round(line.amount * Decimal("1.06")),
                    campaign.start_date - dt.timedelta(days=5),
                )
            elif line.category == BudgetCategory.THIRD_PARTY:
                amount, date = (
                    _round(line.amount * Decimal("0.90")),
                    campaign.start_date - dt.timedelta(days=3),
                )
            else:
                amount, date = _round(line.amount * Decimal(elapsed) / Decimal(days)), last
            if amount <= 0:
                continue
            data = {
                "amount": amount,
                "date": min(date, today),
                "vendor": vendor,
                "reference": f"HT-{reference}"
                if line.category == BudgetCategory.THIRD_PARTY
                else f"INV-{reference}",
                "note": note,
            }
        upload = None
        if line.category == BudgetCategory.MATERIALS:
            upload = attachments.from_bytes(
                invoice_pdf(campaign=campaign, data=data), f"发票-{reference}.pdf"
            )
        services.expense_create(
            campaign=campaign, actor=actor, data={"budget_line": line, **data}, attachment=upload
        )
        count += 1
    return count


def invoice_pdf(*, campaign: Campaign, data: dict) -> bytes:
    """A one-page invoice scan stand-in, drawn with reportlab's built-in Chinese font."""
    from reportlab.lib.pagesizes import A5, landscape
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=landscape(A5), invariant=1)
    width, height = landscape(A5)
    page.setFont(font, 18)
    page.drawCentredString(width / 2, height - 50, "增值税普通发票（演示）")
    page.setFont(font, 11)
    lines = [
        f"发票号码：{data['reference']}",
        f"开票日期：{data['date'].isoformat()}",
        f"销售方：{data['vendor']}",
        "购买方：青岚茶饮 Qinglan Tea",
        f"项目：{data['note']}",
        f"所属活动：{campaign.number or ''} {campaign.name}",
        f"价税合计（小写）：¥{data['amount']:,.2f}",
    ]
    y = height - 90
    for text in lines:
        page.drawString(50, y, text)
        y -= 22
    page.showPage()
    page.save()
    return buffer.getvalue()
