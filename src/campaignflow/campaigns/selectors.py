"""Reads of campaigns, shared by the API list, the web list and the dashboard."""

from __future__ import annotations

import datetime as dt

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _

from campaignflow.accounts.choices import OrgRole
from campaignflow.accounts.models import Organization
from campaignflow.core.errors import NotFound

from . import permissions
from .choices import CampaignStatus
from .models import Approval, BudgetLine, Campaign, CampaignMember


def campaign_list(
    *,
    user,
    status: str | None = None,
    department: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    q: str | None = None,
    mine: bool = False,
) -> QuerySet[Campaign]:
    """The campaigns the user may see, filtered; budget totals annotated in the same query."""
    qs = permissions.visible_campaigns(user).select_related("department", "owner")
    if status:
        qs = qs.filter(status__in=[s for s in status.split(",") if s])
    if department:
        qs = qs.filter(department_id=department)
    if date_from:
        qs = qs.filter(Q(end_date__gte=date_from) | Q(end_date__isnull=True))
    if date_to:
        qs = qs.filter(Q(start_date__lte=date_to) | Q(start_date__isnull=True))
    if q:
        q = q.strip()[:200]
        qs = qs.filter(Q(name__icontains=q) | Q(number__icontains=q) | Q(theme__icontains=q))
    if mine:
        qs = qs.filter(members__user=user)
    return qs.annotate(budget_sum=budget_sum()).order_by("-created_at", "-id")


def budget_sum() -> Subquery:
    """Each campaign's budget total as a correlated subquery: unlike a join with GROUP BY, it is
    computed for the rows of the page only, and the list walks the (created_at, id) index."""
    lines = (
        BudgetLine.objects.filter(campaign=OuterRef("pk"))
        .order_by()
        .values("campaign")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Subquery(lines, output_field=DecimalField(max_digits=14, decimal_places=2))


def prime_member_roles(user, campaigns) -> None:
    """Read the user's role in each of the campaigns in one query and keep it in the cache that
    permissions.member_role reads, so checking many campaigns of a list costs no query each."""
    campaigns = [c for c in campaigns if c is not None]
    if not campaigns or not (user and user.is_authenticated):
        return
    roles = dict(
        CampaignMember.objects.filter(user=user, campaign_id__in={c.pk for c in campaigns}).values_list(
            "campaign_id", "role"
        )
    )
    for campaign in campaigns:
        campaign.__dict__.setdefault("_member_roles", {})[user.pk] = roles.get(campaign.pk)


def campaign_get(*, user, pk) -> Campaign:
    """One campaign the user may see, or NotFound (missing and forbidden look the same)."""
    try:
        campaign = Campaign.objects.select_related("department", "owner").get(pk=int(pk))
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Campaign not found."))
    if not permissions.can_view(user, campaign):
        raise NotFound(_("Campaign not found."))
    return campaign


def approvals_for(*, campaign: Campaign) -> QuerySet[Approval]:
    return campaign.approvals.select_related("actor").order_by("at", "id")


def _waiting_for(user, levels: list[str]) -> QuerySet[Campaign]:
    """Campaigns in review at a level the user decides, narrowed in the query (the same rule as
    permissions.approver_levels: a department head decides for their own department only).

    Every page's navigation badge asks this, so it must not read every plan in review to keep a few.
    """
    condition = Q(pk__in=[])
    if user and user.is_authenticated and user.is_active:
        for index, role in enumerate(levels, start=1):
            if role == OrgRole.DEPARTMENT_HEAD:
                if user.has_role(OrgRole.DEPARTMENT_HEAD) and user.department_id:
                    condition |= Q(approval_level=index, department_id=user.department_id)
            elif user.has_role(role):
                condition |= Q(approval_level=index)
    return Campaign.objects.filter(condition, status=CampaignStatus.IN_REVIEW)


def approval_inbox(*, user) -> list[Campaign]:
    """Campaigns in review waiting for a level this user decides."""
    levels = list(Organization.current().approval_levels or [])
    waiting = (
        _waiting_for(user, levels)
        .select_related("department", "owner")
        .annotate(budget_sum=budget_sum())
        .order_by("submitted_at", "id")
    )
    return [c for c in waiting if c.approval_level in permissions.approver_levels(user, c, levels)]


def approval_inbox_count(*, user) -> int:
    """How many plans approval_inbox lists, counted in the database (the navigation badge)."""
    return _waiting_for(user, list(Organization.current().approval_levels or [])).count()
