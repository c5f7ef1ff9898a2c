"""Writes of change requests: draft, edit, submit, decide, withdraw, and applying one to the plan.

Each function checks visibility (404), policy (403), state (409) and input (422) in that order,
writes in one transaction and records an audit event in it; notifications are rows written in the
same transaction (notifications.services.notify).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaignflow.audit.services import audit_record
from campaignflow.core.errors import Conflict, Forbidden, NotFound, field_error
from campaignflow.notifications.services import notify

from .. import approvals, permissions
from ..models import (
    BudgetLine,
    Campaign,
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    Goal,
    Milestone,
    PlanSnapshot,
)
from .policy import CHANGE_TRANSITIONS, approval_levels, can_manage_change, can_request_change, change_refusal
from .proposals import GOAL_FIELDS, current_values, plan_data, proposal_clean, reason_clean

# How the history on the campaign pages words these events (campaign_ui.VERB_LABELS).
VERB_LABELS = {
    "change_request.created": gettext_lazy("drafted a change request"),
    "change_request.updated": gettext_lazy("changed a change request"),
    "change_request.submitted": gettext_lazy("submitted a change request"),
    "change_request.approved": gettext_lazy("approved a change request"),
    "change_request.rejected": gettext_lazy("rejected a change request"),
    "change_request.withdrawn": gettext_lazy("withdrew a change request"),
    "change_request.applied": gettext_lazy("applied a change request to the plan"),
}


# --- applying a change to the plan (bypasses the draft-only rule on purpose) ------------------------


def _apply_dates(campaign: Campaign, proposal: dict) -> None:
    campaign.start_date = dt.date.fromisoformat(proposal["start_date"])
    campaign.end_date = dt.date.fromisoformat(proposal["end_date"])
    campaign.save(update_fields=["start_date", "end_date", "updated_at"])
    for entry in proposal.get("milestones", []):
        Milestone.objects.filter(pk=entry["id"], campaign=campaign).update(
            date=dt.date.fromisoformat(entry["date"])
        )


def _apply_scope(campaign: Campaign, proposal: dict) -> None:
    for name, value in proposal.items():
        setattr(campaign, name, value)
    campaign.save(update_fields=[*proposal, "updated_at"])


def _apply_budget(campaign: Campaign, proposal: dict) -> None:
    for entry in proposal["lines"]:
        if entry.get("id") is None:
            BudgetLine.objects.create(
                campaign=campaign,
                category=entry["category"],
                label=entry["label"],
                channel_id=entry["channel"],
                amount=Decimal(entry["amount"]),
                note=entry["note"],
            )
        elif entry.get("remove"):
            BudgetLine.objects.filter(pk=entry["id"], campaign=campaign).delete()
        else:
            values = {k: Decimal(v) if k == "amount" else v for k, v in entry.items() if k != "id"}
            BudgetLine.objects.filter(pk=entry["id"], campaign=campaign).update(**values)


def _goal_values(entry: dict) -> dict:
    values = {}
    for name, value in entry.items():
        if name in ("baseline", "target"):
            values[name] = Decimal(value) if value is not None else None
        elif name == "deadline":
            values[name] = dt.date.fromisoformat(value) if value else None
        elif name in GOAL_FIELDS:
            values[name] = value
    return values


def _apply_goals(campaign: Campaign, proposal: dict) -> None:
    for entry in proposal["goals"]:
        if entry.get("id") is None:
            Goal.objects.create(campaign=campaign, owner=campaign.owner, **_goal_values(entry))
        elif entry.get("remove"):
            Goal.objects.filter(pk=entry["id"], campaign=campaign).delete()
        else:
            Goal.objects.filter(pk=entry["id"], campaign=campaign).update(**_goal_values(entry))


APPLIERS: dict[str, Callable[[Campaign, dict], None]] = {
    ChangeKind.DATES: _apply_dates,
    ChangeKind.SCOPE: _apply_scope,
    ChangeKind.BUDGET: _apply_budget,
    ChangeKind.GOALS: _apply_goals,
}


# Called in the applying transaction as fn(campaign=, actor=, reason=) once a change is applied:
# the execution app re-freezes its task baseline. The approved change is the authority for it, so
# hooks check no permission of the actor (who may be a planner when no approval level is set).
AFTER_APPLY: list[Callable[..., None]] = []


def register_after_apply(hook: Callable[..., None]) -> None:
    if hook not in AFTER_APPLY:
        AFTER_APPLY.append(hook)


def _after_apply(*, campaign: Campaign, actor, reason: str) -> None:
    for hook in AFTER_APPLY:
        hook(campaign=campaign, actor=actor, reason=reason)


def _apply(*, change_request: ChangeRequest, campaign: Campaign, actor) -> None:
    """Change the plan: keep the current revision as a snapshot, write the change, bump the revision."""
    # Re-read against the plan as it is now: another change may have landed since submission.
    proposal = proposal_clean(campaign=campaign, kind=change_request.kind, proposed=change_request.proposed)
    before = current_values(campaign, change_request.kind)
    PlanSnapshot.objects.create(
        campaign=campaign,
        revision=campaign.revision,
        data=plan_data(campaign),
        change_request=change_request,
        created_by=actor,
    )
    APPLIERS[change_request.kind](campaign, proposal)
    old_revision = campaign.revision
    campaign.revision += 1
    campaign.save(update_fields=["revision", "updated_at"])
    now = timezone.now()
    change_request.status = ChangeStatus.APPLIED
    change_request.proposed = proposal
    change_request.before = before
    change_request.applied_revision = campaign.revision
    change_request.applied_at = now
    change_request.save()
    audit_record(
        actor=actor,
        verb="change_request.applied",
        obj=change_request,
        campaign=campaign,
        before={"revision": old_revision, **before},
        after={"revision": campaign.revision, **proposal},
        revision=old_revision,
    )
    _after_apply(
        campaign=campaign,
        actor=actor,
        reason=_("Change request #%(id)d applied as revision %(revision)d.")
        % {"id": change_request.pk, "revision": campaign.revision},
    )


# --- services -----------------------------------------------------------------------------------


def _lock(campaign: Campaign) -> Campaign:
    """The campaign row, locked: change requests of one campaign are decided and applied one at a
    time, so two approvals never apply against the same revision (SQLite: IMMEDIATE transaction)."""
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _locked_request(change_request: ChangeRequest) -> tuple[ChangeRequest, Campaign]:
    campaign = _lock(change_request.campaign)
    change_request = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    change_request.campaign = campaign
    return change_request, campaign


def _require_view(actor, campaign: Campaign) -> None:
    if not permissions.can_view(actor, campaign):
        raise NotFound(_("Change request not found."))


def _require_changeable(campaign: Campaign) -> None:
    refusal = change_refusal(campaign)
    if refusal is not None:
        raise refusal


def _state_conflict(change_request: ChangeRequest, action: str) -> Conflict:
    return Conflict(
        _("Cannot %(action)s a change request that is %(status)s.")
        % {
            "action": str(CHANGE_TRANSITIONS[action].label).lower(),
            "status": change_request.get_status_display(),
        },
        code="invalid_transition",
    )


def _require_state(change_request: ChangeRequest, action: str) -> None:
    if change_request.status not in CHANGE_TRANSITIONS[action].sources:
        raise _state_conflict(change_request, action)


def _url(change_request: ChangeRequest) -> str:
    return reverse("campaigns:change_detail", args=[change_request.campaign_id, change_request.pk])


def _notify_approvers(change_request: ChangeRequest, campaign: Campaign, actor, approvers: list) -> None:
    notify(
        event="change_request.requested",
        recipients=approvers,
        title=gettext_lazy("Change request #%(number)s for “%(campaign)s” waits for your approval"),
        body=gettext_lazy("%(requester)s asks to change the plan: %(reason)s"),
        params={
            "number": str(change_request.pk),
            "campaign": campaign.name,
            "requester": str(change_request.created_by),
            "reason": change_request.reason,
        },
        campaign=campaign,
        url=_url(change_request),
        actor=actor,
    )


def _notify_requester(change_request: ChangeRequest, campaign: Campaign, actor, comment: str) -> None:
    applied = change_request.status == ChangeStatus.APPLIED
    notify(
        event="change_request.decided",
        recipients=[change_request.created_by],
        title=(
            gettext_lazy("Change request #%(number)s for “%(campaign)s” was approved and applied")
            if applied
            else gettext_lazy("Change request #%(number)s for “%(campaign)s” was rejected")
        ),
        body=gettext_lazy("%(approver)s: %(comment)s")
        if comment
        else gettext_lazy("Decided by %(approver)s."),
        params={
            "number": str(change_request.pk),
            "campaign": campaign.name,
            "approver": str(actor),
            "comment": comment,
            "revision": str(campaign.revision),
        },
        campaign=campaign,
        url=_url(change_request),
        actor=actor,
    )


def _record(actor, verb: str, change_request: ChangeRequest, **kwargs) -> None:
    audit_record(
        actor=actor,
        verb=verb,
        obj=change_request,
        campaign=change_request.campaign,
        revision=change_request.revision,
        **kwargs,
    )


@transaction.atomic
def change_request_create(
    *, campaign: Campaign, actor, kind: str, reason: str, proposed, impact: str = ""
) -> ChangeRequest:
    """Draft a change to an approved plan; nothing changes until it is approved."""
    campaign = _lock(campaign)
    if not permissions.can_view(actor, campaign):
        raise NotFound(_("Campaign not found."))
    if not can_request_change(actor, campaign):
        raise Forbidden(_("Only the campaign owner, planners and project managers may ask for changes."))
    _require_changeable(campaign)
    reason, impact = reason_clean(reason, impact)
    proposal = proposal_clean(campaign=campaign, kind=kind, proposed=proposed)
    change_request = ChangeRequest.objects.create(
        campaign=campaign,
        kind=kind,
        reason=reason,
        impact=impact,
        proposed=proposal,
        revision=campaign.revision,
        created_by=actor,
    )
    _record(
        actor,
        "change_request.created",
        change_request,
        after={"kind": kind, "reason": reason, "impact": impact, "proposed": proposal},
    )
    return change_request


@transaction.atomic
def change_request_update(*, change_request: ChangeRequest, actor, data: dict) -> ChangeRequest:
    """Rewrite the reason, impact or proposed values of a draft change request."""
    change_request, campaign = _locked_request(change_request)
    _require_view(actor, campaign)
    if not can_manage_change(actor, change_request):
        raise Forbidden(_("Only the requester and the campaign owner may change this request."))
    if change_request.status != ChangeStatus.DRAFT:
        raise Conflict(
            _("Only a draft change request can be edited; this one is %(status)s.")
            % {"status": change_request.get_status_display()},
            code="not_editable",
        )
    _require_changeable(campaign)
    unknown = set(data) - {"reason", "impact", "proposed"}
    if unknown:
        raise field_error(sorted(unknown)[0], _("Unknown field."))
    before = {
        "reason": change_request.reason,
        "impact": change_request.impact,
        "proposed": change_request.proposed,
    }
    reason, impact = reason_clean(
        data.get("reason", change_request.reason), data.get("impact", change_request.impact)
    )
    if "proposed" in data:
        change_request.proposed = proposal_clean(
            campaign=campaign, kind=change_request.kind, proposed=data["proposed"]
        )
    change_request.reason, change_request.impact = reason, impact
    change_request.revision = campaign.revision
    change_request.save()
    after = {"reason": reason, "impact": impact, "proposed": change_request.proposed}
    _record(actor, "change_request.updated", change_request, before=before, after=after)
    return change_request


@transaction.atomic
def change_request_submit(*, change_request: ChangeRequest, actor, comment: str = "") -> ChangeRequest:
    """Send the change to the first approval level (applied at once when the org has no levels)."""
    change_request, campaign = _locked_request(change_request)
    _require_view(actor, campaign)
    if not can_manage_change(actor, change_request):
        raise Forbidden(_("Only the requester and the campaign owner may submit this request."))
    _require_state(change_request, "submit")
    _require_changeable(campaign)
    change_request.proposed = proposal_clean(
        campaign=campaign, kind=change_request.kind, proposed=change_request.proposed
    )
    change_request.status = ChangeStatus.IN_REVIEW
    change_request.approval_level = 1
    change_request.revision = campaign.revision
    change_request.submitted_at = timezone.now()
    change_request.save()
    approvals.submitted(
        ChangeFlow(change_request, campaign),
        actor,
        comment,
        before={"status": ChangeStatus.DRAFT},
        after={"status": change_request.status},
    )
    return change_request


class ChangeFlow(approvals.ApprovalFlow):
    """A change request through the approval engine (campaigns.approvals): the plan's levels; the
    last approval applies the change to the plan, a rejection leaves the plan as it is."""

    verb = "change_request"
    wrong_level = gettext_lazy(
        "This change request is waiting for approval level %(level)d; you approve at level %(mine)s."
    )
    reason_required = gettext_lazy("Say why the change is rejected.")

    def __init__(self, change_request: ChangeRequest, campaign: Campaign):
        self.subject = self.change_request = change_request
        self.campaign = campaign
        self.levels = approval_levels()
        self.level = change_request.approval_level
        self.revision = change_request.revision

    @property
    def in_review(self) -> bool:
        return self.change_request.status == ChangeStatus.IN_REVIEW

    def target(self) -> dict:
        # a change's decision is not one on the plan (see Approval)
        return {"change_request": self.change_request}

    def require_view(self, actor) -> None:
        _require_view(actor, self.campaign)

    def not_in_review(self, action: str) -> Conflict:
        return _state_conflict(self.change_request, action)

    def check(self, action: str) -> None:
        if action == "approve":
            _require_changeable(self.campaign)

    def forward(self, level: int) -> None:
        super().forward(level)
        self.change_request.approval_level = level
        self.change_request.save(update_fields=["approval_level", "updated_at"])

    def approved(self, actor, comment: str) -> None:
        self.change_request.status = ChangeStatus.APPROVED
        self.change_request.approval_level = 0
        self.change_request.decided_at = timezone.now()

    def after_approved(self, actor, comment: str) -> None:
        _apply(change_request=self.change_request, campaign=self.campaign, actor=actor)

    def rejected(self, actor, comment: str) -> None:
        self.change_request.status = ChangeStatus.REJECTED
        self.change_request.approval_level = 0
        self.change_request.decided_at = timezone.now()
        self.change_request.save()

    def notify_submitted(self, actor, **params) -> None:
        if self.in_review:
            _notify_approvers(self.change_request, self.campaign, actor, self.approvers(self.level))

    def notify_forwarded(self, actor, level: int, comment: str) -> None:
        _notify_approvers(self.change_request, self.campaign, actor, self.approvers(self.level))

    def notify_approved(self, actor, level: int, comment: str) -> None:
        _notify_requester(self.change_request, self.campaign, actor, comment)

    notify_rejected = notify_approved


@transaction.atomic
def change_request_approve(*, change_request: ChangeRequest, actor, comment: str = "") -> ChangeRequest:
    """Approve the current level; the last level applies the change to the plan."""
    change_request, campaign = _locked_request(change_request)
    approvals.approve(ChangeFlow(change_request, campaign), actor, comment)
    return change_request


@transaction.atomic
def change_request_reject(*, change_request: ChangeRequest, actor, comment: str = "") -> ChangeRequest:
    """Turn the change down with the approver's reason; the plan stays as it is."""
    change_request, campaign = _locked_request(change_request)
    approvals.reject(ChangeFlow(change_request, campaign), actor, comment)
    return change_request


@transaction.atomic
def change_request_withdraw(*, change_request: ChangeRequest, actor, comment: str = "") -> ChangeRequest:
    """Take a draft or pending change request back; decisions already recorded stay."""
    change_request, campaign = _locked_request(change_request)
    _require_view(actor, campaign)
    if not can_manage_change(actor, change_request):
        raise Forbidden(_("Only the requester and the campaign owner may withdraw this request."))
    _require_state(change_request, "withdraw")
    before = {"status": change_request.status}
    change_request.status = ChangeStatus.WITHDRAWN
    change_request.approval_level = 0
    change_request.save()
    _record(
        actor,
        "change_request.withdrawn",
        change_request,
        comment=(comment or "").strip(),
        before=before,
        after={"status": change_request.status},
    )
    return change_request


SERVICES = {
    "submit": change_request_submit,
    "approve": change_request_approve,
    "reject": change_request_reject,
    "withdraw": change_request_withdraw,
}


def change_request_transition(
    *, change_request: ChangeRequest, actor, action: str, comment: str = ""
) -> ChangeRequest:
    """Run one action on a change request by name; the one entry point for API and UI."""
    if action not in SERVICES:
        raise NotFound(_("Unknown action “%(action)s”.") % {"action": action})
    return SERVICES[action](change_request=change_request, actor=actor, comment=comment or "")
