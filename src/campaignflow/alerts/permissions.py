"""Who may see and answer alerts and who may manage rules. API, web UI and jobs ask these functions.

Alerts and campaign rules follow the campaign's visibility (campaigns.permissions.can_view: a
campaign one may not see is missing, 404). Seed 003 makes the project manager answer an anomaly:
the campaign's project managers and owner acknowledge and resolve, administrators too. Data
analysts (数据专员) and administrators keep the rules, the organization's defaults and any
campaign's; a campaign's project managers and owner keep that campaign's rules. Organization
rules are readable by anyone signed in.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from campaignflow.accounts.choices import OrgRole
from campaignflow.campaigns import permissions as campaign_permissions
from campaignflow.campaigns.choices import MemberRole

from .choices import AlertStatus
from .models import Alert, AlertRule

RESPONDERS = (MemberRole.OWNER, MemberRole.PROJECT_MANAGER)
RULE_MANAGER_ROLES = (OrgRole.ADMIN, OrgRole.DATA_ANALYST)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _is_admin(user) -> bool:
    return user.is_superuser or user.has_role(OrgRole.ADMIN)


# --- alerts -----------------------------------------------------------------------------------------


def can_view_alerts(user, campaign) -> bool:
    return campaign_permissions.can_view(user, campaign)


def visible_alerts(user) -> QuerySet[Alert]:
    """Alerts of the campaigns the user may see."""
    if not _active(user):
        return Alert.objects.none()
    return Alert.objects.filter(campaign__in=campaign_permissions.visible_campaigns(user).values("pk"))


def can_respond(user, campaign) -> bool:
    """Acknowledge with a response plan and resolve: the campaign's PMs and owner, administrators."""
    if not campaign_permissions.can_view(user, campaign):
        return False
    return _is_admin(user) or campaign_permissions.member_role(user, campaign) in RESPONDERS


def concerning(user) -> QuerySet[Alert]:
    """Open alerts waiting on this user: their campaigns' (as PM or owner), and escalated ones
    when they are the head of the campaign's department or in management."""
    if not _active(user):
        return Alert.objects.none()
    mine = Q(campaign__members__user=user, campaign__members__role__in=RESPONDERS)
    if user.has_role(OrgRole.MANAGEMENT):
        mine |= Q(escalation_level__gt=0)
    if user.has_role(OrgRole.DEPARTMENT_HEAD) and user.department_id:
        mine |= Q(escalation_level__gt=0, campaign__department_id=user.department_id)
    ids = Alert.objects.filter(mine, status=AlertStatus.OPEN).values("pk")
    return Alert.objects.filter(pk__in=ids)


# --- rules ------------------------------------------------------------------------------------------


def can_view_rule(user, rule: AlertRule) -> bool:
    if rule.campaign_id is None:
        return _active(user)
    return campaign_permissions.can_view(user, rule.campaign)


def can_manage_org_rules(user) -> bool:
    """Organization defaults: data analysts and administrators."""
    return _active(user) and (user.is_superuser or any(user.has_role(role) for role in RULE_MANAGER_ROLES))


def can_manage_campaign_rules(user, campaign) -> bool:
    """A campaign's own rules: data analysts, administrators, the campaign's PMs and owner."""
    if not campaign_permissions.can_view(user, campaign):
        return False
    if can_manage_org_rules(user):
        return True
    return campaign_permissions.member_role(user, campaign) in RESPONDERS


def can_manage_rule(user, rule: AlertRule) -> bool:
    if rule.campaign_id is None:
        return can_manage_org_rules(user)
    return can_manage_campaign_rules(user, rule.campaign)


# --- who hears about an alert -------------------------------------------------------------------------


def responders(campaign):
    """The campaign's owner and project managers: told when an alert opens."""
    from campaignflow.accounts.models import User

    ids = campaign.members.filter(role__in=RESPONDERS).values("user_id")
    return User.objects.filter(Q(pk__in=ids) | Q(pk=campaign.owner_id), is_active=True).order_by("pk")


def finance_people():
    """Finance: told when a budget category is overspent, with the campaign's responders."""
    from campaignflow.accounts.models import User

    return User.objects.filter(roles__role=OrgRole.FINANCE, is_active=True).distinct().order_by("pk")


def escalation_recipients(campaign):
    """Heads of the campaign's department and management: told when nobody answered in 24 hours.

    Role holders are found as campaigns.permissions.approvers_for_level finds approvers.
    """
    from campaignflow.accounts.models import User

    heads = Q(roles__role=OrgRole.DEPARTMENT_HEAD, department_id=campaign.department_id)
    management = Q(roles__role=OrgRole.MANAGEMENT)
    return User.objects.filter(heads | management, is_active=True).distinct().order_by("pk")
