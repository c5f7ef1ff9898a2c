"""Reads of expenses: the list, budget against actual, burn rate, forecast, reconciliation, settlement.

Sums are taken in the database (one GROUP BY per breakdown), so the number of queries does not
depend on how many expenses a campaign has. Definitions used everywhere (UI, API, settlement):

- variance = actual − budget (positive: overspent); variance % = variance / budget, None when the
  budget is zero;
- burn rate = spend since the start / days elapsed since the start (today included, at most the
  whole run); money paid before the start (deposits, materials) is preparation, not burn;
- forecast at completion = spend before the start + burn rate × campaign days, i.e. linear on
  elapsed days; once the campaign has ended (or before it starts) it is the spend so far;
- reconciliation: promotion spend reported in the daily data (DailyMetric.cost) against expenses
  recorded in the promotion category, per channel of the promotion budget lines and in total.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaignflow.accounts.models import Organization
from campaignflow.campaigns.choices import BudgetCategory
from campaignflow.campaigns.models import BudgetLine, Campaign
from campaignflow.core.errors import NotFound
from campaignflow.metrics.models import Channel, DailyMetric

from . import permissions
from .choices import SettlementStatus
from .models import Expense, Settlement

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
FRACTION = Decimal("0.0001")
CATEGORY_ORDER = list(BudgetCategory.values)
FORECAST_METHOD = gettext_lazy(
    "Forecast at completion is linear on elapsed days: spend before the start (preparation) + spend "
    "since the start ÷ days elapsed × campaign days. Before the start and after the end it is the "
    "spend so far."
)


def _money(value) -> Decimal:
    return (Decimal(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def _fraction(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(FRACTION, rounding=ROUND_HALF_UP)


def category_label(category: str):
    """The category's name, lazy so that each reader (a notification's recipient) gets their language."""
    try:
        return BudgetCategory(category).label
    except ValueError:
        return category


# --- expenses ------------------------------------------------------------------------------------


def expense_list(*, campaign: Campaign, category: str | None = None) -> QuerySet[Expense]:
    qs = Expense.objects.filter(campaign_id=campaign.pk).select_related(
        "budget_line", "budget_line__channel", "created_by"
    )
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("-date", "-id")


def expense_get(*, user, pk) -> Expense:
    """One expense of a campaign the user may see, or NotFound (missing and hidden look alike)."""
    try:
        expense = Expense.objects.select_related(
            "campaign", "campaign__department", "budget_line", "budget_line__channel", "created_by"
        ).get(pk=int(pk))
    except (Expense.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Expense not found."))
    if not permissions.can_view_expenses(user, expense.campaign):
        raise NotFound(_("Expense not found."))
    return expense


# --- budget against actual ----------------------------------------------------------------------


@dataclass
class CategoryRow:
    category: str
    label: str
    budget: Decimal
    actual: Decimal
    forecast: Decimal | None = None

    @property
    def variance(self) -> Decimal:
        return self.actual - self.budget

    @property
    def variance_pct(self) -> Decimal | None:
        return _fraction(self.variance, self.budget)

    @property
    def used(self) -> Decimal | None:
        return _fraction(self.actual, self.budget)

    @property
    def overspent(self) -> bool:
        return self.actual > self.budget

    @property
    def forecast_overspent(self) -> bool:
        return self.forecast is not None and self.forecast > self.budget


@dataclass
class LineRow:
    line_id: int | None
    category: str
    label: str
    channel_name: str
    budget: Decimal
    actual: Decimal

    @property
    def variance(self) -> Decimal:
        return self.actual - self.budget

    @property
    def overspent(self) -> bool:
        return self.actual > self.budget


@dataclass
class ReconciliationRow:
    channel_id: int | None
    channel_name: str
    expenses: Decimal  # recorded in the promotion category
    metrics_cost: Decimal  # DailyMetric.cost summed

    @property
    def difference(self) -> Decimal:
        return self.expenses - self.metrics_cost

    @property
    def difference_pct(self) -> Decimal | None:
        return _fraction(self.difference, self.metrics_cost)


@dataclass
class Reconciliation:
    rows: list[ReconciliationRow]
    total: ReconciliationRow
    has_metrics: bool


@dataclass
class BurnPoint:
    date: dt.date
    cumulative: Decimal


@dataclass
class Budget:
    campaign: Campaign
    today: dt.date
    categories: list[CategoryRow]
    lines: list[LineRow]
    total: CategoryRow
    elapsed_days: int
    total_days: int | None
    burn_rate: Decimal | None
    burn: list[BurnPoint]
    reconciliation: Reconciliation
    expense_count: int = 0
    overspent_categories: list[CategoryRow] = field(default_factory=list)

    @property
    def remaining(self) -> Decimal:
        return self.total.budget - self.total.actual

    @property
    def overspent(self) -> bool:
        return self.total.overspent or bool(self.overspent_categories)


def _days(campaign: Campaign, today: dt.date) -> tuple[int, int | None]:
    """(days elapsed since the start, today included and capped at the run; campaign days)."""
    if campaign.start_date is None or campaign.end_date is None:
        return 0, None
    total = (campaign.end_date - campaign.start_date).days + 1
    if today < campaign.start_date:
        return 0, total
    return min((today - campaign.start_date).days + 1, total), total


def _forecast(actual: Decimal, before_start: Decimal, elapsed: int, total: int | None) -> Decimal:
    """Linear on elapsed days; the spend so far when the run has not started or is over."""
    if not total or elapsed <= 0 or elapsed >= total:
        return actual
    return _money(before_start + (actual - before_start) / elapsed * total)


def budget_for(*, campaign: Campaign, today: dt.date | None = None) -> Budget:
    """Budget against actual per category and per line, burn rate, forecast and reconciliation."""
    today = today or timezone.localdate()
    lines = list(BudgetLine.objects.filter(campaign=campaign).select_related("channel").order_by("id"))
    by_line = dict(
        Expense.objects.filter(campaign_id=campaign.pk, budget_line__isnull=False)
        .values_list("budget_line_id")
        .annotate(total=Sum("amount"))
    )
    by_category = dict(
        Expense.objects.filter(campaign_id=campaign.pk).values_list("category").annotate(total=Sum("amount"))
    )
    budget_by_category: dict[str, Decimal] = {}
    for line in lines:
        budget_by_category[line.category] = budget_by_category.get(line.category, ZERO) + line.amount
    elapsed, total_days = _days(campaign, today)
    before_start: dict[str, Decimal] = {}
    if campaign.start_date and elapsed > 0:
        before_start = dict(
            Expense.objects.filter(campaign_id=campaign.pk, date__lt=campaign.start_date)
            .values_list("category")
            .annotate(total=Sum("amount"))
        )
    categories = [
        CategoryRow(
            category=category,
            label=category_label(category),
            budget=_money(budget_by_category.get(category)),
            actual=_money(by_category.get(category)),
        )
        for category in CATEGORY_ORDER
        if category in budget_by_category or category in by_category
    ]
    for row in categories:
        row.forecast = _forecast(row.actual, _money(before_start.get(row.category)), elapsed, total_days)
    line_rows = [
        LineRow(
            line_id=line.pk,
            category=line.category,
            label=str(line),
            channel_name=line.channel.name if line.channel_id else "",
            budget=_money(line.amount),
            actual=_money(by_line.get(line.pk)),
        )
        for line in lines
    ]
    orphaned = Expense.objects.filter(campaign_id=campaign.pk, budget_line__isnull=True).aggregate(
        total=Sum("amount")
    )["total"]
    if orphaned:
        line_rows.append(
            LineRow(
                None, "", gettext_lazy("Expenses whose budget line was removed"), "", ZERO, _money(orphaned)
            )
        )
    total_actual = _money(sum((row.actual for row in categories), ZERO))
    total_before = _money(sum(before_start.values(), ZERO))
    total = CategoryRow(
        "total",
        gettext_lazy("Total"),
        _money(sum((row.budget for row in categories), ZERO)),
        total_actual,
        forecast=_forecast(total_actual, total_before, elapsed, total_days),
    )
    burn_rate = _money((total_actual - total_before) / elapsed) if elapsed > 0 else None
    return Budget(
        campaign=campaign,
        today=today,
        categories=categories,
        lines=line_rows,
        total=total,
        elapsed_days=elapsed,
        total_days=total_days,
        burn_rate=burn_rate,
        burn=burn_points(campaign=campaign),
        reconciliation=reconciliation_for(campaign=campaign, lines=lines),
        expense_count=Expense.objects.filter(campaign_id=campaign.pk).count(),
        overspent_categories=[row for row in categories if row.overspent],
    )


def burn_points(*, campaign: Campaign) -> list[BurnPoint]:
    """Cumulative spend at the end of each day with an expense."""
    per_day = (
        Expense.objects.filter(campaign_id=campaign.pk)
        .values_list("date")
        .annotate(total=Sum("amount"))
        .order_by("date")
    )
    points, running = [], ZERO
    for day, amount in per_day:
        running += amount
        points.append(BurnPoint(day, _money(running)))
    return points


def reconciliation_for(*, campaign: Campaign, lines: list[BudgetLine] | None = None) -> Reconciliation:
    """Promotion expenses against the cost reported in the daily data, per channel and in total."""
    if lines is None:
        lines = list(BudgetLine.objects.filter(campaign=campaign).select_related("channel"))
    expenses = dict(
        Expense.objects.filter(campaign_id=campaign.pk, category=BudgetCategory.PROMOTION)
        .values_list("budget_line__channel_id")
        .annotate(total=Sum("amount"))
    )
    costs = dict(
        DailyMetric.objects.filter(campaign_id=campaign.pk)
        .values_list("channel_id")
        .annotate(total=Sum("cost"))
    )
    channel_ids = {
        line.channel_id for line in lines if line.category == BudgetCategory.PROMOTION and line.channel_id
    }
    channel_ids |= {pk for pk in expenses if pk is not None} | set(costs)
    names = dict(Channel.objects.filter(pk__in=channel_ids).values_list("pk", "name"))
    rows = [
        ReconciliationRow(pk, names.get(pk, ""), _money(expenses.get(pk)), _money(costs.get(pk)))
        for pk in sorted(channel_ids, key=lambda pk: names.get(pk, ""))
    ]
    if expenses.get(None):
        rows.append(ReconciliationRow(None, gettext_lazy("No channel"), _money(expenses[None]), ZERO))
    total = ReconciliationRow(
        None,
        gettext_lazy("Total"),
        _money(sum(expenses.values(), ZERO)),
        _money(sum(costs.values(), ZERO)),
    )
    return Reconciliation(rows=rows, total=total, has_metrics=bool(costs))


# --- settlement ------------------------------------------------------------------------------------


@dataclass
class SettlementRow:
    """One category of the settlement as shown, submitted and approved."""

    category: str
    label: str
    budget: Decimal
    actual: Decimal
    explanation: str = ""
    explanation_required: bool = False

    @property
    def variance(self) -> Decimal:
        return self.actual - self.budget

    @property
    def variance_pct(self) -> Decimal | None:
        return _fraction(self.variance, self.budget)

    def as_dict(self) -> dict:
        data = asdict(self)
        data |= {"label": str(self.label), "budget": str(self.budget), "actual": str(self.actual)}
        return data

    @classmethod
    def from_dict(cls, data: dict) -> SettlementRow:
        return cls(
            category=data["category"],
            label=category_label(data["category"]),
            budget=Decimal(data["budget"]),
            actual=Decimal(data["actual"]),
            explanation=data.get("explanation", ""),
            explanation_required=bool(data.get("explanation_required")),
        )


def needs_explanation(budget: Decimal, actual: Decimal, threshold: Decimal) -> bool:
    """|variance %| past the threshold; spending on a category with no budget always needs one."""
    if not budget:
        return actual != 0
    return abs((actual - budget) / budget) > threshold


@dataclass
class SettlementView:
    campaign: Campaign
    settlement: Settlement | None
    status: str
    threshold: Decimal
    rows: list[SettlementRow]

    @property
    def budget(self) -> Decimal:
        return sum((row.budget for row in self.rows), ZERO)

    @property
    def actual(self) -> Decimal:
        return sum((row.actual for row in self.rows), ZERO)

    @property
    def variance(self) -> Decimal:
        return self.actual - self.budget

    @property
    def variance_pct(self) -> Decimal | None:
        return _fraction(self.variance, self.budget)

    @property
    def missing(self) -> list[SettlementRow]:
        return [row for row in self.rows if row.explanation_required and not row.explanation.strip()]

    @property
    def last_rejection(self):
        if self.settlement is None:
            return None
        rejections = [a for a in self.settlement.approvals.all() if a.decision == "reject"]
        return rejections[-1] if rejections and self.status == SettlementStatus.DRAFT else None


def live_rows(
    campaign: Campaign, explanations: dict, threshold: Decimal, budget: Budget | None = None
) -> list[SettlementRow]:
    """The settlement's rows from the current budget lines and expenses (or the `budget` read)."""
    budget = budget or budget_for(campaign=campaign)
    return [
        SettlementRow(
            category=row.category,
            label=row.label,
            budget=row.budget,
            actual=row.actual,
            explanation=str((explanations or {}).get(row.category, "")),
            explanation_required=needs_explanation(row.budget, row.actual, threshold),
        )
        for row in budget.categories
    ]


def settlement_for(*, campaign: Campaign, budget: Budget | None = None) -> SettlementView:
    """The campaign's settlement: live figures while a draft (or not started), frozen once submitted.

    Pass the `budget` already read for the same page to spare reading it twice."""
    settlement = (
        Settlement.objects.filter(campaign_id=campaign.pk)
        .select_related("submitted_by")
        .prefetch_related("approvals__actor")
        .first()
    )
    if settlement is None:
        threshold = Organization.current().variance_threshold
        rows = live_rows(campaign, {}, threshold, budget)
        return SettlementView(campaign, None, SettlementStatus.DRAFT, threshold, rows)
    if settlement.is_draft:
        threshold = Organization.current().variance_threshold
        rows = live_rows(campaign, settlement.explanations, threshold, budget)
    else:
        threshold = settlement.threshold
        rows = [SettlementRow.from_dict(data) for data in settlement.rows]
    return SettlementView(campaign, settlement, settlement.status, threshold, rows)


def settlement_is_approved(campaign: Campaign) -> bool:
    return Settlement.objects.filter(campaign_id=campaign.pk, status=SettlementStatus.APPROVED).exists()


def settlements_waiting(*, user) -> list[Settlement]:
    """Submitted settlements this user decides (management, administrators), oldest first: the inbox."""
    if not user.is_authenticated or not any(user.has_role(role) for role in permissions.DECIDER_ROLES):
        return []
    submitted = (
        Settlement.objects.filter(status=SettlementStatus.SUBMITTED)
        .select_related("campaign", "campaign__department", "submitted_by")
        .order_by("submitted_at", "pk")
    )
    return [item for item in submitted if permissions.can_decide_settlement(user, item.campaign)]
