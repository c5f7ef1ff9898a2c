"""Who may ask for, manage and decide change requests, and when a campaign takes them."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaignflow.accounts.choices import OrgRole
from campaignflow.accounts.models import Organization
from campaignflow.core.errors import Conflict

from .. import permissions
from ..choices import CampaignStatus, MemberRole
from ..models import Campaign, ChangeRequest, ChangeStatus

# A plan can be changed by request once approved and until it is archived or cancelled. In draft
# it is edited directly; in review it waits for its own decision first.
CHANGEABLE_STATUSES = (
    CampaignStatus.APPROVED,
    CampaignStatus.PREPARING,
    CampaignStatus.LIVE,
    CampaignStatus.OPTIMIZING,
    CampaignStatus.CLOSING,
)


@dataclass(frozen=True)
class ChangeTransition:
    action: str
    sources: tuple[str, ...]
    label: str


CHANGE_TRANSITIONS: dict[str, ChangeTransition] = {
    t.action: t
    for t in (
        ChangeTransition("submit", (ChangeStatus.DRAFT,), gettext_lazy("Submit for approval")),
        ChangeTransition("approve", (ChangeStatus.IN_REVIEW,), gettext_lazy("Approve")),
        ChangeTransition("reject", (ChangeStatus.IN_REVIEW,), gettext_lazy("Reject")),
        ChangeTransition("withdraw", (ChangeStatus.DRAFT, ChangeStatus.IN_REVIEW), gettext_lazy("Withdraw")),
    )
}


# --- policy ---------------------------------------------------------------------------------------


def approval_levels() -> list[str]:
    """The organization's approval chain: the org role deciding each level, in order."""
    return list(Organization.current().approval_levels or [])


def can_request_change(user, campaign: Campaign) -> bool:
    """The owner, planners and project managers (and admins) ask for changes."""
    return permissions.can_run(user, campaign) or permissions.can_edit_plan(user, campaign)


def can_manage_change(user, change_request: ChangeRequest) -> bool:
    """Edit, submit or withdraw: the requester while still on the team, the owner, an admin."""
    campaign = change_request.campaign
    if not can_request_change(user, campaign):
        return False
    return (
        user.pk == change_request.created_by_id
        or user.has_role(OrgRole.ADMIN)
        or permissions.member_role(user, campaign) == MemberRole.OWNER
    )


def can_decide_change(user, change_request: ChangeRequest, levels: list[str] | None = None) -> bool:
    levels = approval_levels() if levels is None else levels
    return change_request.approval_level in permissions.approver_levels(user, change_request.campaign, levels)


def allowed_change_actions(user, change_request: ChangeRequest, levels: list[str] | None = None) -> list[str]:
    """Actions this user may attempt on the change request in its current state."""
    result = []
    for action, transition in CHANGE_TRANSITIONS.items():
        if change_request.status not in transition.sources:
            continue
        if action in ("approve", "reject"):
            allowed = can_decide_change(user, change_request, levels)
        else:
            allowed = can_manage_change(user, change_request)
        if allowed:
            result.append(action)
    return result


def change_refusal(campaign: Campaign) -> Conflict | None:
    """Why no change request can be made against this campaign now, or None."""
    if campaign.status in CHANGEABLE_STATUSES:
        return None
    if campaign.status == CampaignStatus.DRAFT:
        message = _("The plan is still a draft: change it directly in the plan editor.")
        code = "plan_in_draft"
    elif campaign.status == CampaignStatus.IN_REVIEW:
        message = _("The plan is under review: wait for the decision, or have it sent back to draft.")
        code = "plan_in_review"
    else:
        message = _("A campaign that is %(status)s can no longer be changed.") % {
            "status": campaign.get_status_display()
        }
        code = "campaign_closed"
    return Conflict(message, code=code)
