"""The bell in the top bar and display helpers for notification pages."""

from __future__ import annotations

from django import template

from campaignflow.notifications.choices import Event, WebhookKind
from campaignflow.notifications.services import mask_secret, mask_url

register = template.Library()


@register.inclusion_tag("notifications/partials/bell.html")
def notification_bell():
    """The bell for the top bar. It costs the page no query: htmx fetches the unread count after load."""
    return {"count": None}


@register.filter
def event_label(key: str) -> str:
    try:
        return Event(key).label
    except ValueError:
        return key


@register.filter
def kind_label(key: str) -> str:
    try:
        return WebhookKind(key).label
    except ValueError:
        return key


@register.filter
def masked_url(url: str) -> str:
    return mask_url(url)


@register.filter
def masked_secret(secret: str) -> str:
    return mask_secret(secret)
