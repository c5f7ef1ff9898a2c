"""Template helpers of the alerts app: the navigation badge, the dashboard card, values by unit."""

from __future__ import annotations

from django import template
from django.utils import timezone

from campaignflow.metrics.templatetags.metrics_ui import metric_value

from .. import selectors
from ..choices import ACTIVE_STATUSES

register = template.Library()

DASHBOARD_LIMIT = 8


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.inclusion_tag("alerts/partials/nav_badge.html", takes_context=True)
def alerts_nav_badge(context) -> dict:
    """The number of open alerts waiting on the user, beside the Alerts link."""
    user = _user(context)
    count = selectors.concerning_count(user=user) if user and user.is_authenticated else 0
    return {"count": count}


@register.inclusion_tag("alerts/partials/dashboard_card.html", takes_context=True)
def dashboard_alerts(context) -> dict:
    """The dashboard's "Open alerts" card: active alerts the user may see, the most urgent first."""
    user = _user(context)
    alerts = selectors.alert_list(user=user, status=selectors.ACTIVE)
    shown = selectors.with_definitions(alerts[: DASHBOARD_LIMIT + 1])
    now = timezone.now()
    for alert in shown:
        alert.overdue = alert.status == "open" and alert.due_at <= now
        alert.now = now
    return {
        "alerts": shown[:DASHBOARD_LIMIT],
        "more": len(shown) > DASHBOARD_LIMIT,
        "request": context.get("request"),
        "active_statuses": ACTIVE_STATUSES,
    }


@register.simple_tag
def alert_value(alert, which: str = "observed") -> str:
    """The alert's observed or expected value in its metric's unit (%, ¥, count)."""
    value = getattr(alert, which)
    definition = getattr(alert, "definition", None)
    if definition is None:
        return "—" if value is None else str(value)
    return metric_value(value, definition.unit, definition.key)


@register.simple_tag
def rule_threshold(rule) -> str:
    """The threshold as written: 30 % for the percentage conditions, N in the metric's unit otherwise."""
    from ..choices import PERCENT_CONDITIONS
    from ..conditions import plain

    if rule.condition in PERCENT_CONDITIONS:
        return f"{plain(rule.threshold * 100)} %"
    definition = getattr(rule, "definition", None)
    if definition is None:
        return plain(rule.threshold)
    return metric_value(rule.threshold, definition.unit, definition.key)
