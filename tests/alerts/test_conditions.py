"""The comparisons behind every rule: which way is worse, and what the goal expects of a window."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from campaignflow.alerts.conditions import breached, expected_from_target


def check(condition, threshold, direction, observed, expected):
    return breached(
        condition=condition,
        threshold=D(threshold),
        direction=direction,
        observed=None if observed is None else D(observed),
        expected=None if expected is None else D(expected),
    )


@pytest.mark.parametrize(
    ("observed", "fires"),
    [("0.0244", True), ("0.0245", False), ("0.03", False), ("0.05", False)],
)
def test_a_higher_is_better_metric_fires_more_than_x_percent_below_target(observed, fires):
    # CVR target 3.5 %, 30 % below it is 2.45 %
    assert check("below_target_pct", "0.3", "higher", observed, "0.035") is fires


@pytest.mark.parametrize(("observed", "fires"), [("52.01", True), ("52", False), ("30", False)])
def test_a_lower_is_better_metric_fires_more_than_x_percent_above_target(observed, fires):
    # CPA target ¥40: 30 % worse is above ¥52, and a cheap CPA is good news, not an alert
    assert check("below_target_pct", "0.3", "lower", observed, "40") is fires


@pytest.mark.parametrize(("observed", "fires"), [("51", True), ("50", False), ("0", False)])
def test_above_n_compares_the_value_itself_whatever_the_direction(observed, fires):
    assert check("above_absolute", "50", "lower", observed, None) is fires
    assert check("above_absolute", "50", "higher", observed, None) is fires


@pytest.mark.parametrize(
    ("direction", "before", "after", "fires"),
    [
        ("higher", "100", "70", True),  # a 30 % fall of conversions
        ("higher", "100", "71", False),
        ("higher", "100", "200", False),  # a rise of conversions is no alert
        ("lower", "20", "26", True),  # CPA up 30 %
        ("lower", "20", "14", False),  # CPA down 30 % is good
        ("higher", "0", "50", False),  # no base to compare with
        ("higher", None, "50", False),
    ],
)
def test_day_over_day_fires_on_a_change_for_the_worse_of_at_least_x(direction, before, after, fires):
    assert check("day_over_day_change_pct", "0.3", direction, after, before) is fires


def test_a_value_that_cannot_be_computed_never_fires():
    assert check("below_target_pct", "0.3", "higher", None, "0.035") is False
    assert check("above_absolute", "0", "lower", None, None) is False


def test_a_ratio_target_holds_for_any_window_and_a_count_target_is_spread_over_the_goal_period():
    start, end = dt.date(2024, 6, 1), dt.date(2024, 6, 30)
    common = {"start": start, "end": end, "target": D("300000")}

    assert expected_from_target(is_base=False, window="day", day=dt.date(2024, 6, 10), **common) == D(
        "300000"
    )
    assert expected_from_target(is_base=True, window="day", day=dt.date(2024, 6, 10), **common) == D("10000")
    assert expected_from_target(is_base=True, window="to_date", day=dt.date(2024, 6, 10), **common) == D(
        "100000"
    )
    # past the deadline the whole target is due
    assert expected_from_target(is_base=True, window="to_date", day=dt.date(2024, 7, 5), **common) == D(
        "300000"
    )
