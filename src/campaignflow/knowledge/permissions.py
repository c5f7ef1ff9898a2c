"""Who may see and label the knowledge base. The API, the web UI and the demo ask here.

Visibility follows the campaigns (campaigns.permissions.visible_campaigns): the org-wide roles
(admin, management, finance, data analyst) see every entry; everyone else sees the entries of
their own department and of the campaigns they were a member of. The same rule covers search,
similar campaigns and the channel benchmarks, so no number of a hidden campaign leaks through a
median. An entry one may not see is missing (404).

Tags, keywords and "save as template" belong to the people who know the campaign: its owner,
planners and project managers, the head of its department, data analysts, management and admins.
Saving a template is publishing: the plan's shape (goals with targets, budget split and total,
milestones, risks, theme and format — no results) is offered to everyone who starts a campaign,
as the built-in templates are. The page says so next to the button.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from campaignflow.accounts.choices import OrgRole
from campaignflow.campaigns.choices import MemberRole
from campaignflow.campaigns.models import CampaignMember
from campaignflow.campaigns.permissions import ORG_WIDE_READERS

from .models import KnowledgeEntry

LABEL_ROLES = (OrgRole.ADMIN, OrgRole.MANAGEMENT, OrgRole.DATA_ANALYST)
LABEL_MEMBERS = (MemberRole.OWNER, MemberRole.PLANNER, MemberRole.PROJECT_MANAGER)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _org_wide(user) -> bool:
    return any(user.has_role(role) for role in ORG_WIDE_READERS)


def visible_entries(user) -> QuerySet[KnowledgeEntry]:
    """The entries the user may see."""
    if not _active(user):
        return KnowledgeEntry.objects.none()
    if _org_wide(user):
        return KnowledgeEntry.objects.all()
    # Two indexed conditions and no join, the user's campaigns read first: the search runs this as
    # a subquery of every query, and PostgreSQL scans the whole table for an OR with a subquery.
    member_of = list(CampaignMember.objects.filter(user=user).values_list("campaign_id", flat=True))
    condition = Q(campaign_id__in=member_of)
    if user.department_id:
        condition |= Q(department_id=user.department_id)
    return KnowledgeEntry.objects.filter(condition)


def can_view(user, entry: KnowledgeEntry) -> bool:
    if not _active(user):
        return False
    if _org_wide(user) or (user.department_id and user.department_id == entry.department_id):
        return True
    return entry.campaign_id is not None and entry.campaign.members.filter(user=user).exists()


def can_label(user, entry: KnowledgeEntry) -> bool:
    """Edit tags and keywords, and save the entry as a template."""
    if not can_view(user, entry):
        return False
    if any(user.has_role(role) for role in LABEL_ROLES):
        return True
    if user.has_role(OrgRole.DEPARTMENT_HEAD) and user.department_id == entry.department_id:
        return True
    if entry.campaign_id is None:
        return False
    return entry.campaign.members.filter(user=user, role__in=LABEL_MEMBERS).exists()
