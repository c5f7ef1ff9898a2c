"""The pre-launch readiness checklist (seed 004) that gates `launch`.

Eight items follow the seed. Those that can be read from the plan are checked automatically (SMART
goals, the contingency reserve, the team, the audience, KPIs); the others are ticked by a person.
The campaign owner may waive any open item with a reason. `readiness_guard` is registered on the
lifecycle's `launch` transition (apps.py), so launching with an open item is a 409 that lists it.

Other apps add automatic items with `register_readiness_check(key, label, check_fn)`; `check_fn`
takes the campaign and returns the problems as a list of strings (empty when the item holds), or a
bool. Registering an existing key replaces that item, so an app may automate a manual one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaignflow.audit.services import audit_record, snapshot
from campaignflow.core.errors import Conflict, Forbidden, NotFound, ValidationFailed, field_error

from . import permissions
from .choices import CampaignStatus, MemberRole
from .models import Campaign, ReadinessItem

# The checklist can be worked on until launch; afterwards it is the record of what was ready.
OPEN_STATUSES = (
    CampaignStatus.DRAFT,
    CampaignStatus.IN_REVIEW,
    CampaignStatus.APPROVED,
    CampaignStatus.PREPARING,
)

VERB_LABELS = {
    "readiness.checked": gettext_lazy("ticked a readiness item"),
    "readiness.unchecked": gettext_lazy("unticked a readiness item"),
    "readiness.waived": gettext_lazy("waived a readiness item"),
    "readiness.waiver_lifted": gettext_lazy("lifted the waiver of a readiness item"),
    "readiness.noted": gettext_lazy("annotated a readiness item"),
}


@dataclass(frozen=True)
class ReadinessCheck:
    """One item of the checklist; `check` is None when a person ticks it."""

    key: str
    label: str
    check: Callable[[Campaign], Iterable[str] | bool] | None = None
    description: str = ""
    order: int = 100

    @property
    def automatic(self) -> bool:
        return self.check is not None


CHECKS: dict[str, ReadinessCheck] = {}


def register_readiness_check(
    key: str, label, check_fn: Callable | None = None, *, description="", order: int | None = None
) -> None:
    """Add an item to the checklist (automatic when `check_fn` is given), or replace one by key."""
    if order is None:
        order = CHECKS[key].order if key in CHECKS else 100 + len(CHECKS)
    CHECKS[key] = ReadinessCheck(key, label, check_fn, description, order)


def checks() -> list[ReadinessCheck]:
    return sorted(CHECKS.values(), key=lambda check: (check.order, check.key))


def item_label(key: str) -> str:
    return str(CHECKS[key].label) if key in CHECKS else key


# --- the automatic checks ---------------------------------------------------------------------------


def _plan_errors(campaign: Campaign, *prefixes: str) -> list[str]:
    from .services import plan_problems

    # One evaluation of the plan serves every item of one checklist read (see `evaluate`).
    cache = campaign.__dict__.get("_readiness_plan_errors")
    if cache is None:
        cache = plan_problems(campaign)[0]
    return [str(error.message) for error in cache if error.field.split(".")[0] in prefixes]


def check_smart_goals(campaign: Campaign) -> list[str]:
    """Goals are SMART and the background states the objectives (the strategy)."""
    return _plan_errors(campaign, "goals", "background")


def check_budget(campaign: Campaign) -> list[str]:
    """The budget is broken down and the contingency reserve is within the org's range."""
    return _plan_errors(campaign, "budget_lines")


def check_team(campaign: Campaign) -> list[str]:
    """An owner, a project manager and at least one member with a group (物料组, 渠道组 …)."""
    members = list(campaign.members.values_list("role", "group"))
    roles = {role for role, _group in members}
    problems = []
    if MemberRole.OWNER not in roles:
        problems.append(_("No owner / marketing lead on the team."))
    if MemberRole.PROJECT_MANAGER not in roles:
        problems.append(_("No project manager on the team."))
    if not any(role == MemberRole.MEMBER and group.strip() for role, group in members):
        problems.append(_("No team member with a group (such as materials or channels)."))
    return problems


def check_audience(campaign: Campaign) -> list[str]:
    if campaign.target_audience.strip() or campaign.personas.exists():
        return []
    return [_("Describe the target audience or add a persona.")]


def check_kpis(campaign: Campaign) -> list[str]:
    """Every goal names its metric and a target: the KPIs tracked after launch."""
    goals = list(campaign.goals.all())
    if not goals:
        return [_("No goals, so no KPIs to track.")]
    return [
        _("Goal “%(goal)s” has no metric or no target.") % {"goal": goal}
        for goal in goals
        if not goal.metric.strip() or goal.target is None
    ]


register_readiness_check(
    "smart_goals",
    gettext_lazy("SMART goals and strategy"),
    check_smart_goals,
    description=gettext_lazy("Specific, measurable goals with deadlines, and the objectives behind them."),
    order=10,
)
register_readiness_check(
    "budget",
    gettext_lazy("Budget with contingency reserve"),
    check_budget,
    description=gettext_lazy("Every cost budgeted, with a contingency reserve (10–15%)."),
    order=20,
)
register_readiness_check(
    "team",
    gettext_lazy("Team roles and skills"),
    check_team,
    description=gettext_lazy("Owner, project manager and the working groups are on the team."),
    order=30,
)
register_readiness_check(
    "target_audience",
    gettext_lazy("Target audience"),
    check_audience,
    description=gettext_lazy("Who the campaign speaks to: the audience or personas."),
    order=40,
)
register_readiness_check(
    "journey_content",
    gettext_lazy("Content per journey stage"),
    description=gettext_lazy("Content ready for awareness, consideration and decision."),
    order=50,
)
register_readiness_check(
    "tools_tracking",
    gettext_lazy("Tools and tracking ready"),
    description=gettext_lazy("Tools chosen and connected; tracking links and UTM parameters tested."),
    order=60,
)
register_readiness_check(
    "raci_timeline",
    gettext_lazy("RACI and approval timeline"),
    description=gettext_lazy("Who is responsible for what, and when each piece is approved."),
    order=70,
)
register_readiness_check(
    "kpis",
    gettext_lazy("KPIs defined"),
    check_kpis,
    description=gettext_lazy("Each goal has a metric and a target to track after launch."),
    order=80,
)


# --- reading the checklist ----------------------------------------------------------------------------


@dataclass
class ReadinessRow:
    """One item as it stands now: automatic problems, or the person's tick, or the owner's waiver."""

    check: ReadinessCheck
    problems: list[str] = field(default_factory=list)
    item: ReadinessItem | None = None

    @property
    def key(self) -> str:
        return self.check.key

    @property
    def label(self) -> str:
        return str(self.check.label)

    @property
    def automatic(self) -> bool:
        return self.check.automatic

    @property
    def checked(self) -> bool:
        return bool(self.item and self.item.checked_at)

    @property
    def waived(self) -> bool:
        return bool(self.item and self.item.waived)

    @property
    def state(self) -> str:
        """done (holds, or ticked), waived (open but waived by the owner), or open."""
        if (self.automatic and not self.problems) or (not self.automatic and self.checked):
            return "done"
        return "waived" if self.waived else "open"

    def missing(self) -> str:
        """How a launch refusal names this item."""
        if self.automatic:
            detail = "; ".join(problem.rstrip(".。") for problem in self.problems)
        else:
            detail = _("not ticked or waived")
        return _("%(item)s (%(detail)s)") % {"item": self.label, "detail": detail}


def _run(check: ReadinessCheck, campaign: Campaign) -> list[str]:
    result = check.check(campaign)
    if isinstance(result, bool):
        return [] if result else [str(check.label)]
    return [str(problem) for problem in result or []]


def evaluate(campaign: Campaign) -> list[ReadinessRow]:
    """Every item in order, automatic ones computed from the plan now."""
    from .services import plan_problems

    items = {item.key: item for item in campaign.readiness_items.select_related("checked_by", "waived_by")}
    campaign.__dict__["_readiness_plan_errors"] = plan_problems(campaign)[0]
    try:
        return [
            ReadinessRow(check, _run(check, campaign) if check.automatic else [], items.get(check.key))
            for check in checks()
        ]
    finally:
        campaign.__dict__.pop("_readiness_plan_errors", None)


def readiness_guard(campaign: Campaign) -> list[str]:
    """Lifecycle guard on `launch`: the items that are neither done nor waived."""
    return [row.missing() for row in evaluate(campaign) if row.state == "open"]


# --- policy ---------------------------------------------------------------------------------------------


def can_tick(user, campaign: Campaign) -> bool:
    """The owner, planners and project managers (and admins) tick items and write notes."""
    return permissions.can_run(user, campaign) or permissions.can_edit_plan(user, campaign)


def can_waive(user, campaign: Campaign) -> bool:
    """Only the campaign owner takes responsibility for launching with an item open."""
    return permissions.member_role(user, campaign) == MemberRole.OWNER


# --- services ---------------------------------------------------------------------------------------------


def _verb(item: ReadinessItem, before: dict, checked, waived) -> str:
    if waived is True and not before["waived"]:
        return "readiness.waived"
    if waived is False and before["waived"]:
        return "readiness.waiver_lifted"
    if checked is True and not before["checked_at"]:
        return "readiness.checked"
    if checked is False and before["checked_at"]:
        return "readiness.unchecked"
    return "readiness.noted"


@transaction.atomic
def readiness_set(
    *,
    campaign: Campaign,
    actor,
    key: str,
    checked: bool | None = None,
    waived: bool | None = None,
    reason: str = "",
    note: str | None = None,
) -> ReadinessRow:
    """Tick or untick a manual item, waive or un-waive any item (owner only), or annotate it."""
    # The row lock serialises this with `launch`, which reads the checklist under the same lock.
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not permissions.can_view(actor, campaign):
        raise NotFound(_("Campaign not found."))
    if key not in CHECKS:
        raise NotFound(_("Unknown checklist item “%(key)s”.") % {"key": key})
    check = CHECKS[key]
    if waived is not None and not can_waive(actor, campaign):
        raise Forbidden(_("Only the campaign owner may waive a checklist item."))
    # A request that changes nothing is still a request to work on the checklist: refuse it first.
    if (checked is not None or note is not None or waived is None) and not can_tick(actor, campaign):
        raise Forbidden(
            _("Only the campaign owner, planners and project managers may work on the checklist.")
        )
    if campaign.status not in OPEN_STATUSES:
        raise Conflict(
            _("The checklist is closed: the campaign is %(status)s.")
            % {"status": campaign.get_status_display()},
            code="checklist_closed",
        )
    reason = (reason or "").strip()
    if checked is None and waived is None and note is None:
        raise ValidationFailed(_("Say whether the item is checked or waived."), code="nothing_to_do")
    if checked and waived:
        raise field_error("waived", _("An item is either checked or waived, not both."))
    if checked is not None and check.automatic:
        raise field_error(
            "checked",
            _("“%(item)s” is checked automatically from the campaign’s data.") % {"item": check.label},
        )
    if waived and not reason:
        raise field_error("reason", _("Give the reason for launching without this item."))
    if len(reason) > 1000 or (note is not None and len(note.strip()) > 1000):
        raise field_error("reason" if len(reason) > 1000 else "note", _("Keep it under 1000 characters."))
    item, _created = ReadinessItem.objects.get_or_create(campaign=campaign, key=key)
    before = snapshot(item, ["checked_by", "checked_at", "waived", "waiver_reason", "note"])
    now = timezone.now()
    if checked is not None:
        item.checked_by, item.checked_at = (actor, now) if checked else (None, None)
    if waived is not None:
        item.waived = waived
        item.waiver_reason = reason if waived else ""
        item.waived_by, item.waived_at = (actor, now) if waived else (None, None)
    if note is not None:
        item.note = note.strip()
    item.save()
    audit_record(
        actor=actor,
        verb=_verb(item, before, checked, waived),
        obj=item,
        campaign=campaign,
        before=before,
        after=snapshot(item, ["checked_by", "checked_at", "waived", "waiver_reason", "note"]),
        comment=reason,
        revision=campaign.revision,
    )
    row = next(row for row in evaluate(campaign) if row.key == key)
    return row
