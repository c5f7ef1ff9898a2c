"""Who may read, write and decide a campaign's evaluation report. The API, the web UI and the demo ask.

Reading follows the campaign's visibility (a campaign one may not see is missing: 404). Seed 003
stage 4 gives the evaluation to the data specialist (数据专员): data analysts, and the campaign's
owner and project managers, write it; management (and administrators) approve it.
"""

from __future__ import annotations

from campaignflow.accounts.choices import OrgRole
from campaignflow.campaigns import permissions as campaign_permissions
from campaignflow.campaigns.choices import CampaignStatus, MemberRole

WRITER_ROLES = (OrgRole.ADMIN, OrgRole.DATA_ANALYST)
WRITER_MEMBERS = (MemberRole.OWNER, MemberRole.PROJECT_MANAGER)
DECIDER_ROLES = (OrgRole.MANAGEMENT, OrgRole.ADMIN)

# A draft may be started while the campaign runs; it is submitted once the campaign is closing.
WRITABLE_STATUSES = (CampaignStatus.LIVE, CampaignStatus.OPTIMIZING, CampaignStatus.CLOSING)
SUBMIT_STATUSES = (CampaignStatus.CLOSING,)
TAB_STATUSES = (*WRITABLE_STATUSES, CampaignStatus.ARCHIVED)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_view_evaluation(user, campaign) -> bool:
    return campaign_permissions.can_view(user, campaign)


def can_write_evaluation(user, campaign) -> bool:
    """Data analysts, administrators, and the campaign's owner and project managers."""
    if not _active(user) or not campaign_permissions.can_view(user, campaign):
        return False
    if any(user.has_role(role) for role in WRITER_ROLES):
        return True
    return campaign_permissions.member_role(user, campaign) in WRITER_MEMBERS


def can_decide_evaluation(user, campaign) -> bool:
    """Management (and administrators) approve or reject a submitted report."""
    if not _active(user) or not campaign_permissions.can_view(user, campaign):
        return False
    return any(user.has_role(role) for role in DECIDER_ROLES)


def has_evaluation_tab(user, campaign) -> bool:
    return campaign.status in TAB_STATUSES
