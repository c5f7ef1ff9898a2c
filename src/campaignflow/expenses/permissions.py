"""Who may see and record expenses and settle them. The API, the web UI and the demo ask these.

Reading follows the campaign's visibility (campaigns.permissions.can_view): finance, management,
data analysts and admins see every campaign, the department and the team (viewers included) see
theirs, and a campaign one may not see is missing (404). Seed 003 stage 4 gives the settlement to
the finance group (财务组) and the sign-off to management (管理层): finance and the campaign's owner
and project managers record expenses and prepare the settlement; management and admins decide it.
"""

from __future__ import annotations

from campaignflow.accounts.choices import OrgRole
from campaignflow.campaigns import permissions as campaign_permissions
from campaignflow.campaigns.choices import CampaignStatus, MemberRole

RECORDER_ROLES = (OrgRole.ADMIN, OrgRole.FINANCE)
RECORDER_MEMBERS = (MemberRole.OWNER, MemberRole.PROJECT_MANAGER)
DECIDER_ROLES = (OrgRole.MANAGEMENT, OrgRole.ADMIN)

# Money is spent from registration (deposits, materials) until close-out. Before approval there is
# no budget to spend against; archived and cancelled campaigns are frozen.
EXPENSE_STATUSES = (
    CampaignStatus.APPROVED,
    CampaignStatus.PREPARING,
    CampaignStatus.LIVE,
    CampaignStatus.OPTIMIZING,
    CampaignStatus.CLOSING,
)
# Campaigns whose Budget tab is worth showing: registered, so they have an approved budget.
BUDGET_TAB_STATUSES = (*EXPENSE_STATUSES, CampaignStatus.ARCHIVED, CampaignStatus.CANCELLED)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_view_expenses(user, campaign) -> bool:
    return campaign_permissions.can_view(user, campaign)


def can_record_expenses(user, campaign) -> bool:
    """Finance, administrators, and the campaign's owner and project managers."""
    if not _active(user) or not campaign_permissions.can_view(user, campaign):
        return False
    if any(user.has_role(role) for role in RECORDER_ROLES):
        return True
    return campaign_permissions.member_role(user, campaign) in RECORDER_MEMBERS


def can_prepare_settlement(user, campaign) -> bool:
    """Whoever records the expenses writes the explanations and submits the settlement."""
    return can_record_expenses(user, campaign)


def can_decide_settlement(user, campaign) -> bool:
    """Management (and administrators) approve or reject a submitted settlement."""
    if not _active(user) or not campaign_permissions.can_view(user, campaign):
        return False
    return any(user.has_role(role) for role in DECIDER_ROLES)


def has_budget_tab(user, campaign) -> bool:
    return campaign.status in BUDGET_TAB_STATUSES
