"""Checks every execution service makes, in the order of DESIGN §5: 404, 403, 409, 422."""

from __future__ import annotations

from django.utils.translation import gettext as _

from campaignflow.campaigns.models import Campaign, CampaignMember
from campaignflow.campaigns.services import _validate as validate_model  # one model-validation rule
from campaignflow.core.errors import Conflict, Forbidden, NotFound, field_error

from .. import permissions
from ..choices import LOCKED_CAMPAIGN_STATUSES

__all__ = [
    "lock",
    "require_manager",
    "require_member",
    "require_open",
    "require_view",
    "validate_model",
]


def lock(campaign: Campaign) -> Campaign:
    """Re-read the campaign holding its row lock: task writes of one campaign serialise, so two
    people adding dependencies at once cannot each pass the cycle check and together make a cycle.
    (On SQLite the IMMEDIATE transaction holds the database write lock from BEGIN.)"""
    return Campaign.objects.select_for_update().select_related("department", "owner").get(pk=campaign.pk)


def require_view(actor, campaign: Campaign) -> None:
    if not permissions.can_view(actor, campaign):
        raise NotFound(_("Campaign not found."))


def require_manager(actor, campaign: Campaign) -> None:
    require_view(actor, campaign)
    if not permissions.can_manage_tasks(actor, campaign):
        raise Forbidden(_("Only the campaign owner and project managers may manage tasks."))


def require_open(campaign: Campaign) -> None:
    if campaign.status in LOCKED_CAMPAIGN_STATUSES:
        raise Conflict(
            _("Tasks, meetings and the log are closed: this campaign is %(status)s.")
            % {"status": campaign.get_status_display()},
            code="campaign_closed",
        )


def require_member(campaign: Campaign, user, field: str) -> None:
    """People given work in a campaign must be on its team (422 naming the field otherwise)."""
    if user is None or not user.is_active:
        raise field_error(field, _("Choose an active user."))
    if not CampaignMember.objects.filter(campaign=campaign, user=user).exists():
        raise field_error(
            field,
            _("%(user)s is not on the campaign team; add them as a member first.") % {"user": user},
        )
