"""Who may manage which webhooks and read which notifications. API and web UI ask these functions.

A campaign's team chat webhooks are managed by the people who run the campaign (owner, project
managers) and administrators; members who may see the campaign are refused (403), others do not
see it at all (404). A personal webhook exists only for its owner.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from campaignflow.accounts.choices import OrgRole
from campaignflow.campaigns import permissions as campaign_permissions
from campaignflow.core.errors import Forbidden, NotFound

from .models import Webhook


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_manage_campaign_webhooks(user, campaign) -> bool:
    if not _active(user):
        return False
    return (
        user.has_role(OrgRole.ADMIN)
        or campaign_permissions.member_role(user, campaign) in campaign_permissions.RUNNERS
    )


def can_see_webhook(user, webhook: Webhook) -> bool:
    """Whether the webhook exists for this user at all (otherwise: 404)."""
    if not _active(user):
        return False
    if webhook.user_id is not None:
        return webhook.user_id == user.pk
    return campaign_permissions.can_view(user, webhook.campaign)


def can_manage_webhook(user, webhook: Webhook) -> bool:
    if not can_see_webhook(user, webhook):
        return False
    if webhook.user_id is not None:
        return True
    return can_manage_campaign_webhooks(user, webhook.campaign)


def require_campaign_manager(user, campaign) -> None:
    """NotFound for a campaign the user cannot see, Forbidden for one whose webhooks they may not manage."""
    if not campaign_permissions.can_view(user, campaign):
        raise NotFound(_("Campaign not found."))
    if not can_manage_campaign_webhooks(user, campaign):
        raise Forbidden(_("Only the campaign owner and project managers may manage its webhooks."))


def require_webhook_manager(user, webhook: Webhook) -> None:
    if not can_see_webhook(user, webhook):
        raise NotFound(_("Webhook not found."))
    if not can_manage_webhook(user, webhook):
        raise Forbidden(_("Only the campaign owner and project managers may manage its webhooks."))
