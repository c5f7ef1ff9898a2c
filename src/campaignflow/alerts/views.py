"""Web pages of the alerts app: the alerts list, a campaign's Alerts tab and the rules pages.

Views parse input with forms, call one selector or service and render; htmx requests get the
alert or rule partial back from the same views. Errors come from the services through
campaignflow.web.errors.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from campaignflow.campaigns import selectors as campaign_selectors
from campaignflow.web.errors import call_service, web_view

from . import permissions, selectors, services
from .choices import AlertStatus
from .forms import AcknowledgeForm, AlertRuleForm
from .models import Alert, AlertRule

# The most urgent first; rendering an alert costs ~2-3 ms, so 200 of them took most of a second
# (docs/deployment.md, "Performance and limits"). The page says how many more there are.
LIST_LIMIT = 50
FILTERS = (
    (selectors.ACTIVE, gettext_lazy("Active")),
    (AlertStatus.OPEN, AlertStatus.OPEN.label),
    (AlertStatus.ACKNOWLEDGED, AlertStatus.ACKNOWLEDGED.label),
    (AlertStatus.RESOLVED, AlertStatus.RESOLVED.label),
    ("all", gettext_lazy("All")),
)


def _decorate(alerts, user) -> list[Alert]:
    """Attach the metric definitions, whether the user may answer, and how due each alert is."""
    alerts = selectors.with_definitions(alerts)
    campaign_selectors.prime_member_roles(user, [alert.campaign for alert in alerts])
    now = timezone.now()
    answerable: dict[int, bool] = {}
    for alert in alerts:
        if alert.campaign_id not in answerable:
            answerable[alert.campaign_id] = permissions.can_respond(user, alert.campaign)
        alert.can_respond = answerable[alert.campaign_id] and alert.is_active
        alert.overdue = alert.status == AlertStatus.OPEN and alert.due_at <= now
        alert.now = now
    return alerts


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# --- alerts -------------------------------------------------------------------------------------------


@web_view
def alert_list(request: HttpRequest) -> HttpResponse:
    """Every alert the user may see, filtered by status (active ones by default)."""
    status = request.GET.get("status") or selectors.ACTIVE
    if status not in dict(FILTERS):
        status = selectors.ACTIVE
    alerts = selectors.alert_list(user=request.user, status=None if status == "all" else status)
    context = {
        "alerts": _decorate(alerts[:LIST_LIMIT], request.user),
        "alerts_total": alerts.count(),
        "status": status,
        "filters": FILTERS,
        "show_campaign": True,
        "can_manage_org_rules": permissions.can_manage_org_rules(request.user),
    }
    return render(request, "alerts/list.html", context)


def _alert_response(request: HttpRequest, alert: Alert, *, form=None, error=None) -> HttpResponse:
    """The alert's partial for htmx (with the form's errors), else back to the page it came from."""
    if request.htmx:
        alert = selectors.alert_get(user=request.user, pk=alert.pk)
        context = {
            "alert": _decorate([alert], request.user)[0],
            "ack_form": form,
            "error": error,
            "show_campaign": request.POST.get("show_campaign") == "1",
            "next": _back(request, ""),
        }
        return render(
            request, "alerts/partials/alert_item.html", context, status=error.status if error else 200
        )
    if error is not None:
        messages.error(request, error.detail)
    return redirect(_back(request, reverse("alerts:campaign", args=[alert.campaign_id])))


@require_POST
@web_view
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_get(user=request.user, pk=pk)
    form = AcknowledgeForm(request.POST)
    outcome = call_service(
        services.alert_acknowledge,
        form=form,
        alert=alert,
        actor=request.user,
        response_plan=form.data.get("response_plan", ""),
    )
    if outcome.ok and not request.htmx:
        messages.success(request, _("The response plan is recorded."))
    return _alert_response(request, alert, form=form if not outcome.ok else None, error=outcome.error)


@require_POST
@web_view
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_get(user=request.user, pk=pk)
    outcome = call_service(
        services.alert_resolve, alert=alert, actor=request.user, note=request.POST.get("note", "")
    )
    if outcome.ok and not request.htmx:
        messages.success(request, _("The alert is resolved."))
    return _alert_response(request, alert, error=outcome.error)


# --- a campaign's Alerts tab ------------------------------------------------------------------------


def _rules(user, rules) -> list[AlertRule]:
    rules = selectors.with_definitions(rules)
    for rule in rules:
        rule.can_manage = permissions.can_manage_rule(user, rule)
    return rules


@web_view
def campaign_alerts(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the campaign's alerts and the rules that judge it. POST: add a campaign rule."""
    campaign = campaign_selectors.campaign_get(user=request.user, pk=pk)
    can_manage = permissions.can_manage_campaign_rules(request.user, campaign)
    form, error = None, None
    if can_manage:
        form = AlertRuleForm(request.POST if request.method == "POST" else None, prefix="rule")
    if request.method == "POST":
        if form is None:
            return _forbidden_rules(request)
        outcome = call_service(
            services.alert_rule_create,
            form=form,
            actor=request.user,
            campaign=campaign,
            data=_form_data(form),
        )
        if outcome.ok:
            messages.success(request, _("Alert rule “%(rule)s” added.") % {"rule": outcome.value.label})
            return redirect(reverse("alerts:campaign", args=[campaign.pk]) + "#rules")
        error = outcome.error
    alerts = selectors.alert_list(user=request.user, campaign=campaign)
    context = {
        "campaign": campaign,
        "alerts": _decorate(alerts, request.user),
        "rules": _rules(request.user, selectors.campaign_rules(campaign=campaign)),
        "can_manage": can_manage,
        "form": form,
        "error": error,
        "show_campaign": False,
    }
    return render(request, "alerts/campaign.html", context, status=error.status if error else 200)


def _form_data(form: AlertRuleForm) -> dict:
    return form.service_data() if form.is_valid() else {}


def _forbidden_rules(request: HttpRequest) -> HttpResponse:
    from campaignflow.core.errors import Forbidden
    from campaignflow.web.errors import render_error

    return render_error(request, Forbidden(_("You may not manage these alert rules.")))


# --- rules ------------------------------------------------------------------------------------------


@web_view
def org_rules(request: HttpRequest) -> HttpResponse:
    """GET: the organization's default rules. POST: add one (data analysts and administrators)."""
    can_manage = permissions.can_manage_org_rules(request.user)
    form, error = None, None
    if can_manage:
        form = AlertRuleForm(request.POST if request.method == "POST" else None, prefix="rule")
    if request.method == "POST":
        if form is None:
            return _forbidden_rules(request)
        outcome = call_service(
            services.alert_rule_create, form=form, actor=request.user, campaign=None, data=_form_data(form)
        )
        if outcome.ok:
            messages.success(request, _("Alert rule “%(rule)s” added.") % {"rule": outcome.value.label})
            return redirect("alerts:rules")
        error = outcome.error
    context = {
        "rules": _rules(request.user, selectors.org_rules()),
        "can_manage": can_manage,
        "form": form,
        "error": error,
    }
    return render(request, "alerts/rules.html", context, status=error.status if error else 200)


def _rule_home(rule: AlertRule) -> str:
    if rule.campaign_id is None:
        return reverse("alerts:rules")
    return reverse("alerts:campaign", args=[rule.campaign_id]) + "#rules"


@web_view
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.rule_get(user=request.user, pk=pk)
    if not permissions.can_manage_rule(request.user, rule):
        return _forbidden_rules(request)
    form = AlertRuleForm(request.POST if request.method == "POST" else None, instance=rule, prefix="rule")
    error = None
    if request.method == "POST":
        outcome = call_service(
            services.alert_rule_update, form=form, actor=request.user, rule=rule, data=_form_data(form)
        )
        if outcome.ok:
            messages.success(request, _("Alert rule “%(rule)s” saved.") % {"rule": outcome.value.label})
            return redirect(_rule_home(rule))
        error = outcome.error
    context = {"rule": rule, "form": form, "error": error, "back": _rule_home(rule)}
    return render(request, "alerts/rule_edit.html", context, status=error.status if error else 200)


@require_POST
@web_view
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Enable or disable a rule; htmx gets the rule's row back."""
    rule = selectors.rule_get(user=request.user, pk=pk)
    outcome = call_service(
        services.alert_rule_update, actor=request.user, rule=rule, data={"active": not rule.active}
    )
    if not request.htmx:
        if outcome.error:
            messages.error(request, outcome.error.detail)
        return redirect(_rule_home(rule))
    rule = selectors.rule_get(user=request.user, pk=pk)
    context = {"rule": _rules(request.user, [rule])[0], "error": outcome.error, "campaign": rule.campaign}
    return render(request, "alerts/partials/rule_row.html", context, status=outcome.status)
