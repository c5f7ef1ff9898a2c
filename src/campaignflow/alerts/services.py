"""Writes of the alerts app: rules, evaluation, acknowledgement, resolution and escalation.

Every write checks permissions.py, runs in one transaction and records an audit event.
Evaluation reads values only through metrics.selectors.campaign_kpis (sums in the database,
derived metrics by metrics.calc), compares them in conditions.py and keeps one active alert per
(rule, campaign, channel). Notifications are rows written in the same transaction
(notifications.services.notify), delivered by the worker after commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaignflow.audit.services import audit_record, snapshot
from campaignflow.campaigns.choices import CampaignStatus
from campaignflow.campaigns.models import Campaign, Goal
from campaignflow.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from campaignflow.metrics import calc
from campaignflow.metrics.models import Channel, DailyMetric, MetricDefinition
from campaignflow.metrics.selectors import campaign_kpis, metric_definitions
from campaignflow.notifications.services import notify, notify_once

from . import conditions, permissions
from .choices import (
    ACTIVE_STATUSES,
    AlertStatus,
    Condition,
    Severity,
    Source,
    Window,
)
from .models import RESPONSE_HOURS, Alert, AlertRule

logger = logging.getLogger(__name__)

# Campaigns whose data is watched: launched and being optimized (seed 003 stage 3).
LIVE_STATUSES = (CampaignStatus.LIVE, CampaignStatus.OPTIMIZING)
# A percentage threshold above 1 (100 %) cannot be reached by a fall; a rise may go up to 1000 %.
MAX_FRACTION = {Condition.BELOW_TARGET_PCT: Decimal(1), Condition.DAY_OVER_DAY_CHANGE_PCT: Decimal(10)}
MAX_THRESHOLD = Decimal("99999999999999.9999")
RULE_FIELDS = ("name", "metric", "channel", "condition", "threshold", "window", "severity", "active")
NAME_MAX = AlertRule._meta.get_field("name").max_length
PLAN_MAX = Alert._meta.get_field("response_plan").max_length
NOTE_MAX = Alert._meta.get_field("resolution_note").max_length
ESCALATION_LEVEL = 1  # department heads and management, at due_at
VALUE_PLACES = 6

# (from status, action) → to status: the only moves a person makes on an alert.
TRANSITIONS = {
    (AlertStatus.OPEN, "acknowledge"): AlertStatus.ACKNOWLEDGED,
    (AlertStatus.OPEN, "resolve"): AlertStatus.RESOLVED,
    (AlertStatus.ACKNOWLEDGED, "resolve"): AlertStatus.RESOLVED,
}


# --- rules ------------------------------------------------------------------------------------------


def _rule_data(data: dict, *, partial_update: bool = False) -> dict:
    """Checked, normalized rule fields; ValidationFailed names every bad field."""
    errors: list[FieldError] = []
    clean: dict = {}
    if "name" in data or not partial_update:
        name = (data.get("name") or "").strip()
        if len(name) > NAME_MAX:
            errors.append(
                FieldError("name", _("Ensure this value has at most %(max)d characters.") % {"max": NAME_MAX})
            )
        clean["name"] = name
    if "metric" in data or not partial_update:
        metric = (data.get("metric") or "").strip()
        if not metric:
            errors.append(FieldError("metric", _("This field is required.")))
        elif not MetricDefinition.objects.filter(key=metric).exists():
            errors.append(
                FieldError(
                    "metric",
                    _("Unknown metric “%(metric)s”; use the key of a metric definition.")
                    % {"metric": metric},
                )
            )
        clean["metric"] = metric
    if "channel" in data or not partial_update:
        channel = data.get("channel")
        if channel is not None and not isinstance(channel, Channel):
            channel = Channel.objects.filter(pk=channel).first() if str(channel).isdigit() else None
            if channel is None:
                errors.append(FieldError("channel", _("Unknown channel.")))
        clean["channel"] = channel
    for name, choices, default in (
        ("condition", Condition, None),
        ("window", Window, Window.DAY),
        ("severity", Severity, Severity.WARNING),
    ):
        if name in data or not partial_update:
            value = data.get(name) or default
            value = getattr(value, "value", value)
            if value not in choices.values:
                errors.append(
                    FieldError(
                        name, _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)}
                    )
                )
            clean[name] = value
    if "threshold" in data or not partial_update:
        clean["threshold"] = _threshold(data.get("threshold"), errors)
    if "active" in data:
        clean["active"] = bool(data["active"])
    if errors:
        raise ValidationFailed(errors[0].message, errors)
    return clean


def _threshold(value, errors: list[FieldError]) -> Decimal | None:
    if value is None or value == "":
        errors.append(FieldError("threshold", _("This field is required.")))
        return None
    try:
        value = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.append(FieldError("threshold", _("Enter a number.")))
        return None
    if not value.is_finite():
        errors.append(FieldError("threshold", _("Enter a number.")))
        return None
    if value < 0:
        errors.append(FieldError("threshold", _("The threshold must not be negative.")))
        return None
    if value > MAX_THRESHOLD:
        errors.append(FieldError("threshold", _("The threshold is too large.")))
        return None
    return value.quantize(Decimal("0.0001"))


def _check_fraction(rule_values: dict) -> None:
    """A percentage condition takes a fraction (0.3 for 30 %); 30 would be 3000 %."""
    limit = MAX_FRACTION.get(rule_values["condition"])
    if limit is not None and rule_values["threshold"] > limit:
        message = _(
            "Percentages are fractions: enter 0.3 for 30 %%; this condition takes at most %(max)s."
        ) % {"max": conditions.plain(limit)}
        raise ValidationFailed(message, [FieldError("threshold", message)])


@transaction.atomic
def alert_rule_create(*, actor, campaign: Campaign | None = None, data: dict) -> AlertRule:
    """Add a rule: an organization default (no campaign) or one campaign's own."""
    if campaign is None:
        if not permissions.can_manage_org_rules(actor):
            raise Forbidden(_("Only data analysts and administrators manage the organization's alert rules."))
    else:
        if not permissions.can_view_alerts(actor, campaign):
            raise NotFound(_("Campaign not found."))
        if not permissions.can_manage_campaign_rules(actor, campaign):
            raise Forbidden(
                _(
                    "Only the campaign's project managers and owner, data analysts and administrators manage its alert rules."
                )
            )
    values = _rule_data(data)
    _check_fraction(values)
    rule = AlertRule.objects.create(campaign=campaign, created_by=actor, **values)
    audit_record(actor=actor, verb="alertrule.created", obj=rule, campaign=campaign, after=snapshot(rule))
    return rule


@transaction.atomic
def alert_rule_update(*, actor, rule: AlertRule, data: dict) -> AlertRule:
    """Change some fields of a rule; active alerts keep the values they were opened with."""
    _check_rule_manager(actor, rule)
    values = _rule_data(data, partial_update=True)
    before = snapshot(rule)
    for name, value in values.items():
        setattr(rule, name, value)
    _check_fraction({"condition": rule.condition, "threshold": rule.threshold})
    rule.save()
    audit_record(
        actor=actor,
        verb="alertrule.updated",
        obj=rule,
        campaign=rule.campaign,
        before=before,
        after=snapshot(rule),
    )
    return rule


@transaction.atomic
def alert_rule_delete(*, actor, rule: AlertRule) -> None:
    """Remove a rule that never fired; one with alerts is kept for their history (disable it)."""
    _check_rule_manager(actor, rule)
    if rule.alerts.exists():
        raise Conflict(
            _("This rule has raised alerts and is kept for their history; disable it instead."),
            code="has_alerts",
        )
    audit_record(
        actor=actor, verb="alertrule.deleted", obj=rule, campaign=rule.campaign, before=snapshot(rule)
    )
    rule.delete()


def _check_rule_manager(actor, rule: AlertRule) -> None:
    if not permissions.can_view_rule(actor, rule):
        raise NotFound(_("Alert rule not found."))
    if not permissions.can_manage_rule(actor, rule):
        raise Forbidden(_("You may not change this alert rule."))


# --- evaluation -------------------------------------------------------------------------------------


@dataclass
class Evaluation:
    """What one evaluation of a campaign did."""

    opened: list[Alert] = field(default_factory=list)
    updated: list[Alert] = field(default_factory=list)


def applicable_rules(campaign: Campaign):
    """Active organization defaults and the campaign's own active rules."""
    return (
        AlertRule.objects.filter(Q(campaign__isnull=True) | Q(campaign=campaign), active=True)
        .select_related("channel")
        .order_by("id")
    )


def _goal_targets(campaign: Campaign) -> dict[str, Goal]:
    """The goal each metric is judged against: a top-level goal first, then the oldest."""
    targets: dict[str, Goal] = {}
    goals = Goal.objects.filter(campaign=campaign, target__isnull=False).order_by("parent_id", "id")
    for goal in sorted(goals, key=lambda g: (g.parent_id is not None, g.id)):
        targets.setdefault(goal.metric, goal)
    return targets


def _value(breakdown, definition: MetricDefinition) -> Decimal | None:
    """A base measure's sum or a derived metric of a breakdown (as metrics.selectors reads goals)."""
    if breakdown is None:
        return None
    if definition.is_base:
        return breakdown.measures.get(definition.key)
    return breakdown.metrics.get(definition.key)


class _Scope:
    """The numbers of one scope (campaign totals or one channel) as of a day, fetched once."""

    def __init__(self, campaign: Campaign, channel_id: int | None, as_of: dt.date):
        self.campaign, self.channel_id = campaign, channel_id
        rows = DailyMetric.objects.filter(campaign_id=campaign.pk, date__lte=as_of)
        if channel_id:
            rows = rows.filter(channel_id=channel_id)
        self.day = rows.aggregate(last=Max("date"))["last"]
        self._recent = self._to_date = None

    def recent(self):
        """(the day's breakdown, the day before's breakdown or None)."""
        if self._recent is None:
            kpis = campaign_kpis(
                campaign=self.campaign,
                date_from=self.day - dt.timedelta(days=1),
                date_to=self.day,
                channel_id=self.channel_id,
            )
            by_day = {row.date: row for row in kpis.trend}
            self._recent = (by_day.get(self.day), by_day.get(self.day - dt.timedelta(days=1)))
        return self._recent

    def to_date(self):
        if self._to_date is None:
            self._to_date = campaign_kpis(
                campaign=self.campaign, date_to=self.day, channel_id=self.channel_id
            ).totals
        return self._to_date


def _measure(rule: AlertRule, scope: _Scope, definition, goal: Goal | None, campaign: Campaign):
    """(observed, expected) of a rule in a scope, or None when the rule cannot be judged there."""
    day_values, previous = scope.recent()
    if rule.condition == Condition.DAY_OVER_DAY_CHANGE_PCT:
        return _value(day_values, definition), _value(previous, definition)
    window_values = day_values if rule.window == Window.DAY else scope.to_date()
    observed = _value(window_values, definition)
    if rule.condition == Condition.ABOVE_ABSOLUTE:
        return observed, rule.threshold
    if goal is None or campaign.start_date is None:
        return None  # no target to fall short of
    end = goal.deadline or campaign.end_date or scope.day
    expected = conditions.expected_from_target(
        target=goal.target,
        is_base=definition.is_base,
        window=rule.window,
        day=scope.day,
        start=campaign.start_date,
        end=max(end, campaign.start_date),
    )
    return observed, expected


def alerts_evaluate(
    *,
    campaign: Campaign,
    now: dt.datetime | None = None,
    as_of: dt.date | None = None,
    rules=None,
) -> Evaluation:
    """Judge the campaign's latest day of data (up to `as_of`, default today) against its rules.

    A breach opens an alert, or updates the active one of that rule, campaign and channel; an
    active alert whose breach is gone is updated too (`still_breaching` False) and stays for a
    person to resolve. A breach on a day that already had an alert of that rule, since resolved,
    does not open another. Runs under the campaign's row lock, as every writer of its data does.
    """
    now = now or timezone.now()
    as_of = as_of or timezone.localdate(now)
    result = Evaluation()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        rules = list(applicable_rules(campaign) if rules is None else rules)
        if not rules:
            return result
        definitions = {d.key: d for d in metric_definitions()}
        goals = _goal_targets(campaign)
        scopes: dict[int | None, _Scope] = {}
        active = {
            (a.rule_id, a.channel_id): a
            for a in Alert.objects.select_for_update().filter(campaign=campaign, status__in=ACTIVE_STATUSES)
        }
        for rule in rules:
            definition = definitions.get(rule.metric)
            if definition is None:
                continue
            scope = scopes.get(rule.channel_id)
            if scope is None:
                scope = scopes[rule.channel_id] = _Scope(campaign, rule.channel_id, as_of)
            if scope.day is None:
                continue
            measured = _measure(rule, scope, definition, goals.get(rule.metric), campaign)
            if measured is None:
                continue
            observed, expected = (calc.rounded(v, VALUE_PLACES) for v in measured)
            hit = conditions.breached(
                condition=rule.condition,
                threshold=rule.threshold,
                direction=definition.direction,
                observed=observed,
                expected=expected,
            )
            alert = active.get((rule.pk, rule.channel_id))
            if alert is not None:
                _refresh(alert, scope.day, observed, expected, hit, now)
                result.updated.append(alert)
            elif hit and not _already_raised(rule, campaign, scope.day):
                alert = _open(rule, campaign, definition, scope.day, observed, expected, now)
                if alert is not None:
                    result.opened.append(alert)
    return result


def _already_raised(rule: AlertRule, campaign: Campaign, day: dt.date) -> bool:
    """A resolved alert for this day: the breach was dealt with; the next day's may open anew."""
    return Alert.objects.filter(
        rule=rule, campaign=campaign, channel_id=rule.channel_id, day__gte=day
    ).exists()


def _refresh(alert: Alert, day, observed, expected, hit: bool, now) -> None:
    changed = (alert.day, alert.observed, alert.expected, alert.still_breaching) != (
        day,
        observed,
        expected,
        hit,
    )
    alert.day, alert.observed, alert.expected, alert.still_breaching = day, observed, expected, hit
    alert.last_evaluated_at = now
    alert.save(update_fields=["day", "observed", "expected", "still_breaching", "last_evaluated_at"])
    if changed:
        audit_record(
            actor=None,
            verb="alert.reevaluated",
            obj=alert,
            campaign=alert.campaign,
            after={"day": day, "observed": observed, "expected": expected, "still_breaching": hit},
        )


def _open(rule: AlertRule, campaign: Campaign, definition, day, observed, expected, now) -> Alert | None:
    alert = Alert(
        rule=rule,
        campaign=campaign,
        channel_id=rule.channel_id,
        metric=rule.metric,
        condition=rule.condition,
        threshold=rule.threshold,
        window=rule.window,
        severity=rule.severity,
        day=day,
        observed=observed,
        expected=expected,
    )
    if _insert(alert, now, f"alert for rule {rule.pk}") is None:
        return None
    _notify_opened(alert, definition)
    return alert


def _insert(alert: Alert, now, what: str) -> Alert | None:
    """Save a new alert, due in 24 hours, and audit it; None when its scope already has an active one.

    Another evaluation of the same campaign that did not take the campaign lock (none should)
    would trip the unique index; the savepoint keeps the caller's transaction usable.
    """
    alert.opened_at, alert.last_evaluated_at = now, now
    alert.due_at = now + dt.timedelta(hours=RESPONSE_HOURS)
    try:
        with transaction.atomic():
            alert.save()
    except IntegrityError:
        logger.warning("%s on campaign %s already open", what, alert.campaign_id)
        return None
    audit_record(actor=None, verb="alert.opened", obj=alert, campaign=alert.campaign, after=snapshot(alert))
    return alert


# --- budget alerts --------------------------------------------------------------------------------

BUDGET_TOTAL = "total"  # the subject of the whole budget's alert; categories use their key
BUDGET_TITLE = gettext_lazy("Overspent: %(category)s of %(campaign)s")
BUDGET_BODY = gettext_lazy(
    "Recorded expenses in “%(category)s” reach %(observed)s against a budget of %(expected)s. "
    "The project manager records a response plan within %(hours)s hours, or the alert goes to the "
    "department head and management."
)


def budget_alerts_sync(*, campaign: Campaign, budget, actor=None) -> list[Alert]:
    """expenses hook, inside the writing transaction: keep one alert per budget category, and the
    total, whose recorded spend passes its budget (seed 002: 预算控制).

    A category newly over budget opens an alert (24 hours to answer, escalated like any other)
    and tells the owner, the project managers and finance; an active alert follows the figures
    and says when its category is back within budget. A resolved alert stays resolved unless
    spend grows past what it was resolved at. Returns the alerts opened.
    """
    rows = [*budget.categories, budget.total]
    active = {
        alert.subject: alert
        for alert in Alert.objects.select_for_update(of=("self",)).filter(
            campaign=campaign, source=Source.BUDGET, status__in=ACTIVE_STATUSES
        )
    }
    now, day = timezone.now(), timezone.localdate()
    opened = []
    for row in rows:
        alert = active.get(row.category)
        if alert is not None:
            _refresh(alert, day, row.actual, row.budget, row.overspent, now)
        elif row.overspent and not _budget_dealt_with(campaign, row):
            alert = _open_budget(campaign, row, day, now)
            if alert is not None:
                opened.append(alert)
    return opened


def _budget_dealt_with(campaign: Campaign, row) -> bool:
    """A resolved alert on this category at the same spend or more: nothing new to say."""
    return Alert.objects.filter(
        campaign=campaign, source=Source.BUDGET, subject=row.category, observed__gte=row.actual
    ).exists()


def _open_budget(campaign: Campaign, row, day, now) -> Alert | None:
    alert = Alert(
        rule=None,
        source=Source.BUDGET,
        subject=row.category,
        campaign=campaign,
        metric="cost",
        condition=Condition.ABOVE_ABSOLUTE,
        threshold=row.budget,
        window=Window.TO_DATE,
        severity=Severity.CRITICAL if row.category == BUDGET_TOTAL else Severity.WARNING,
        day=day,
        observed=row.actual,
        expected=row.budget,
    )
    if _insert(alert, now, f"budget alert {row.category}") is None:
        return None
    notify(
        event="budget.overspent",
        recipients=[*permissions.responders(campaign), *permissions.finance_people()],
        title=BUDGET_TITLE,
        body=BUDGET_BODY,
        params={**_params(alert, _definition(alert)), "category": lazy(lambda: alert.subject_label, str)()},
        campaign=campaign,
        url=_url(alert),
    )
    return alert


# --- notifications ------------------------------------------------------------------------------------


def _lazy_name(definition: MetricDefinition):
    """The metric's name rendered in each recipient's language."""
    return lazy(lambda: definition.name, str)()


def _shown(value, definition: MetricDefinition) -> str:
    from campaignflow.metrics.templatetags.metrics_ui import metric_value

    return metric_value(value, definition.unit, definition.key)


def _params(alert: Alert, definition: MetricDefinition) -> dict:
    return {
        "campaign": alert.campaign.name,
        "metric": _lazy_name(definition),
        "channel": alert.channel.name if alert.channel_id else gettext_lazy("all channels"),
        "observed": _shown(alert.observed, definition),
        "expected": _shown(alert.expected, definition),
        "day": alert.day.isoformat(),
        "rule": lazy(lambda: alert.label, str)(),
        "hours": RESPONSE_HOURS,
    }


def _url(alert: Alert) -> str:
    return reverse("alerts:campaign", args=[alert.campaign_id]) + f"#alert-{alert.pk}"


def _definition(alert: Alert) -> MetricDefinition:
    return MetricDefinition.objects.filter(key=alert.metric).first() or MetricDefinition(
        key=alert.metric, name_en=alert.metric, formula=alert.metric
    )


def _notify_opened(alert: Alert, definition: MetricDefinition) -> None:
    notify(
        event="alert.opened",
        recipients=permissions.responders(alert.campaign),
        title=gettext_lazy("Alert on %(campaign)s: %(metric)s (%(channel)s)"),
        body=gettext_lazy(
            "%(rule)s — observed %(observed)s against %(expected)s on %(day)s. "
            "The project manager records a response plan within %(hours)s hours, or the alert "
            "goes to the department head and management."
        ),
        params=_params(alert, definition),
        campaign=alert.campaign,
        url=_url(alert),
    )


# --- answering an alert ------------------------------------------------------------------------------


def _locked(alert: Alert, actor, action: str) -> Alert:
    if not permissions.can_view_alerts(actor, alert.campaign):
        raise NotFound(_("Alert not found."))
    if not permissions.can_respond(actor, alert.campaign):
        raise Forbidden(_("Only the campaign's project managers and owner answer its alerts."))
    # Lock before reading the status: an acknowledgement and a resolution racing must not both win.
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    locked.campaign = alert.campaign
    if (locked.status, action) not in TRANSITIONS:
        raise Conflict(
            _("This alert is %(status)s; it cannot be %(action)s.")
            % {
                "status": locked.get_status_display().lower(),
                "action": _("acknowledged") if action == "acknowledge" else _("resolved"),
            },
            code="wrong_state",
        )
    return locked


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor, response_plan: str) -> Alert:
    """Record the response plan (required): the alert is answered and will not escalate.

    The campaign owner is told, and so are the people it was escalated to, if it was.
    """
    plan = (response_plan or "").strip()
    locked = _locked(alert, actor, "acknowledge")
    if not plan:
        raise ValidationFailed(
            _("Write the response plan: what will be done about this alert, by whom and by when."),
            [FieldError("response_plan", _("A response plan is required."))],
        )
    if len(plan) > PLAN_MAX:
        message = _("Ensure this value has at most %(max)d characters.") % {"max": PLAN_MAX}
        raise ValidationFailed(message, [FieldError("response_plan", message)])
    before = snapshot(locked, fields=["status", "response_plan"])
    now = timezone.now()
    locked.status = AlertStatus.ACKNOWLEDGED
    locked.response_plan, locked.acknowledged_by, locked.acknowledged_at = plan, actor, now
    locked.save(update_fields=["status", "response_plan", "acknowledged_by", "acknowledged_at"])
    audit_record(
        actor=actor,
        verb="alert.acknowledged",
        obj=locked,
        campaign=locked.campaign,
        before=before,
        after=snapshot(locked, fields=["status", "response_plan"]),
    )
    recipients = [locked.campaign.owner]
    if locked.is_escalated:
        recipients += list(permissions.escalation_recipients(locked.campaign))
    definition = _definition(locked)
    notify(
        event="alert.acknowledged",
        recipients=recipients,
        title=gettext_lazy("Response plan recorded for the %(metric)s alert on %(campaign)s"),
        body=gettext_lazy("%(plan)s"),
        params={**_params(locked, definition), "plan": plan},
        campaign=locked.campaign,
        url=_url(locked),
        actor=actor,
    )
    return locked


@transaction.atomic
def alert_resolve(*, alert: Alert, actor, note: str = "") -> Alert:
    """Close the alert, with an optional note on what was done. Nobody is notified."""
    note = (note or "").strip()
    locked = _locked(alert, actor, "resolve")
    if len(note) > NOTE_MAX:
        message = _("Ensure this value has at most %(max)d characters.") % {"max": NOTE_MAX}
        raise ValidationFailed(message, [FieldError("note", message)])
    before = snapshot(locked, fields=["status"])
    locked.status = AlertStatus.RESOLVED
    locked.resolution_note, locked.resolved_by, locked.resolved_at = note, actor, timezone.now()
    locked.save(update_fields=["status", "resolution_note", "resolved_by", "resolved_at"])
    audit_record(
        actor=actor,
        verb="alert.resolved",
        obj=locked,
        campaign=locked.campaign,
        before=before,
        after=snapshot(locked, fields=["status", "resolution_note"]),
        comment=note[:200],
    )
    return locked


# --- escalation -------------------------------------------------------------------------------------


def alerts_escalate_overdue(*, now: dt.datetime | None = None) -> list[int]:
    """Escalate every open alert past its due time: heads of the campaign's department and
    management are told, once per alert and level. Returns the ids escalated."""
    now = now or timezone.now()
    due = list(
        Alert.objects.filter(status=AlertStatus.OPEN, due_at__lte=now, escalation_level__lt=ESCALATION_LEVEL)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)
    )
    escalated = []
    for pk in due:
        try:
            if alert_escalate(alert_id=pk, now=now):
                escalated.append(pk)
        except Exception:  # one broken alert must not stop the sweep of the others
            logger.exception("could not escalate alert %s", pk)
    return escalated


@transaction.atomic
def alert_escalate(*, alert_id: int, now: dt.datetime | None = None) -> bool:
    """Escalate one overdue open alert; False when it was answered or escalated meanwhile."""
    now = now or timezone.now()
    alert = (
        Alert.objects.select_for_update(of=("self",))
        .select_related("campaign", "channel", "rule")
        .filter(pk=alert_id)
        .first()
    )
    if (
        alert is None
        or alert.status != AlertStatus.OPEN
        or alert.due_at > now
        or alert.escalation_level >= ESCALATION_LEVEL
    ):
        return False
    before = snapshot(alert, fields=["escalation_level", "escalated_at"])
    alert.escalation_level, alert.escalated_at = ESCALATION_LEVEL, now
    alert.save(update_fields=["escalation_level", "escalated_at"])
    audit_record(
        actor=None,
        verb="alert.escalated",
        obj=alert,
        campaign=alert.campaign,
        before=before,
        after=snapshot(alert, fields=["escalation_level", "escalated_at"]),
    )
    definition = _definition(alert)
    notify_once(
        key=f"alert.escalated:{alert.pk}:{ESCALATION_LEVEL}",
        event="alert.escalated",
        recipients=permissions.escalation_recipients(alert.campaign),
        title=gettext_lazy("Unanswered for %(hours)s hours: %(metric)s alert on %(campaign)s"),
        body=gettext_lazy(
            "%(rule)s — observed %(observed)s against %(expected)s on %(day)s (%(channel)s). "
            "No response plan was recorded within %(hours)s hours."
        ),
        params=_params(alert, definition),
        campaign=alert.campaign,
        url=_url(alert),
    )
    return True


# --- after data changes ---------------------------------------------------------------------------


def after_import(*, campaign: Campaign, actor=None, result=None) -> None:
    """metrics.services hook, inside the writing transaction: evaluate once the data is committed.

    The evaluation sums the whole campaign, too slow to hold the import's transaction and lock
    for; the job runs it after commit (inline under tests and CAMPAIGNFLOW_HUEY_IMMEDIATE), and
    should enqueueing fail the hourly evaluation catches up.
    """
    if campaign.status not in LIVE_STATUSES:
        return
    transaction.on_commit(partial(_enqueue_evaluation, campaign.pk), robust=True)


def _enqueue_evaluation(campaign_id: int) -> None:
    from . import tasks

    tasks.evaluate_campaign(campaign_id)


def evaluate_campaign_by_id(campaign_id: int) -> Evaluation | None:
    """The job's work: evaluate one campaign if it is still live."""
    campaign = Campaign.objects.filter(pk=campaign_id, status__in=LIVE_STATUSES).first()
    if campaign is None:
        return None
    return alerts_evaluate(campaign=campaign)


def evaluate_live_campaigns(*, now: dt.datetime | None = None) -> int:
    """Evaluate every live campaign (the worker's hourly sweep); returns how many alerts opened."""
    opened = 0
    for pk in Campaign.objects.filter(status__in=LIVE_STATUSES).order_by("pk").values_list("pk", flat=True):
        try:
            opened += len(alerts_evaluate(campaign=Campaign(pk=pk), now=now).opened)
        except Exception:  # one campaign's broken data must not stop the others' alerts
            logger.exception("could not evaluate alerts of campaign %s", pk)
    return opened
