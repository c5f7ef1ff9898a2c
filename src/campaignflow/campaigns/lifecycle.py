"""The campaign lifecycle as data (DESIGN §3): which action moves which states where.

`approve` is special: it stays in review until the last approval level, then registers the
campaign (see services.campaign_approve). Guards that need other apps (readiness before launch,
close-out documents before archive) are looked up in GUARDS so later apps extend them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import permissions
from .choices import CampaignStatus as S


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    label: str
    permission: Callable
    comment_required: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", (S.DRAFT,), S.IN_REVIEW, _("Submit for approval"), permissions.can_submit),
        # permission for approve/reject is checked per level in the service
        Transition("approve", (S.IN_REVIEW,), S.APPROVED, _("Approve"), permissions.can_view),
        Transition(
            "reject", (S.IN_REVIEW,), S.DRAFT, _("Reject"), permissions.can_view, comment_required=True
        ),
        Transition(
            "start_preparation", (S.APPROVED,), S.PREPARING, _("Start preparation"), permissions.can_run
        ),
        Transition("launch", (S.PREPARING,), S.LIVE, _("Launch"), permissions.can_run),
        Transition("optimize", (S.LIVE,), S.OPTIMIZING, _("Start optimizing"), permissions.can_run),
        Transition("close", (S.LIVE, S.OPTIMIZING), S.CLOSING, _("Close"), permissions.can_run),
        Transition("archive", (S.CLOSING,), S.ARCHIVED, _("Archive"), permissions.can_run),
        Transition(
            "cancel",
            (S.DRAFT, S.IN_REVIEW, S.APPROVED, S.PREPARING, S.LIVE, S.OPTIMIZING),
            S.CANCELLED,
            _("Cancel"),
            permissions.can_cancel,
            comment_required=True,
        ),
    )
}

# action -> list of callables(campaign) returning a list of human-readable missing items.
GUARDS: dict[str, list[Callable]] = {action: [] for action in TRANSITIONS}


def register_guard(action: str, guard: Callable) -> None:
    """Let another app block a transition until its conditions hold (e.g. readiness checklist)."""
    if guard not in GUARDS[action]:
        GUARDS[action].append(guard)


# Called inside the approving transaction once a campaign is registered, as fn(campaign=, actor=):
# the execution app freezes the baseline of tasks planned before approval.
ON_REGISTERED: list[Callable] = []


def register_on_registered(hook: Callable) -> None:
    """Let another app act, in the same transaction, when a plan's final approval registers it."""
    if hook not in ON_REGISTERED:
        ON_REGISTERED.append(hook)


# Called inside the transaction after one of the moves past registration succeeded (start_preparation,
# launch, optimize, close, archive, cancel), as fn(campaign=, actor=, comment=): the knowledge base
# snapshots a campaign when it is archived.
AFTER: dict[str, list[Callable]] = {action: [] for action in TRANSITIONS}


def register_after(action: str, hook: Callable) -> None:
    """Let another app act, in the same transaction, once a campaign has made this move."""
    if hook not in AFTER[action]:
        AFTER[action].append(hook)


def allowed_actions(status: str) -> list[str]:
    """Actions whose source states include `status`, in table order."""
    return [action for action, t in TRANSITIONS.items() if status in t.sources]
