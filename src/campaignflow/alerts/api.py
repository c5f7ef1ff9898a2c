"""API routes of the alerts app: alerts (list, acknowledge, resolve) and alert rules (DESIGN §5).

Routes parse input, resolve ids, call one service or selector and render; the rules live in
services.py, selectors.py and permissions.py, shared with the web pages.

No `from __future__ import annotations`: Ninja reads the parameter annotations at import time.
"""

from django.utils.translation import gettext as _
from ninja import Query, Router

from campaignflow.campaigns import selectors as campaign_selectors
from campaignflow.campaigns.models import Campaign
from campaignflow.campaigns.schemas import MAX_ID
from campaignflow.core.errors import NotFound, field_error

from . import selectors, services
from .choices import AlertStatus
from .models import Alert, AlertRule
from .schemas import AcknowledgeIn, AlertOut, AlertRuleIn, AlertRuleOut, AlertRulePatch, ResolveIn

router = Router(tags=["alerts"])

CAMPAIGN = "/campaigns/{int:campaign_id}"
STATUSES = (selectors.ACTIVE, *AlertStatus.values)


def _campaign(request, campaign_id: int) -> Campaign:
    if campaign_id > MAX_ID:
        raise NotFound(_("Campaign not found."))
    return campaign_selectors.campaign_get(user=request.user, pk=campaign_id)


def _alert(request, alert_id: int) -> Alert:
    if alert_id > MAX_ID:
        raise NotFound(_("Alert not found."))
    return selectors.with_definitions([selectors.alert_get(user=request.user, pk=alert_id)])[0]


def _rule(request, rule_id: int) -> AlertRule:
    if rule_id > MAX_ID:
        raise NotFound(_("Alert rule not found."))
    return selectors.rule_get(user=request.user, pk=rule_id)


def _status(status: str | None) -> str | None:
    if status and status not in STATUSES:
        raise field_error(
            "status",
            _("Unknown status “%(status)s”; choose from %(choices)s.")
            % {"status": status, "choices": ", ".join(STATUSES)},
        )
    return status or None


def _rule_data(payload, *, exclude_unset: bool = False) -> dict:
    data = payload.dict(exclude_unset=exclude_unset)
    return {key: getattr(value, "value", value) for key, value in data.items()}


# --- alerts -----------------------------------------------------------------------------------------


@router.get("/alerts", response=list[AlertOut])
def list_alerts(
    request,
    status: str | None = Query(None, max_length=20, description="open, acknowledged, resolved or active"),
    campaign: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_ID),
):
    """Alerts of the campaigns you may see, open ones first by due time."""
    scope = _campaign(request, campaign) if campaign else None
    alerts = selectors.alert_list(user=request.user, status=_status(status), campaign=scope)
    return selectors.with_definitions(alerts[offset : offset + limit])


@router.get("/alerts/{int:alert_id}", response=AlertOut)
def get_alert(request, alert_id: int):
    return _alert(request, alert_id)


@router.post("/alerts/{int:alert_id}/acknowledge", response=AlertOut)
def acknowledge_alert(request, alert_id: int, payload: AcknowledgeIn):
    """Record the response plan (required, the campaign's PMs and owner); the alert will not escalate."""
    alert = services.alert_acknowledge(
        alert=_alert(request, alert_id), actor=request.user, response_plan=payload.response_plan
    )
    return _alert(request, alert.pk)


@router.post("/alerts/{int:alert_id}/resolve", response=AlertOut)
def resolve_alert(request, alert_id: int, payload: ResolveIn | None = None):
    """Close the alert, with an optional note."""
    note = payload.note if payload is not None else ""
    alert = services.alert_resolve(alert=_alert(request, alert_id), actor=request.user, note=note)
    return _alert(request, alert.pk)


@router.get(f"{CAMPAIGN}/alerts", response=list[AlertOut])
def list_campaign_alerts(request, campaign_id: int, status: str | None = Query(None, max_length=20)):
    campaign = _campaign(request, campaign_id)
    alerts = selectors.alert_list(user=request.user, status=_status(status), campaign=campaign)
    return selectors.with_definitions(alerts)


# --- rules --------------------------------------------------------------------------------------------


@router.get(f"{CAMPAIGN}/alert-rules", response=list[AlertRuleOut], tags=["alert rules"])
def list_campaign_rules(request, campaign_id: int):
    """The rules that judge this campaign: the organization's defaults, then its own."""
    campaign = _campaign(request, campaign_id)
    return selectors.with_definitions(selectors.campaign_rules(campaign=campaign))


@router.post(f"{CAMPAIGN}/alert-rules", response={201: AlertRuleOut}, tags=["alert rules"])
def create_campaign_rule(request, campaign_id: int, payload: AlertRuleIn):
    """Add a rule for this campaign (its PMs and owner, data analysts, administrators)."""
    campaign = _campaign(request, campaign_id)
    return services.alert_rule_create(actor=request.user, campaign=campaign, data=_rule_data(payload))


@router.get("/alert-rules", response=list[AlertRuleOut], tags=["alert rules"])
def list_org_rules(request):
    """The organization's default rules, which judge every live campaign."""
    return selectors.with_definitions(selectors.org_rules())


@router.post("/alert-rules", response={201: AlertRuleOut}, tags=["alert rules"])
def create_org_rule(request, payload: AlertRuleIn):
    """Add an organization default rule (data analysts and administrators)."""
    return services.alert_rule_create(actor=request.user, campaign=None, data=_rule_data(payload))


@router.get("/alert-rules/{int:rule_id}", response=AlertRuleOut, tags=["alert rules"])
def get_rule(request, rule_id: int):
    return _rule(request, rule_id)


@router.patch("/alert-rules/{int:rule_id}", response=AlertRuleOut, tags=["alert rules"])
def update_rule(request, rule_id: int, payload: AlertRulePatch):
    """Change a rule; `active: false` disables it. Open alerts keep the values they opened with."""
    data = _rule_data(payload, exclude_unset=True)
    for name in ("metric", "condition", "threshold", "window", "severity", "active"):
        if name in data and data[name] is None:
            raise field_error(name, _("This field may not be empty."))
    return services.alert_rule_update(actor=request.user, rule=_rule(request, rule_id), data=data)


@router.delete("/alert-rules/{int:rule_id}", response={204: None}, tags=["alert rules"])
def delete_rule(request, rule_id: int):
    """Remove a rule that never raised an alert (409 otherwise: disable it instead)."""
    services.alert_rule_delete(actor=request.user, rule=_rule(request, rule_id))
