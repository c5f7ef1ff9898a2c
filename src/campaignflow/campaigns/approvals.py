"""The approval engine: one way to decide the plan, a change request, the settlement and the evaluation.

A subject in review waits for a chain of levels; level N is decided by a holder of the Nth org role
(`ApprovalFlow.levels`). Each app describes its subject as an `ApprovalFlow` subclass (who may see
it, what "in review" means, what an intermediate approval, the final approval and a rejection do,
who hears about it) and calls `approve`, `reject` or `submitted` here, which do the common part once:

- the decider check in the order every flow reports it: not visible (404, the flow's), not an
  approver of any level (403), not in review (409), waiting for another level (403 `wrong_level`);
- the comment rules: trimmed, at most `COMMENT_MAX` characters, required for a rejection (422);
- one immutable `Approval` row per decision (on the plan, a change request or any other subject);
- the audit event `<verb>.approved` / `<verb>.rejected` / `<verb>.submitted` with the subject's
  status and revision before and after (and the level while in review);
- advancing to the next level, or the flow's final hook, and the notifications.

Callers hold the subject's locks and run inside their own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaignflow.accounts.choices import OrgRole
from campaignflow.audit.services import audit_record
from campaignflow.core.errors import Conflict, Forbidden, field_error

from . import permissions
from .choices import Decision
from .models import Approval, Campaign

COMMENT_MAX = 2000

WAITING_FOR_LEVEL = gettext_lazy(
    "This is waiting for approval level %(level)d; you approve at level %(mine)s."
)


class ApprovalFlow:
    """One subject going through the approval levels. Subclass it per kind of subject.

    Attributes a subclass sets (usually in __init__): `subject` (the model instance decided),
    `campaign`, `verb` (the audit verb prefix), `levels` (the org role of each level), `level` (the
    1-based level now waiting, 0 when not in review) and `revision` (the subject's revision decided).
    """

    subject: models.Model
    campaign: Campaign
    verb: str
    levels: list[str]
    level: int
    revision: int
    # Whether the audit event carries `revision` (the plan's revision shown in the campaign history).
    audit_revision: bool = True
    not_a_decider = gettext_lazy("You are not an approver for this campaign.")
    wrong_level = WAITING_FOR_LEVEL
    reason_required = gettext_lazy("A reason is required.")

    # --- state -------------------------------------------------------------------------------

    @property
    def in_review(self) -> bool:
        raise NotImplementedError

    def state(self) -> dict:
        """What the audit event shows before and after the decision."""
        return {"status": self.subject.status, "revision": self.subject.revision}

    def target(self) -> dict:
        """The Approval fields naming what is decided (see Approval)."""
        return {"subject": self.subject}

    # --- checks --------------------------------------------------------------------------------

    def require_view(self, actor) -> None:
        """Raise NotFound when the actor may not see the subject."""

    def decider_levels(self, actor) -> list[int]:
        """The 1-based levels the actor decides for this subject."""
        return permissions.approver_levels(actor, self.campaign, self.levels)

    def not_in_review(self, action: str) -> Conflict:
        raise NotImplementedError

    def check(self, action: str) -> None:
        """Further state checks after the decider check (409), e.g. the plan still takes changes."""

    def role_for(self, actor, level: int) -> str:
        """The role recorded on the decision."""
        return self.levels[level - 1]

    # --- moves ---------------------------------------------------------------------------------

    def forward(self, level: int) -> None:
        """Wait for `level` now (an intermediate approval)."""
        self.level = level

    def approved(self, actor, comment: str) -> None:
        """The final approval's change of state, before the audit event."""

    def after_approved(self, actor, comment: str) -> None:
        """What follows the final approval, after its audit event (registration, applying a change)."""

    def rejected(self, actor, comment: str) -> None:
        """The rejection's change of state."""

    # --- who hears about it ----------------------------------------------------------------------

    def approvers(self, level: int) -> list:
        """The active users who decide `level` of this subject."""
        return list(permissions.approvers_for_level(self.campaign, level, self.levels))

    def notify_submitted(self, actor, **params) -> None:
        """After submission: the first level's approvers (or, with no level, whoever hears the outcome)."""

    def notify_forwarded(self, actor, level: int, comment: str) -> None:
        """After the approval of `level` when another level follows (now `self.level`)."""

    def notify_approved(self, actor, level: int, comment: str) -> None:
        """After the final approval."""

    def notify_rejected(self, actor, level: int, comment: str) -> None:
        """After a rejection."""


# --- the engine -----------------------------------------------------------------------------------


def clean_comment(comment, *, required=None) -> str:
    """The trimmed comment; `required` is the message when an empty one is refused (422)."""
    comment = (comment or "").strip()
    if required is not None and not comment:
        raise field_error("comment", required)
    if len(comment) > COMMENT_MAX:
        raise field_error("comment", _("Keep the comment under %(max)d characters.") % {"max": COMMENT_MAX})
    return comment


def check_decider(flow: ApprovalFlow, actor, action: str) -> list[int]:
    """404, 403, 409, then 403 `wrong_level`; returns the levels the actor decides."""
    flow.require_view(actor)
    mine = flow.decider_levels(actor)
    if not mine:
        raise Forbidden(flow.not_a_decider)
    if not flow.in_review:
        raise flow.not_in_review(action)
    if flow.level not in mine:
        raise Forbidden(
            flow.wrong_level % {"level": flow.level, "mine": ", ".join(str(level) for level in mine)},
            code="wrong_level",
        )
    flow.check(action)
    return mine


def _state(flow: ApprovalFlow) -> dict:
    state = flow.state()
    if flow.in_review:
        state["level"] = flow.level
    return state


def _record(flow: ApprovalFlow, actor, decision: str, comment: str) -> Approval:
    return Approval.objects.create(
        **flow.target(),
        revision=flow.revision,
        level=flow.level,
        role=flow.role_for(actor, flow.level),
        decision=decision,
        actor=actor,
        comment=comment,
    )


def _audit(flow: ApprovalFlow, actor, action: str, comment: str, before: dict, revision: int) -> None:
    audit_record(
        actor=actor,
        verb=f"{flow.verb}.{action}",
        obj=flow.subject,
        campaign=flow.campaign,
        comment=comment,
        before=before,
        after=_state(flow),
        revision=revision if flow.audit_revision else None,
    )


def approve(flow: ApprovalFlow, actor, comment: str = "") -> Approval:
    """Approve the level now waiting: the next level waits, or the last one runs the final hooks."""
    check_decider(flow, actor, "approve")
    comment = clean_comment(comment)
    level, revision = flow.level, flow.revision
    approval = _record(flow, actor, Decision.APPROVE, comment)
    before = _state(flow)
    final = level >= len(flow.levels)
    if final:
        flow.approved(actor, comment)
    else:
        flow.forward(level + 1)
    _audit(flow, actor, "approved", comment, before, revision)
    if final:
        flow.after_approved(actor, comment)
        flow.notify_approved(actor, level, comment)
    else:
        flow.notify_forwarded(actor, level, comment)
    return approval


def reject(flow: ApprovalFlow, actor, comment: str = "") -> Approval:
    """Turn the subject down at the level now waiting; the comment says why."""
    check_decider(flow, actor, "reject")
    comment = clean_comment(comment, required=flow.reason_required)
    level, revision = flow.level, flow.revision
    approval = _record(flow, actor, Decision.REJECT, comment)
    before = _state(flow)
    flow.rejected(actor, comment)
    _audit(flow, actor, "rejected", comment, before, revision)
    flow.notify_rejected(actor, level, comment)
    return approval


def submitted(flow: ApprovalFlow, actor, comment: str = "", *, before: dict, after: dict, **params) -> None:
    """After the caller put the subject in review at level 1: audit `<verb>.submitted`, then ask the
    first level, or, when the chain has no level at all, approve it at once (final hooks).

    `params` go to the flow's `notify_submitted` (e.g. the figures the approvers read).
    """
    audit_record(
        actor=actor,
        verb=f"{flow.verb}.submitted",
        obj=flow.subject,
        campaign=flow.campaign,
        comment=comment,
        before=before,
        after=after,
        revision=flow.revision if flow.audit_revision else None,
    )
    if not flow.levels:
        flow.approved(actor, comment)
        flow.after_approved(actor, comment)
    flow.notify_submitted(actor, **params)


# --- sign-off by management: the settlement and the evaluation report ---------------------------


def approved_levels(subject: models.Model, revision: int) -> int:
    """How many levels of this revision of a (generic) subject are approved so far."""
    return Approval.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        revision=revision,
        decision=Decision.APPROVE,
    ).count()


class SignOffFlow(ApprovalFlow):
    """A close-out document of a campaign signed off by management (levels `SIGN_OFF_LEVELS`).

    Administrators decide every level too (their decision is recorded with the admin role), and are
    the ones asked when nobody holds a level's role. The level waiting is not stored on the subject:
    it follows from the approvals recorded for the revision in review. The submitter and the
    campaign's owner hear the outcome. A subclass sets the statuses, the messages and the texts.
    """

    SIGN_OFF_LEVELS = [OrgRole.MANAGEMENT.value]

    audit_revision = False
    submitted_status: str
    draft_status: str
    approved_status: str
    requested_title = requested_body = approved_title = approved_body = rejected_title = rejected_body = ""
    # The 409 when nothing is submitted: "Only a submitted … can be decided; this one is %(status)s."
    not_submitted = ""
    not_submitted_code = "not_submitted"

    def __init__(self, subject, campaign: Campaign, levels: list[str] | None = None):
        self.subject = subject
        self.campaign = campaign
        self.levels = list(self.SIGN_OFF_LEVELS if levels is None else levels)
        self.revision = subject.revision if subject is not None else 1
        in_review = subject is not None and subject.status == self.submitted_status
        self.level = approved_levels(subject, self.revision) + 1 if in_review else 0

    @property
    def in_review(self) -> bool:
        return self.subject is not None and self.subject.status == self.submitted_status

    def may_sign_off(self, actor) -> bool:
        """The app's permission to decide at all (its permissions.py)."""
        raise NotImplementedError

    def not_in_review(self, action: str) -> Conflict:
        status = self.subject.get_status_display() if self.subject is not None else self.draft_status.label
        return Conflict(self.not_submitted % {"status": status}, code=self.not_submitted_code)

    def decider_levels(self, actor) -> list[int]:
        if not self.may_sign_off(actor):
            return []
        admin = actor.has_role(OrgRole.ADMIN)
        return [index for index, role in enumerate(self.levels, start=1) if admin or actor.has_role(role)]

    def role_for(self, actor, level: int) -> str:
        role = self.levels[level - 1]
        return role if actor.has_role(role) else OrgRole.ADMIN.value

    def approved(self, actor, comment: str) -> None:
        self.subject.status = self.approved_status
        self.subject.save()

    def rejected(self, actor, comment: str) -> None:
        self.subject.status = self.draft_status
        self.subject.revision += 1
        self.subject.save()

    # --- notifications --------------------------------------------------------------------------

    def approvers(self, level: int) -> list:
        people = super().approvers(level)
        if not people:
            people = list(permissions.approvers_for_level(self.campaign, 1, [OrgRole.ADMIN.value]))
        return people

    def url(self) -> str:
        raise NotImplementedError

    def params(self, actor) -> dict:
        return {"campaign": self.campaign.name, "actor": str(actor)}

    def _notify(self, *, event: str, actor, recipients: Iterable, title, body, params: dict) -> None:
        from campaignflow.notifications.services import notify

        notify(
            event=event,
            recipients=[person for person in recipients if person is not None],
            title=title,
            body=body,
            params={**self.params(actor), **params},
            campaign=self.campaign,
            url=self.url(),
            actor=actor,
        )

    def _requested(self, actor, level: int, params: dict) -> None:
        self._notify(
            event="approval.requested",
            actor=actor,
            recipients=self.approvers(level),
            title=self.requested_title,
            body=self.requested_body,
            params=params,
        )

    def _notify_outcome(self, actor, title, body, comment: str) -> None:
        self._notify(
            event="approval.decided",
            actor=actor,
            recipients=[self.subject.submitted_by, self.campaign.owner],
            title=title,
            body=body,
            params={"comment": comment},
        )

    def notify_submitted(self, actor, **params) -> None:
        self._requested(actor, self.level, params)

    def notify_forwarded(self, actor, level: int, comment: str) -> None:
        self._requested(actor, self.level, {})

    def notify_approved(self, actor, level: int, comment: str) -> None:
        self._notify_outcome(actor, self.approved_title, self.approved_body, comment)

    def notify_rejected(self, actor, level: int, comment: str) -> None:
        self._notify_outcome(actor, self.rejected_title, self.rejected_body, comment)
