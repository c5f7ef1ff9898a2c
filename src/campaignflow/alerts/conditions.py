"""Whether a value breaches a rule, and what it was expected to be. Pure functions, no queries.

The values come from metrics.selectors.campaign_kpis (sums in the database, derived metrics by
metrics.calc); this module only compares. "Worse" follows the metric's direction: a CVR falls,
a CPA or a count of negative comments rises.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from campaignflow.metrics import calc

from .choices import Condition, Window

ONE = Decimal(1)


def breached(
    *,
    condition: str,
    threshold: Decimal,
    direction: str,
    observed: Decimal | None,
    expected: Decimal | None,
) -> bool:
    """True when `observed` is worse than the condition allows; False when it cannot be judged.

    below_target_pct: expected is the target; higher-is-better breaches below target × (1 − X),
    lower-is-better above target × (1 + X). above_absolute: observed above N, whatever the
    direction. day_over_day_change_pct: expected is the day before; a fall of at least X for
    higher-is-better metrics, a rise of at least X for lower-is-better ones.
    """
    if observed is None:
        return False
    if condition == Condition.ABOVE_ABSOLUTE:
        return observed > threshold
    if expected is None:
        return False
    if condition == Condition.BELOW_TARGET_PCT:
        if direction == calc.LOWER:
            return observed > expected * (ONE + threshold)
        return observed < expected * (ONE - threshold)
    if condition == Condition.DAY_OVER_DAY_CHANGE_PCT:
        change = change_from(expected, observed)
        if change is None:
            return False
        if direction == calc.LOWER:
            return change > 0 and change >= threshold
        return change < 0 and -change >= threshold
    return False


def change_from(before: Decimal | None, after: Decimal | None) -> Decimal | None:
    """(after − before) / before; None when there is no base to compare with."""
    if before is None or after is None or before == 0:
        return None
    return (after - before) / before


def window_days(window: str, day: dt.date, start: dt.date) -> int:
    return 1 if window == Window.DAY else (day - start).days + 1


def expected_from_target(
    *,
    target: Decimal,
    is_base: bool,
    window: str,
    day: dt.date,
    start: dt.date,
    end: dt.date,
) -> Decimal:
    """What the goal asks of the window by `day`.

    A derived metric (CVR, CPA, ROAS) is a ratio: its target holds for any window. A base measure
    adds up over days, so its target is spread evenly over the goal's period (campaign start to
    the goal's deadline): one day is expected to bring target / days, the first ten days ten times
    that.
    """
    if not is_base:
        return target
    total = max((end - start).days + 1, 1)
    days = min(max(window_days(window, day, start), 1), total)
    return target * days / total


def describe(
    metric: str, condition: str, threshold: Decimal, window: str = Window.DAY, name: str | None = None
) -> str:
    """A rule in words in the active language, e.g. "CVR 30 % worse than target".

    `name` is the metric's display name when the caller has it (lists pass it to save a query).
    """
    name = name or metric_name(metric)
    if condition == Condition.ABOVE_ABSOLUTE:
        text = _("%(metric)s above %(n)s") % {"metric": name, "n": plain(threshold)}
    elif condition == Condition.DAY_OVER_DAY_CHANGE_PCT:
        text = _("%(metric)s %(pct)s %% worse than the day before") % {
            "metric": name,
            "pct": plain(threshold * 100),
        }
    else:
        text = _("%(metric)s %(pct)s %% worse than target") % {"metric": name, "pct": plain(threshold * 100)}
    if window == Window.TO_DATE and condition != Condition.DAY_OVER_DAY_CHANGE_PCT:
        text = _("%(rule)s (to date)") % {"rule": text}
    return text


def plain(value: Decimal | None) -> str:
    """A decimal without trailing zeros: 30.0000 → "30", 0.0350 → "0.035"."""
    if value is None:
        return "—"
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def metric_name(key: str) -> str:
    """The metric's name in the active language; the key when it has no definition."""
    from campaignflow.metrics.models import MetricDefinition

    definition = MetricDefinition.objects.filter(key=key).first()
    return definition.name if definition else key
