"""Display helpers for stored report documents (registry.document_data) on web pages."""

from __future__ import annotations

from django import template

from .. import registry

register = template.Library()


@register.simple_tag
def report_cell(row: dict, column: dict) -> str:
    """One cell of a stored table as a person reads it (1,234.50 · 2.10% · —)."""
    return registry.display(row.get(column["key"]), column.get("kind", registry.TEXT))


@register.filter
def is_numeric(column: dict) -> bool:
    return column.get("kind") in (
        registry.INTEGER,
        registry.NUMBER,
        registry.MONEY,
        registry.PERCENT,
        registry.RATIO,
    )


@register.filter
def percent(value) -> str:
    return registry.display(value, registry.PERCENT)


@register.simple_tag
def measure(value, kind: str) -> str:
    return registry.display(value, kind)
