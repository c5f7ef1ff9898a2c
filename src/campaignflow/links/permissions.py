"""Who may do what with tracked links. The API, the web UI and the CLI all ask these functions.

Links follow the campaign's visibility (a campaign one may not see is missing, 404). The people
who run the campaign (owner, project managers, administrators: campaigns.permissions.can_run) and
data analysts create and change its links; everyone else who sees the campaign reads them. The
organization's UTM naming rules and the postback secret belong to administrators and data analysts.
"""

from __future__ import annotations

from campaignflow.accounts.choices import OrgRole
from campaignflow.campaigns import permissions as campaign_permissions
from campaignflow.campaigns.choices import CampaignStatus

SETTINGS_MANAGERS = (OrgRole.ADMIN, OrgRole.DATA_ANALYST)
# A finished campaign's links keep redirecting but no longer change.
FROZEN_STATUSES = (CampaignStatus.ARCHIVED, CampaignStatus.CANCELLED)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_view_links(user, campaign) -> bool:
    return campaign_permissions.can_view(user, campaign)


def can_manage_links(user, campaign) -> bool:
    """Owner, project managers, administrators and data analysts who see the campaign."""
    if not campaign_permissions.can_view(user, campaign):
        return False
    return user.has_role(OrgRole.DATA_ANALYST) or campaign_permissions.can_run(user, campaign)


def can_manage_settings(user) -> bool:
    return _active(user) and any(user.has_role(role) for role in SETTINGS_MANAGERS)


def has_links_tab(user, campaign) -> bool:
    """The Links tab shows once the campaign is approved (links are made for preparation and launch)."""
    return campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.IN_REVIEW)
