"""API routes of the notifications app: the user's notifications, e-mail preferences and webhooks.

Routes parse input, call one service or selector and render; who may do what lives in
permissions.py and the services, shared with the web pages. Webhook URLs and secrets are
write-only: they come back masked.
"""

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from campaignflow.campaigns import selectors as campaign_selectors
from campaignflow.core.errors import NotFound

from . import permissions, selectors, services
from .schemas import (
    MAX_ID,
    NotificationFilters,
    NotificationOut,
    PreferencesIn,
    PreferencesOut,
    ReadAllOut,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
    WebhookTestOut,
)

router = Router(tags=["notifications"])


def _campaign(request, campaign_id: int):
    if campaign_id > MAX_ID:
        raise NotFound(_("Campaign not found."))
    return campaign_selectors.campaign_get(user=request.user, pk=campaign_id)


def _webhook_data(payload) -> dict:
    data = payload.dict(exclude_unset=True)
    if "kind" in data and data["kind"] is not None:
        data["kind"] = getattr(data["kind"], "value", data["kind"])
    return data


# --- notifications ---------------------------------------------------------------------------------


@router.get("/notifications", response=list[NotificationOut])
def list_notifications(request, filters: Query[NotificationFilters]):
    """The user's notifications, newest first; `unread=true` for the unread ones only."""
    qs = selectors.notification_list(user=request.user, unread=filters.unread)
    return qs[filters.offset : filters.offset + filters.limit]


@router.post("/notifications/read-all", response=ReadAllOut)
def read_all_notifications(request):
    """Mark every unread notification of the user read."""
    return {"updated": services.notifications_mark_all_read(user=request.user)}


@router.post("/notifications/{int:notification_id}/read", response=NotificationOut)
def read_notification(request, notification_id: int):
    """Mark one notification read; someone else's is a 404."""
    if notification_id > MAX_ID:
        raise NotFound(_("Notification not found."))
    return services.notification_mark_read(user=request.user, notification_id=notification_id)


# --- e-mail preferences ------------------------------------------------------------------------------


@router.get("/me/notification-settings", response=PreferencesOut)
def get_preferences(request):
    """The events the user gets no e-mail for (every other event is e-mailed)."""
    return {"email_off": selectors.preference_for(user=request.user).email_off}


@router.put("/me/notification-settings", response=PreferencesOut)
def put_preferences(request, payload: PreferencesIn):
    preference = services.preferences_update(user=request.user, email_off=payload.email_off)
    return {"email_off": preference.email_off}


# --- webhooks ------------------------------------------------------------------------------------------


@router.get("/campaigns/{int:campaign_id}/webhooks", response=list[WebhookOut])
def list_campaign_webhooks(request, campaign_id: int):
    """The campaign's team chat webhooks; for its owner, project managers and administrators."""
    campaign = _campaign(request, campaign_id)
    permissions.require_campaign_manager(request.user, campaign)
    return selectors.campaign_webhooks(campaign=campaign)


@router.post("/campaigns/{int:campaign_id}/webhooks", response={201: WebhookOut})
def create_campaign_webhook(request, campaign_id: int, payload: WebhookIn):
    campaign = _campaign(request, campaign_id)
    return Status(
        201, services.webhook_create(actor=request.user, campaign=campaign, data=_webhook_data(payload))
    )


@router.get("/me/webhooks", response=list[WebhookOut])
def list_my_webhooks(request):
    """The user's personal webhooks: events that concern them, posted to their own chat or endpoint."""
    return selectors.personal_webhooks(user=request.user)


@router.post("/me/webhooks", response={201: WebhookOut})
def create_my_webhook(request, payload: WebhookIn):
    return Status(201, services.webhook_create(actor=request.user, data=_webhook_data(payload)))


@router.get("/webhooks/{int:webhook_id}", response=WebhookOut)
def get_webhook(request, webhook_id: int):
    webhook = selectors.webhook_get(user=request.user, pk=webhook_id)
    permissions.require_webhook_manager(request.user, webhook)
    return webhook


@router.patch("/webhooks/{int:webhook_id}", response=WebhookOut)
def update_webhook(request, webhook_id: int, payload: WebhookPatch):
    """Change the fields sent. `secret`: a new value replaces it, "" removes it, absent keeps it."""
    webhook = selectors.webhook_get(user=request.user, pk=webhook_id)
    return services.webhook_update(actor=request.user, webhook=webhook, data=_webhook_data(payload))


@router.delete("/webhooks/{int:webhook_id}", response={204: None})
def delete_webhook(request, webhook_id: int):
    webhook = selectors.webhook_get(user=request.user, pk=webhook_id)
    services.webhook_delete(actor=request.user, webhook=webhook)
    return Status(204, None)


@router.post("/webhooks/{int:webhook_id}/test", response=WebhookTestOut)
def test_webhook(request, webhook_id: int):
    """Send a test message now and report whether the receiver accepted it."""
    webhook = selectors.webhook_get(user=request.user, pk=webhook_id)
    outcome = services.webhook_test(actor=request.user, webhook=webhook)
    return {"ok": outcome.ok, "error": outcome.error}
