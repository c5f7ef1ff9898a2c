"""Who may read and write reports. The API, the web UI and the CLI all ask these functions.

Reports follow the campaign's visibility (campaigns.permissions.can_view): a campaign one may
not see is missing (404), and everyone who sees it — viewers included — reads its reports.
Generating a daily report and writing an interim review belong to the people seed 003 gives the
tracking stage: the campaign's owner and project managers, data analysts (数据专员) and
administrators.
"""

from __future__ import annotations

from campaignflow.accounts.choices import OrgRole
from campaignflow.campaigns import permissions as campaign_permissions
from campaignflow.campaigns.choices import CampaignStatus, MemberRole

WRITER_ROLES = (OrgRole.ADMIN, OrgRole.DATA_ANALYST)
WRITER_MEMBERS = (MemberRole.OWNER, MemberRole.PROJECT_MANAGER)
# Campaigns the worker reports on every morning: launched and still running.
LIVE_STATUSES = (CampaignStatus.LIVE, CampaignStatus.OPTIMIZING)
# Campaigns with data worth a report: from preparation (warm-up traffic) to archive.
REPORT_STATUSES = (
    CampaignStatus.PREPARING,
    CampaignStatus.LIVE,
    CampaignStatus.OPTIMIZING,
    CampaignStatus.CLOSING,
    CampaignStatus.ARCHIVED,
)


def can_view_reports(user, campaign) -> bool:
    return campaign_permissions.can_view(user, campaign)


def can_write_reports(user, campaign) -> bool:
    """Owner, project managers, data analysts and administrators."""
    if not campaign_permissions.can_view(user, campaign):
        return False
    if any(user.has_role(role) for role in WRITER_ROLES):
        return True
    return campaign_permissions.member_role(user, campaign) in WRITER_MEMBERS


def has_reports_tab(user, campaign) -> bool:
    """Daily reports and reviews exist once the campaign has data (it left planning)."""
    return campaign.status in (*REPORT_STATUSES, CampaignStatus.CANCELLED)
