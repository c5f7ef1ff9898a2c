"""Reads of notifications, preferences and webhooks, shared by the API, the web pages and the bell."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from campaignflow.core.errors import NotFound

from . import permissions
from .models import Notification, NotificationPreference, Webhook

MAX_ID = 2**63 - 1


def notification_list(*, user, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's notifications, newest first; `unread` True/False filters, None gives all."""
    qs = Notification.objects.filter(recipient=user).select_related("campaign")
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs.order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    if not (user and user.is_authenticated):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def preference_for(*, user) -> NotificationPreference:
    """The user's preferences; an unsaved default (every e-mail on) until they change something."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


def campaign_webhooks(*, campaign) -> QuerySet[Webhook]:
    return Webhook.objects.filter(campaign=campaign).order_by("name", "id")


def personal_webhooks(*, user) -> QuerySet[Webhook]:
    return Webhook.objects.filter(user=user).order_by("name", "id")


def webhook_get(*, user, pk) -> Webhook:
    """A webhook this user may see (their own, or one of a campaign they see), else NotFound."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    webhook = None
    if 0 < pk <= MAX_ID:
        webhook = Webhook.objects.select_related("campaign").filter(pk=pk).first()
    if webhook is None or not permissions.can_see_webhook(user, webhook):
        raise NotFound(_("Webhook not found."))
    return webhook
