"""calc: every derived metric from summed base measures, one way (DESIGN §4)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from campaignflow.metrics import calc

SEED_ROW = {"impressions": 50000, "clicks": 1050, "conversions": 37, "revenue": Decimal("35000"), "cost": 0}


def test_it_computes_every_builtin_derived_metric_exactly():
    measures = {
        "impressions": 50000,
        "clicks": 1050,
        "conversions": 42,
        "revenue": Decimal("35000.00"),
        "cost": Decimal("10000.00"),
        "leads": 200,
        "mqls": 80,
    }

    metrics = calc.derive(measures)

    assert metrics == {
        "ctr": Decimal("0.021"),
        "cvr": Decimal("0.04"),
        "cpa": Decimal("10000") / Decimal("42"),
        "cpl": Decimal("50"),
        "mql_rate": Decimal("0.4"),
        "roas": Decimal("3.5"),
        "roi": Decimal("2.5"),
    }


def test_cvr_is_paying_users_over_clicking_users_as_seed_003_defines_it():
    assert calc.derive({"clicks": 200, "conversions": 7})["cvr"] == Decimal("0.035")
    assert calc.BUILTIN["cvr"].formula == "conversions / clicks"


@pytest.mark.parametrize("key", ["ctr", "cvr", "cpa", "cpl", "mql_rate", "roas", "roi"])
def test_a_zero_denominator_is_none_not_nan_nor_an_error(key):
    metrics = calc.derive({})

    assert metrics[key] is None


def test_it_treats_missing_and_none_sums_as_zero():
    assert calc.derive({"clicks": None, "impressions": None})["ctr"] is None
    assert calc.derive({"clicks": 0, "impressions": 10})["ctr"] == 0


def test_ratio_is_none_for_zero_or_missing_denominators():
    assert calc.ratio(5, 0) is None
    assert calc.ratio(5, None) is None
    assert calc.ratio(1, 4) == Decimal("0.25")


@pytest.mark.parametrize(
    ("actual", "target", "direction", "expected"),
    [
        (120, 100, "higher", Decimal("1.2")),  # Table 4: 销售额 120 万 vs 100 万 → 120 %
        (18000, 20000, "higher", Decimal("0.9")),  # 新增用户 1.8 万 vs 2 万 → 90 %
        (Decimal("3.5"), 3, "higher", Decimal("3.5") / 3),  # ROI 1:3.5 vs 1:3 → 117 %
        (30, 40, "lower", Decimal("40") / 30),  # CPA 30 against a ceiling of 40: better than target
        (50, 40, "lower", Decimal("0.8")),
        (10, 0, "higher", None),
        (0, 50, "lower", None),  # no negative comments: ratio undefined, goal met
        (None, 10, "higher", None),
    ],
)
def test_achievement_is_actual_over_target_inverted_when_lower_is_better(actual, target, direction, expected):
    assert calc.achievement(actual, target, direction) == expected


def test_goal_met_follows_the_direction():
    assert calc.goal_met(0, 50, "lower") is True
    assert calc.goal_met(51, 50, "lower") is False
    assert calc.goal_met(100, 100, "higher") is True
    assert calc.goal_met(None, 100, "higher") is None


def test_a_custom_formula_is_evaluated_over_base_measures():
    assert calc.evaluate("opportunities / leads", {"opportunities": 6, "leads": 24}) == Decimal("0.25")
    assert calc.evaluate("(revenue - cost) / (cost + 0)", {"revenue": 30, "cost": 10}) == 2
    assert calc.evaluate("-cost + revenue * 2", {"revenue": 3, "cost": 1}) == 5


@pytest.mark.parametrize(
    ("formula", "code"),
    [
        ("", "empty"),
        ("clicks /", "syntax"),
        ("ctr * 2", "unknown_name"),
        ("__import__('os').system('id')", "not_allowed"),
        ("clicks ** 2", "not_allowed"),
        ("clicks if clicks else 0", "not_allowed"),
        ("1 / 2", "no_measure"),
        ("clicks" + " + clicks" * 40, "too_long"),
    ],
)
def test_it_refuses_formulas_that_are_not_arithmetic_over_base_measures(formula, code):
    with pytest.raises(calc.FormulaError) as caught:
        calc.compile_formula(formula)

    assert caught.value.code == code


def test_value_of_reads_base_measures_and_derived_metrics_by_key():
    assert calc.value_of("revenue", SEED_ROW) == Decimal("35000")
    assert calc.value_of("ctr", SEED_ROW) == Decimal("0.021")
    assert calc.value_of("roas", SEED_ROW) is None
    assert calc.value_of("brand_search_index", SEED_ROW) is None


def _channel(key, cost, revenue, conversions=0):
    return calc.ChannelReturn(key, Decimal(cost), Decimal(revenue), Decimal(conversions))


def test_budget_shift_moves_a_fifth_of_the_weakest_spend_to_the_strongest_by_roas():
    channels = [
        _channel("douyin", 10000, 18000),
        _channel("moments", 8000, 28000),
        _channel("xhs", 6000, 15000),
    ]

    shift = calc.budget_shift(channels)

    assert (shift.basis, shift.source, shift.target) == ("roas", "douyin", "moments")
    assert (shift.source_return, shift.target_return) == (Decimal("1.8"), Decimal("3.5"))
    assert shift.amount == Decimal("2000")
    assert shift.expected_gain == Decimal("3400.0")


def test_budget_shift_ignores_channels_with_a_tiny_share_of_the_spend():
    channels = [_channel("a", 10000, 30000), _channel("b", 10000, 20000), _channel("tiny", 100, 10)]

    shift = calc.budget_shift(channels)

    assert (shift.source, shift.target) == ("b", "a")


def test_budget_shift_needs_a_meaningful_gap_and_two_channels():
    assert calc.budget_shift([_channel("a", 10000, 30000), _channel("b", 10000, 28000)]) is None
    assert calc.budget_shift([_channel("a", 10000, 30000)]) is None
    assert calc.budget_shift([]) is None


def test_budget_shift_uses_conversions_per_yuan_without_revenue():
    shift = calc.budget_shift([_channel("a", 1000, 0, 50), _channel("b", 1000, 0, 20)])

    assert (shift.basis, shift.source, shift.target, shift.amount) == ("conversions_per_cost", "b", "a", 200)


def test_the_migration_seeds_exactly_the_builtin_definitions():
    from importlib import import_module

    migration = import_module("campaignflow.metrics.migrations.0002_metric_definitions_daily_metrics")
    seeded = [
        (key, formula, unit, direction, en, hans, hant)
        for key, formula, unit, direction, en, hans, hant in migration.DEFINITIONS
    ]

    assert seeded == [
        (d.key, d.formula, d.unit, d.direction, d.names["en"], d.names["zh-hans"], d.names["zh-hant"])
        for d in calc.BUILTIN_DEFINITIONS
    ]
