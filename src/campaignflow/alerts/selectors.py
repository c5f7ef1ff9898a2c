"""Reads of the alerts app: alert lists per user and campaign, rules, and the badge count."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import NotFound
from campaignflow.metrics.models import MetricDefinition

from . import permissions
from .choices import ACTIVE_STATUSES, AlertStatus
from .models import Alert, AlertRule

RELATED = ("campaign", "campaign__department", "channel", "rule", "acknowledged_by", "resolved_by")
# Status filters of the lists: a status, or "active" for open and acknowledged together.
ACTIVE = "active"


def _definitions() -> dict[str, MetricDefinition]:
    return {d.key: d for d in MetricDefinition.objects.all()}


def with_definitions(items: Iterable, definitions: dict[str, MetricDefinition] | None = None) -> list:
    """Attach each alert's or rule's metric definition (name, unit) and label, in one query."""
    items = list(items)
    if not items:
        return items
    definitions = _definitions() if definitions is None else definitions
    for item in items:
        definition = definitions.get(item.metric)
        item.definition = definition
        item.metric_label = definition.name if definition else item.metric
        rule = getattr(item, "rule", None) if isinstance(item, Alert) else None
        if rule is not None:
            rule.metric_label = item.metric_label
    return items


def alert_list(*, user, status: str | None = None, campaign: Campaign | None = None) -> QuerySet[Alert]:
    """Alerts the user may see, most urgent first: open by due time, then the rest, newest first."""
    qs = permissions.visible_alerts(user) if campaign is None else Alert.objects.filter(campaign=campaign)
    if status == ACTIVE:
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    urgency = Case(
        When(status=AlertStatus.OPEN, then=Value(0)),
        When(status=AlertStatus.ACKNOWLEDGED, then=Value(1)),
        default=Value(2),
    )
    return qs.select_related(*RELATED).order_by(urgency, "due_at", "-id")


def alert_get(*, user, pk) -> Alert:
    """One alert the user may see, or NotFound (missing and forbidden look the same)."""
    alert = Alert.objects.select_related(*RELATED).filter(pk=pk).first()
    if alert is None or not permissions.can_view_alerts(user, alert.campaign):
        raise NotFound(_("Alert not found."))
    return alert


def concerning_count(*, user) -> int:
    """Open alerts waiting on the user (the navigation badge)."""
    return permissions.concerning(user).count()


def org_rules() -> QuerySet[AlertRule]:
    return AlertRule.objects.filter(campaign__isnull=True).select_related("channel").order_by("id")


def campaign_rules(*, campaign: Campaign, include_org: bool = True) -> QuerySet[AlertRule]:
    """The rules that judge this campaign: the organization's first, then its own."""
    condition = Q(campaign=campaign) | Q(campaign__isnull=True) if include_org else Q(campaign=campaign)
    return (
        AlertRule.objects.filter(condition)
        .select_related("channel", "campaign")
        .order_by(F("campaign_id").asc(nulls_first=True), "id")
    )


def rule_get(*, user, pk) -> AlertRule:
    rule = AlertRule.objects.select_related("channel", "campaign").filter(pk=pk).first()
    if rule is None or not permissions.can_view_rule(user, rule):
        raise NotFound(_("Alert rule not found."))
    return rule
