"""Reads of campaigns, shared by the API list, the web list and the dashboard."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from campaignflow.accounts.models import Organization
from campaignflow.core.errors import NotFound

from . import permissions
from .choices import CampaignStatus
from .models import Approval, Campaign


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
    return qs.annotate(budget_sum=Sum("budget_lines__amount")).order_by("-created_at", "-id")


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


def approval_inbox(*, user) -> list[Campaign]:
    """Campaigns in review waiting for a level this user decides."""
    levels = list(Organization.current().approval_levels or [])
    waiting = (
        Campaign.objects.filter(status=CampaignStatus.IN_REVIEW)
        .select_related("department", "owner")
        .annotate(budget_sum=Sum("budget_lines__amount"))
        .order_by("submitted_at", "id")
    )
    return [c for c in waiting if c.approval_level in permissions.approver_levels(user, c, levels)]
