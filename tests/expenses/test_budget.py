"""Budget against actual, burn rate, forecast at completion and the reconciliation with daily data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from campaignflow.expenses import selectors, services
from campaignflow.metrics.models import DailyMetric
from tests.expenses.conftest import expense_data
from tests.factories import ChannelFactory


def _spend(campaign, actor, category, amount, day=dt.date(2026, 11, 10)):
    return services.expense_create(
        campaign=campaign, actor=actor, data=expense_data(campaign.lines[category], amount=amount, date=day)
    )


def test_it_compares_budget_and_actual_per_category_and_in_total(live, finance):
    _spend(live, finance, "materials", "21000.00")
    _spend(live, finance, "promotion", "23000.00")

    budget = selectors.budget_for(campaign=live)

    rows = {row.category: row for row in budget.categories}
    assert list(rows) == ["materials", "promotion", "third_party", "contingency"]
    assert (rows["materials"].actual, rows["materials"].variance, rows["materials"].variance_pct) == (
        Decimal("21000.00"),
        Decimal("1000.00"),
        Decimal("0.0500"),
    )
    assert rows["materials"].overspent and not rows["promotion"].overspent
    assert (budget.total.budget, budget.total.actual, budget.remaining) == (
        Decimal("100000.00"),
        Decimal("44000.00"),
        Decimal("56000.00"),
    )
    assert [row.category for row in budget.overspent_categories] == ["materials"]
    assert budget.overspent and not budget.total.overspent


def test_burn_rate_is_spend_per_elapsed_day_and_the_forecast_is_linear(live, finance):
    # 2026-11-01 .. 2026-11-30, today 2026-11-23: 23 of 30 days elapsed
    _spend(live, finance, "promotion", "23000.00", day=dt.date(2026, 11, 5))
    _spend(live, finance, "materials", "15000.00", day=dt.date(2026, 10, 20))  # paid before the start

    budget = selectors.budget_for(campaign=live)

    assert (budget.elapsed_days, budget.total_days) == (23, 30)
    assert budget.burn_rate == Decimal("1000.00")
    assert budget.total.forecast == Decimal("45000.00")  # 15,000 once + 1,000 × 30 days
    rows = {row.category: row for row in budget.categories}
    assert rows["materials"].forecast == Decimal("15000.00")
    assert rows["promotion"].forecast == Decimal("30000.00")
    assert not rows["materials"].forecast_overspent
    assert [(p.date, p.cumulative) for p in budget.burn] == [
        (dt.date(2026, 10, 20), Decimal("15000.00")),
        (dt.date(2026, 11, 5), Decimal("38000.00")),
    ]


def test_a_category_on_track_to_overspend_is_flagged(live, finance):
    _spend(live, finance, "third_party", "8050.00", day=dt.date(2026, 11, 2))

    row = next(row for row in selectors.budget_for(campaign=live).categories if row.category == "third_party")

    assert row.forecast == Decimal("10500.00") and row.forecast_overspent and not row.overspent


def test_after_the_end_the_forecast_is_the_spend_so_far(closing, finance):
    _spend(closing, finance, "promotion", "50000.00", day=dt.date(2026, 10, 30))

    budget = selectors.budget_for(campaign=closing)

    assert (budget.elapsed_days, budget.total_days) == (31, 31)
    assert budget.total.forecast == Decimal("50000.00")
    assert budget.burn_rate == Decimal("1612.90")


def test_promotion_expenses_are_reconciled_with_the_cost_in_the_daily_data(live, finance, moments):
    douyin = ChannelFactory(name="抖音")
    for day, channel, cost in (
        (dt.date(2026, 11, 1), moments, "10000.00"),
        (dt.date(2026, 11, 2), moments, "12500.50"),
        (dt.date(2026, 11, 2), douyin, "3000.00"),
    ):
        DailyMetric.objects.create(campaign=live, channel=channel, date=day, cost=Decimal(cost))
    _spend(live, finance, "promotion", "23000.00")
    _spend(live, finance, "materials", "5000.00")  # not promotion: not reconciled

    reconciliation = selectors.budget_for(campaign=live).reconciliation

    rows = {row.channel_name: (row.expenses, row.metrics_cost, row.difference) for row in reconciliation.rows}
    assert rows == {
        "朋友圈": (Decimal("23000.00"), Decimal("22500.50"), Decimal("499.50")),
        "抖音": (Decimal("0.00"), Decimal("3000.00"), Decimal("-3000.00")),
    }
    total = reconciliation.total
    assert (total.expenses, total.metrics_cost, total.difference) == (
        Decimal("23000.00"),
        Decimal("25500.50"),
        Decimal("-2500.50"),
    )
    assert reconciliation.has_metrics


def test_the_budget_reads_take_a_fixed_number_of_queries(live, finance, django_assert_max_num_queries):
    for _index in range(20):
        _spend(live, finance, "promotion", "100.00")

    with django_assert_max_num_queries(10):
        selectors.budget_for(campaign=live)
