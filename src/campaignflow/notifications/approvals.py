"""Who hears about the plan approval flow, and what they read. Called by campaigns.services.

- approval requested → the approvers of the level now waiting (department heads of the campaign's
  department, or every holder of the level's role);
- approval decided (each level's approval, the final one with the registration number, or a
  rejection with its comment) → the campaign's owner and planners.

Messages are worded in the third person, because the campaign's team chat reads them too.
"""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from campaignflow.accounts.choices import OrgRole
from campaignflow.accounts.models import Organization, User
from campaignflow.campaigns.choices import CampaignStatus, MemberRole
from campaignflow.campaigns.permissions import approvers_for_level

from .choices import Event
from .services import notify

REQUESTED_TITLE = _("Approval requested: %(campaign)s")
REQUESTED_BODY = _(
    "%(actor)s submitted revision %(revision)s of the plan of “%(campaign)s” (%(department)s). "
    "It waits for approval at level %(level)s · %(role)s."
)
FORWARDED_TITLE = _("Plan approved at level %(level)s: %(campaign)s")
FORWARDED_BODY = _(
    "%(actor)s approved level %(level)s · %(role)s. The plan now waits for level %(next_level)s · %(next_role)s."
)
APPROVED_TITLE = _("Plan approved: %(campaign)s")
APPROVED_BODY = _("%(actor)s gave the final approval; the campaign is registered as %(number)s.")
REGISTERED_TITLE = _("Campaign registered: %(campaign)s")
REGISTERED_BODY = _("The campaign is registered as %(number)s; no approval is required.")
REJECTED_TITLE = _("Plan rejected: %(campaign)s")
REJECTED_BODY = _(
    "%(actor)s rejected revision %(revision)s at level %(level)s · %(role)s: “%(comment)s”. "
    "The plan is back in draft as revision %(new_revision)s."
)
COMMENT_LINE = _("Comment: “%(comment)s”")


def _levels() -> list[str]:
    return list(Organization.current().approval_levels or [])


def _role_label(levels: list[str], level: int):
    role = levels[level - 1] if 0 < level <= len(levels) else ""
    return OrgRole(role).label if role in OrgRole.values else role


def _plan_people(campaign) -> list:
    """The owner and the planners: the people who wrote the plan and act on the decision."""
    members = User.objects.filter(
        memberships__campaign=campaign, memberships__role__in=[MemberRole.OWNER, MemberRole.PLANNER]
    ).order_by("pk")
    return [campaign.owner, *members]


def _params(campaign, actor, **extra) -> dict:
    return {
        "campaign": campaign.name,
        "department": str(campaign.department),
        "actor": str(actor),
        "revision": campaign.revision,
        "number": campaign.number or "",
        **extra,
    }


def _with_comment(body, comment: str):
    return format_lazy("{}\n{}", body, COMMENT_LINE) if comment else body


def _approval_requested(*, campaign, actor, level: int, levels: list[str]) -> None:
    notify(
        event=Event.APPROVAL_REQUESTED,
        recipients=approvers_for_level(campaign, level, levels),
        title=REQUESTED_TITLE,
        body=REQUESTED_BODY,
        params=_params(campaign, actor, level=level, role=_role_label(levels, level)),
        campaign=campaign,
        actor=actor,
    )


def _decided(*, campaign, actor, title, body, params: dict) -> None:
    notify(
        event=Event.APPROVAL_DECIDED,
        recipients=_plan_people(campaign),
        title=title,
        body=body,
        params=params,
        campaign=campaign,
        actor=actor,
    )


def plan_submitted(*, campaign, actor) -> None:
    """After submission: the first level's approvers, or, with no approval levels, the registration."""
    if campaign.status == CampaignStatus.APPROVED:
        _decided(
            campaign=campaign,
            actor=actor,
            title=REGISTERED_TITLE,
            body=REGISTERED_BODY,
            params=_params(campaign, actor),
        )
        return
    _approval_requested(campaign=campaign, actor=actor, level=campaign.approval_level, levels=_levels())


def plan_approved(*, campaign, actor, level: int, comment: str = "") -> None:
    """After an approval at `level`: the plan's people, and the next level's approvers if any."""
    levels = _levels()
    comment = (comment or "").strip()
    params = _params(campaign, actor, level=level, role=_role_label(levels, level), comment=comment)
    if campaign.status == CampaignStatus.APPROVED:
        _decided(
            campaign=campaign,
            actor=actor,
            title=APPROVED_TITLE,
            body=_with_comment(APPROVED_BODY, comment),
            params=params,
        )
        return
    next_level = campaign.approval_level
    params |= {"next_level": next_level, "next_role": _role_label(levels, next_level)}
    _decided(
        campaign=campaign,
        actor=actor,
        title=FORWARDED_TITLE,
        body=_with_comment(FORWARDED_BODY, comment),
        params=params,
    )
    _approval_requested(campaign=campaign, actor=actor, level=next_level, levels=levels)


def plan_rejected(*, campaign, actor, level: int, comment: str) -> None:
    """After a rejection: the plan's people, with the approver's comment and the new revision."""
    levels = _levels()
    _decided(
        campaign=campaign,
        actor=actor,
        title=REJECTED_TITLE,
        body=REJECTED_BODY,
        params=_params(
            campaign,
            actor,
            level=level,
            role=_role_label(levels, level),
            comment=comment,
            revision=campaign.revision - 1,
            new_revision=campaign.revision,
        ),
    )
