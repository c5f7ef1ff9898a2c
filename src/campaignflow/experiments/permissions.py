"""Who may do what with a campaign's A/B tests. The API, the web UI and the demo ask here.

Reading follows the campaign (campaigns.permissions.can_view): whoever sees the campaign sees its
tests and their results, and a campaign one may not see is missing (404). Designing, running,
recording observations and deciding belong to the campaign's owner and project managers, to data
analysts (数据专员, who run the numbers) and to administrators.
"""

from __future__ import annotations

from campaignflow.accounts.choices import OrgRole
from campaignflow.campaigns import permissions as campaign_permissions
from campaignflow.campaigns.choices import MemberRole
from campaignflow.campaigns.models import Campaign

WRITER_ROLES = (OrgRole.ADMIN, OrgRole.DATA_ANALYST)
WRITER_MEMBERS = (MemberRole.OWNER, MemberRole.PROJECT_MANAGER)


def can_view(user, campaign: Campaign) -> bool:
    return campaign_permissions.can_view(user, campaign)


def can_write(user, campaign: Campaign) -> bool:
    """Design, start, stop, record and decide the campaign's tests."""
    if not campaign_permissions.can_view(user, campaign):
        return False
    if any(user.has_role(role) for role in WRITER_ROLES):
        return True
    return campaign_permissions.member_role(user, campaign) in WRITER_MEMBERS
