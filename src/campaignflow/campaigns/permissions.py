"""Who may do what to a campaign. The API, the web UI and the CLI all ask these functions.

Visibility: org-wide roles (admin, management, finance, data analyst) see every campaign; a
department head and the department's people see their department's; anyone else sees only the
campaigns they are a member of. A campaign one may not see is reported as missing (404).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from campaignflow.accounts.choices import OrgRole

from .choices import MemberRole
from .models import Campaign

ORG_WIDE_READERS = (OrgRole.ADMIN, OrgRole.MANAGEMENT, OrgRole.FINANCE, OrgRole.DATA_ANALYST)
PLAN_EDITORS = (MemberRole.OWNER, MemberRole.PLANNER)
RUNNERS = (MemberRole.OWNER, MemberRole.PROJECT_MANAGER)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def member_role(user, campaign: Campaign) -> str | None:
    """The user's role in the campaign, or None; cached per campaign instance."""
    if not _active(user):
        return None
    cache = campaign.__dict__.setdefault("_member_roles", {})
    if user.pk not in cache:
        cache[user.pk] = campaign.members.filter(user=user).values_list("role", flat=True).first()
    return cache[user.pk]


def is_department_head_of(user, campaign: Campaign) -> bool:
    return user.has_role(OrgRole.DEPARTMENT_HEAD) and user.department_id == campaign.department_id


def visible_campaigns(user) -> QuerySet[Campaign]:
    """The campaigns the user may see."""
    if not _active(user):
        return Campaign.objects.none()
    if any(user.has_role(role) for role in ORG_WIDE_READERS):
        return Campaign.objects.all()
    condition = Q(members__user=user)
    if user.department_id:
        condition |= Q(department_id=user.department_id)
    return Campaign.objects.filter(pk__in=Campaign.objects.filter(condition).values("pk"))


def can_view(user, campaign: Campaign) -> bool:
    if not _active(user):
        return False
    if any(user.has_role(role) for role in ORG_WIDE_READERS):
        return True
    if user.department_id and user.department_id == campaign.department_id:
        return True
    return member_role(user, campaign) is not None


def can_create_campaign(user, department) -> bool:
    """Admins create for any department; others for their own department only."""
    if not _active(user):
        return False
    if user.has_role(OrgRole.ADMIN):
        return True
    return department is not None and user.department_id == department.pk


def can_edit_plan(user, campaign: Campaign) -> bool:
    """The owner and planners write the plan (the state guard is the service's)."""
    if not _active(user):
        return False
    return user.has_role(OrgRole.ADMIN) or member_role(user, campaign) in PLAN_EDITORS


def can_submit(user, campaign: Campaign) -> bool:
    return can_edit_plan(user, campaign)


def approver_levels(user, campaign: Campaign, levels: list[str]) -> list[int]:
    """The 1-based approval levels this user may decide for this campaign."""
    if not _active(user):
        return []
    result = []
    for index, role in enumerate(levels, start=1):
        if role == OrgRole.DEPARTMENT_HEAD:
            if is_department_head_of(user, campaign):
                result.append(index)
        elif user.has_role(role):
            result.append(index)
    return result


def can_decide(user, campaign: Campaign, levels: list[str]) -> bool:
    """May the user approve or reject at the campaign's current level?"""
    return campaign.approval_level in approver_levels(user, campaign, levels)


def can_run(user, campaign: Campaign) -> bool:
    """Start preparation, launch, optimize, close and archive: the owner and project managers."""
    if not _active(user):
        return False
    return user.has_role(OrgRole.ADMIN) or member_role(user, campaign) in RUNNERS


def can_cancel(user, campaign: Campaign) -> bool:
    if not _active(user):
        return False
    return (
        user.has_role(OrgRole.ADMIN)
        or user.has_role(OrgRole.MANAGEMENT)
        or is_department_head_of(user, campaign)
        or member_role(user, campaign) == MemberRole.OWNER
    )


def can_manage_members(user, campaign: Campaign) -> bool:
    if not _active(user):
        return False
    return user.has_role(OrgRole.ADMIN) or member_role(user, campaign) in RUNNERS


def can_view_audit(user, campaign: Campaign) -> bool:
    return can_view(user, campaign)


def allowed_actions(user, campaign: Campaign, levels: list[str] | None = None) -> list[str]:
    """Lifecycle actions (table keys) this user may attempt in the campaign's current state.

    Guards owned by other apps (readiness checklist, close-out documents) are not evaluated here;
    the action itself reports them with a 409.
    """
    from campaignflow.accounts.models import Organization

    from . import lifecycle

    if levels is None:
        levels = list(Organization.current().approval_levels or [])
    result = []
    for action in lifecycle.allowed_actions(campaign.status):
        if action in ("approve", "reject"):
            allowed = can_decide(user, campaign, levels)
        else:
            allowed = lifecycle.TRANSITIONS[action].permission(user, campaign)
        if allowed:
            result.append(action)
    return result


def approvers_for_level(campaign: Campaign, level: int, levels: list[str] | None = None):
    """The active users who decide the given 1-based approval level of this campaign.

    A department-head level is decided by the heads of the campaign's department; any other level
    by every holder of that org role. Mirrors `approver_levels`, read the other way round.
    """
    from campaignflow.accounts.models import Organization, User

    if levels is None:
        levels = list(Organization.current().approval_levels or [])
    if not 0 < level <= len(levels):
        return User.objects.none()
    role = levels[level - 1]
    holders = Q(roles__role=role)
    if role == OrgRole.ADMIN:
        holders |= Q(is_superuser=True)
    users = User.objects.filter(holders, is_active=True)
    if role == OrgRole.DEPARTMENT_HEAD:
        users = users.filter(department_id=campaign.department_id)
    return users.distinct().order_by("pk")
