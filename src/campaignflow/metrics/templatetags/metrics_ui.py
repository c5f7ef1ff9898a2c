"""Display helpers for metric values: each unit reads its own way (¥, counts, percentages)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from campaignflow.campaigns.templatetags.campaign_ui import money, number, pct

from .. import calc

register = template.Library()

# Ratios read as multiples rather than percentages (ROAS 3.5 is “1:3.5”, not 350 %).
MULTIPLES = {"roas"}


@register.simple_tag
def metric_value(value, unit: str, key: str = "") -> str:
    """A metric formatted by its unit; '—' when it cannot be computed."""
    if value is None:
        return "—"
    if unit == calc.CURRENCY:
        return money(value)
    if unit == calc.COUNT:
        return number(value)
    if key in MULTIPLES:
        return f"{Decimal(value):.2f}"
    return pct(value, 2)


@register.filter
def measure(breakdown, key: str):
    """A base measure or derived metric of a breakdown, by key."""
    if key in calc.BASE_MEASURES:
        return breakdown.measures.get(key)
    return breakdown.metrics.get(key)


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def field_of(form, name):
    return form[name]


@register.filter
def value_of(metric, name):
    return getattr(metric, name) if metric is not None else None
