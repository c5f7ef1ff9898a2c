"""Who may manage metric data. The API, the web UI and the CLI all ask these functions.

Daily data follows the campaign's visibility (campaigns.permissions.can_view: a campaign one may
not see is missing, 404). Writing it belongs to the people seed 003 gives the job: data analysts
(数据专员), the campaign's owner and project managers, and administrators.
"""

from __future__ import annotations

from campaignflow.accounts.choices import OrgRole
from campaignflow.campaigns import permissions as campaign_permissions
from campaignflow.campaigns.choices import CampaignStatus, MemberRole

CHANNEL_MANAGERS = (OrgRole.ADMIN, OrgRole.DATA_ANALYST)
DEFINITION_MANAGERS = (OrgRole.ADMIN, OrgRole.DATA_ANALYST)
DATA_WRITER_ROLES = (OrgRole.ADMIN, OrgRole.DATA_ANALYST)
DATA_WRITER_MEMBERS = (MemberRole.OWNER, MemberRole.PROJECT_MANAGER)

# Daily data is recorded from preparation (warm-up traffic) until the campaign is archived;
# the close-out stage still takes late figures. Before approval there is nothing to measure,
# and an archived or cancelled campaign is frozen.
DATA_STATUSES = (
    CampaignStatus.PREPARING,
    CampaignStatus.LIVE,
    CampaignStatus.OPTIMIZING,
    CampaignStatus.CLOSING,
)
# Statuses whose campaigns may have data to look at.
DASHBOARD_STATUSES = (*DATA_STATUSES, CampaignStatus.ARCHIVED, CampaignStatus.CANCELLED)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_view_channels(user) -> bool:
    """Anyone signed in picks channels (budget lines, daily data, links)."""
    return _active(user)


def can_manage_channels(user) -> bool:
    """Administrators and data analysts keep the channel list, so every team uses the same names."""
    return _active(user) and any(user.has_role(role) for role in CHANNEL_MANAGERS)


def can_view_definitions(user) -> bool:
    return _active(user)


def can_manage_definitions(user) -> bool:
    """Administrators and data analysts define what a metric means, once for the organization."""
    return _active(user) and any(user.has_role(role) for role in DEFINITION_MANAGERS)


def can_view_metrics(user, campaign) -> bool:
    return campaign_permissions.can_view(user, campaign)


def can_write_metrics(user, campaign) -> bool:
    """Data analysts, administrators, and the campaign's owner and project managers."""
    if not campaign_permissions.can_view(user, campaign):
        return False
    if any(user.has_role(role) for role in DATA_WRITER_ROLES):
        return True
    return campaign_permissions.member_role(user, campaign) in DATA_WRITER_MEMBERS


def has_dashboard(user, campaign) -> bool:
    """Whether the campaign's data pages are worth a tab (it has left planning)."""
    return campaign.status in DASHBOARD_STATUSES
