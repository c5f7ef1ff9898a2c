"""Writes to campaigns: the plan, its parts, membership and every lifecycle transition.

Each public function is one business operation shared by the API, the web UI and the CLI: it
checks visibility (404), policy (403), state (409) and input (422) in that order, writes in one
transaction, and records an audit event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaignflow.accounts.models import Organization
from campaignflow.audit.services import audit_record, snapshot
from campaignflow.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed, field_error
from campaignflow.core.money import share

from . import approvals, lifecycle, permissions, scenarios
from .choices import BudgetCategory, CampaignStatus, MemberRole
from .lifecycle import GUARDS, TRANSITIONS
from .models import (
    BudgetLine,
    Campaign,
    CampaignMember,
    Goal,
    Milestone,
    Persona,
    RegistrationCounter,
    RegistrationRecord,
    RequirementsBrief,
    Risk,
)

PLAN_FIELDS = (
    "name",
    "background",
    "target_audience",
    "core_message",
    "theme",
    "format",
    "start_date",
    "end_date",
    "planned_on",
)
BRIEF_FIELDS = (
    "requested_by",
    "collection_method",
    "business_need",
    "objectives",
    "target_audience",
    "core_message",
    "key_dates",
    "constraints",
)
ITEM_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Goal: ("metric", "name", "baseline", "target", "unit", "direction", "deadline", "parent", "owner"),
    BudgetLine: ("category", "label", "channel", "amount", "note"),
    Risk: ("category", "description", "probability", "impact", "response", "owner", "status"),
    Milestone: ("name", "date", "note"),
    Persona: (
        "name",
        "age_min",
        "age_max",
        "gender",
        "city_tier",
        "spend_level",
        "interests",
        "channels",
        "description",
    ),
}


# --- shared checks ----------------------------------------------------------------------------


def _validate(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """Model validation (types, choices, lengths incl. TextField max_length) as a 422."""
    errors: list[FieldError] = []
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.extend(FieldError(name, message) for message in messages)
    for model_field in instance._meta.concrete_fields:
        if isinstance(model_field, models.TextField) and model_field.max_length:
            value = getattr(instance, model_field.attname) or ""
            if len(value) > model_field.max_length:
                errors.append(
                    FieldError(
                        model_field.name,
                        _("Ensure this value has at most %(max)d characters (it has %(n)d).")
                        % {"max": model_field.max_length, "n": len(value)},
                    )
                )
    if errors:
        raise ValidationFailed(
            _("Some fields are invalid: %(fields)s")
            % {"fields": ", ".join(sorted({error.field for error in errors}))},
            errors,
        )


def _lock(campaign: Campaign) -> Campaign:
    """Re-read the campaign holding its row lock, so concurrent transitions serialise.

    On PostgreSQL this is SELECT … FOR UPDATE; on SQLite the IMMEDIATE transaction already holds
    the database write lock from BEGIN, which serialises writers the same way.
    """
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _require_view(actor, campaign: Campaign) -> None:
    if not permissions.can_view(actor, campaign):
        raise NotFound(_("Campaign not found."))


def _require_editable(campaign: Campaign) -> None:
    if not campaign.is_editable:
        raise Conflict(
            _("The plan can only be changed in draft; this campaign is %(status)s.")
            % {"status": campaign.get_status_display()},
            code="not_editable",
        )


def _require_plan_editor(actor, campaign: Campaign) -> None:
    _require_view(actor, campaign)
    if not permissions.can_edit_plan(actor, campaign):
        raise Forbidden(_("Only the campaign owner and planners may change the plan."))
    _require_editable(campaign)


def _check_dates(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and end < start:
        raise field_error("end_date", _("The end date must not be before the start date."))


# --- plan ---------------------------------------------------------------------------------------


def _apply_template(*, campaign: Campaign, template: dict, budget_total: Decimal | None) -> None:
    """Prefill goals, budget split, milestones and risks from a scenario template."""
    total = budget_total if budget_total is not None else Decimal(template["default_budget"])
    for key in ("format", "theme"):
        if not getattr(campaign, key):
            setattr(campaign, key, scenarios.localized(template.get(key, "")))
    campaign.save()
    for goal in template["goals"]:
        Goal.objects.create(
            campaign=campaign,
            metric=goal["metric"],
            name=scenarios.localized(goal["name"]),
            target=Decimal(goal["target"]) if goal.get("target") else None,
            unit=goal.get("unit", ""),
            direction=goal.get("direction", "higher"),
            deadline=campaign.end_date,
            owner=campaign.owner,
        )
    split = {category: Decimal(value) for category, value in template["budget_split"].items()}
    amounts = {category: (total * fraction).quantize(Decimal("0.01")) for category, fraction in split.items()}
    # keep the sum exact: rounding residue goes to the largest line
    largest = max(amounts, key=lambda category: amounts[category])
    amounts[largest] += total - sum(amounts.values())
    for category, amount in amounts.items():
        BudgetLine.objects.create(campaign=campaign, category=category, amount=amount)
    if campaign.start_date:
        for milestone in template["milestones"]:
            Milestone.objects.create(
                campaign=campaign,
                name=scenarios.localized(milestone["name"]),
                date=_milestone_date(campaign, milestone),
            )
    for risk in template["risks"]:
        Risk.objects.create(
            campaign=campaign,
            category=risk["category"],
            description=scenarios.localized(risk["description"]),
            response=scenarios.localized(risk["response"]),
            probability=risk["probability"],
            impact=risk["impact"],
            owner=campaign.owner,
        )


def _milestone_date(campaign: Campaign, milestone: dict) -> dt.date:
    start, end = campaign.start_date, campaign.end_date or campaign.start_date
    if milestone.get("offset") == "end":
        return end
    if milestone.get("offset") == "middle":
        return start + (end - start) / 2
    return start + dt.timedelta(days=milestone.get("offset_days", 0))


@transaction.atomic
def campaign_create(
    *,
    actor,
    name: str,
    department,
    template: str = "",
    budget_total: Decimal | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    owner=None,
    **plan_fields,
) -> Campaign:
    """Create a draft campaign, optionally prefilled from a scenario template.

    The creator becomes a member with the owner role. With a template and no end date, the end
    date follows from the template's usual duration.
    """
    if department is None:
        raise field_error("department", _("Choose a department."))
    if not permissions.can_create_campaign(actor, department):
        raise Forbidden(_("You may create campaigns only for your own department."))
    data = None
    if template:
        data = scenarios.get(template)
        if data is None:
            raise field_error(
                "template",
                _("Unknown template “%(key)s”; choose one of %(keys)s.")
                % {"key": template, "keys": ", ".join(scenarios.available())},
            )
        if start_date and not end_date:
            try:
                end_date = start_date + dt.timedelta(days=data["duration_days"] - 1)
                # the earliest template milestone is a few weeks before the start
                start_date - dt.timedelta(days=60)
            except OverflowError:
                raise field_error("start_date", _("The start date is out of range."))
    if budget_total is not None and Decimal(budget_total) < 0:
        raise field_error("budget_total", _("The budget must not be negative."))
    unknown = set(plan_fields) - set(PLAN_FIELDS)
    if unknown:
        raise field_error(sorted(unknown)[0], _("Unknown field."))
    _check_dates(start_date, end_date)
    campaign = Campaign(
        name=(name or "").strip(),
        department=department,
        owner=owner or actor,
        created_by=actor,
        template=template or "",
        start_date=start_date,
        end_date=end_date,
        **plan_fields,
    )
    _validate(campaign, exclude=["number"])
    campaign.save()
    RequirementsBrief.objects.create(campaign=campaign)
    CampaignMember.objects.create(campaign=campaign, user=campaign.owner, role=MemberRole.OWNER)
    if actor.pk != campaign.owner.pk and not permissions.can_edit_plan(actor, campaign):
        CampaignMember.objects.create(campaign=campaign, user=actor, role=MemberRole.PLANNER)
    if data is not None:
        _apply_template(campaign=campaign, template=data, budget_total=budget_total)
    audit_record(
        actor=actor, verb="campaign.created", obj=campaign, campaign=campaign, after=snapshot(campaign)
    )
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor, data: dict) -> Campaign:
    """Change plan fields of a draft campaign."""
    campaign = _lock(campaign)
    _require_plan_editor(actor, campaign)
    unknown = set(data) - set(PLAN_FIELDS)
    if unknown:
        raise field_error(sorted(unknown)[0], _("This field cannot be changed here."))
    if not data:
        return campaign
    before = snapshot(campaign, list(data))
    for key, value in data.items():
        setattr(campaign, key, value.strip() if isinstance(value, str) else value)
    _validate(campaign, exclude=["number"])
    _check_dates(campaign.start_date, campaign.end_date)
    campaign.save()
    audit_record(
        actor=actor,
        verb="campaign.updated",
        obj=campaign,
        campaign=campaign,
        before=before,
        after=snapshot(campaign, list(data)),
        revision=campaign.revision,
    )
    return campaign


@transaction.atomic
def brief_update(*, campaign: Campaign, actor, data: dict) -> RequirementsBrief:
    """Write the requirements brief (活动需求说明书) of a draft campaign."""
    campaign = _lock(campaign)
    _require_plan_editor(actor, campaign)
    unknown = set(data) - set(BRIEF_FIELDS)
    if unknown:
        raise field_error(sorted(unknown)[0], _("Unknown field."))
    brief, _created = RequirementsBrief.objects.get_or_create(campaign=campaign)
    before = snapshot(brief, list(data))
    for key, value in data.items():
        setattr(brief, key, (value or "").strip())
    _validate(brief, exclude=["campaign"])
    brief.save()
    audit_record(
        actor=actor,
        verb="brief.updated",
        obj=brief,
        campaign=campaign,
        before=before,
        after=snapshot(brief, list(data)),
        revision=campaign.revision,
    )
    return brief


# --- plan items: goals, budget lines, risks, milestones, personas ----------------------------


def _check_item(instance: models.Model, campaign: Campaign) -> None:
    """Rules that span rows, per kind of item."""
    if isinstance(instance, Goal) and instance.parent_id:
        parent = Goal.objects.filter(pk=instance.parent_id, campaign=campaign).first()
        if parent is None:
            raise field_error("parent", _("The parent goal must belong to the same campaign."))
        node = parent
        while node is not None:
            if instance.pk and node.pk == instance.pk:
                raise field_error("parent", _("A goal cannot be its own ancestor."))
            node = node.parent
    if isinstance(instance, BudgetLine):
        siblings = BudgetLine.objects.filter(campaign=campaign).exclude(pk=instance.pk)
        if instance.category == BudgetCategory.CUSTOM:
            if not instance.label.strip():
                raise field_error("label", _("A custom budget line needs a label."))
            if siblings.filter(category=BudgetCategory.CUSTOM, label=instance.label.strip()).exists():
                raise field_error("label", _("There is already a budget line with this label."))
        elif siblings.filter(category=instance.category, channel_id=instance.channel_id).exists():
            raise field_error(
                "category",
                (
                    _("There is already a “%(category)s” line for this channel; change that line instead.")
                    if instance.channel_id
                    else _("There is already a “%(category)s” line; change that line instead.")
                )
                % {"category": instance.get_category_display()},
            )
    if (
        isinstance(instance, Persona)
        and instance.age_min
        and instance.age_max
        and instance.age_min > instance.age_max
    ):
        raise field_error("age_max", _("The maximum age must not be below the minimum age."))


def _item_verb(instance: models.Model, action: str) -> str:
    return f"{instance._meta.model_name}.{action}"


def _assign(instance: models.Model, data: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise field_error(sorted(unknown)[0], _("Unknown field."))
    for key, value in data.items():
        model_field = instance._meta.get_field(key)
        if isinstance(model_field, models.ForeignKey):
            setattr(instance, model_field.attname, getattr(value, "pk", value))
        else:
            setattr(instance, key, value.strip() if isinstance(value, str) else value)


@transaction.atomic
def plan_item_create(*, campaign: Campaign, actor, model: type[models.Model], data: dict) -> models.Model:
    """Add a goal, budget line, risk, milestone or persona to a draft plan."""
    campaign = _lock(campaign)
    _require_plan_editor(actor, campaign)
    instance = model(campaign=campaign)
    _assign(instance, data, ITEM_FIELDS[model])
    _validate(instance, exclude=["campaign"])
    _check_item(instance, campaign)
    instance.save()
    audit_record(
        actor=actor,
        verb=_item_verb(instance, "created"),
        obj=instance,
        campaign=campaign,
        after=snapshot(instance),
        revision=campaign.revision,
    )
    return instance


@transaction.atomic
def plan_item_update(*, item: models.Model, actor, data: dict) -> models.Model:
    """Change one item of a draft plan."""
    campaign = _lock(item.campaign)
    _require_plan_editor(actor, campaign)
    before = snapshot(item)
    _assign(item, data, ITEM_FIELDS[type(item)])
    _validate(item, exclude=["campaign"])
    _check_item(item, campaign)
    item.save()
    audit_record(
        actor=actor,
        verb=_item_verb(item, "updated"),
        obj=item,
        campaign=campaign,
        before=before,
        after=snapshot(item),
        revision=campaign.revision,
    )
    return item


@transaction.atomic
def plan_item_delete(*, item: models.Model, actor) -> None:
    """Remove one item of a draft plan."""
    campaign = _lock(item.campaign)
    _require_plan_editor(actor, campaign)
    before = snapshot(item)
    audit_record(
        actor=actor,
        verb=_item_verb(item, "deleted"),
        obj=item,
        campaign=campaign,
        before=before,
        revision=campaign.revision,
    )
    item.delete()


# --- membership ----------------------------------------------------------------------------------


@transaction.atomic
def member_add(
    *, campaign: Campaign, actor, user, role: str = MemberRole.MEMBER, group: str = ""
) -> CampaignMember:
    """Give a person a role in the campaign."""
    campaign = _lock(campaign)
    _require_view(actor, campaign)
    if not permissions.can_manage_members(actor, campaign):
        raise Forbidden(_("Only the owner and project managers may change the team."))
    if user is None or not user.is_active:
        raise field_error("user", _("Choose an active user."))
    if CampaignMember.objects.filter(campaign=campaign, user=user).exists():
        raise field_error("user", _("%(user)s is already on the team.") % {"user": user})
    member = CampaignMember(campaign=campaign, user=user, role=role, group=(group or "").strip())
    _validate(member, exclude=["campaign", "user"])
    member.save()
    audit_record(actor=actor, verb="member.added", obj=member, campaign=campaign, after=snapshot(member))
    return member


@transaction.atomic
def member_update(*, member: CampaignMember, actor, data: dict) -> CampaignMember:
    campaign = _lock(member.campaign)
    _require_view(actor, campaign)
    if not permissions.can_manage_members(actor, campaign):
        raise Forbidden(_("Only the owner and project managers may change the team."))
    before = snapshot(member)
    _assign(member, data, ("role", "group"))
    _validate(member, exclude=["campaign", "user"])
    _check_owner_remains(campaign, excluding=member if member.role != MemberRole.OWNER else None)
    member.save()
    audit_record(
        actor=actor,
        verb="member.updated",
        obj=member,
        campaign=campaign,
        before=before,
        after=snapshot(member),
    )
    return member


@transaction.atomic
def member_remove(*, member: CampaignMember, actor) -> None:
    campaign = _lock(member.campaign)
    _require_view(actor, campaign)
    if not permissions.can_manage_members(actor, campaign):
        raise Forbidden(_("Only the owner and project managers may change the team."))
    _check_owner_remains(campaign, excluding=member)
    audit_record(actor=actor, verb="member.removed", obj=member, campaign=campaign, before=snapshot(member))
    member.delete()


def _check_owner_remains(campaign: Campaign, excluding: CampaignMember | None) -> None:
    owners = CampaignMember.objects.filter(campaign=campaign, role=MemberRole.OWNER)
    if excluding is not None:
        owners = owners.exclude(pk=excluding.pk)
    if not owners.exists():
        raise Conflict(_("A campaign must keep at least one owner."), code="last_owner")


# --- submission checks -----------------------------------------------------------------------------


def plan_problems(campaign: Campaign) -> tuple[list[FieldError], list[str]]:
    """What blocks submission (errors) and what only deserves a second look (warnings)."""
    org = Organization.current()
    errors: list[FieldError] = []
    warnings: list[str] = []
    if not campaign.background.strip():
        errors.append(FieldError("background", _("Describe the background and objectives.")))
    if not campaign.target_audience.strip() and not campaign.personas.exists():
        errors.append(FieldError("target_audience", _("Describe the target audience or add a persona.")))
    if not campaign.theme.strip():
        errors.append(FieldError("theme", _("Give the campaign a theme.")))
    if not campaign.start_date or not campaign.end_date:
        errors.append(FieldError("start_date", _("Set the start and end dates.")))
    goals = list(campaign.goals.all())
    if not goals:
        errors.append(FieldError("goals", _("Add at least one SMART goal.")))
    for goal in goals:
        if not goal.is_smart:
            errors.append(
                FieldError(
                    f"goals.{goal.pk}",
                    _("Goal “%(goal)s” is not SMART: it needs a measurable target and a deadline.")
                    % {"goal": goal},
                )
            )
    lines = list(campaign.budget_lines.all())
    total = sum((line.amount for line in lines), Decimal("0"))
    if total <= 0:
        errors.append(FieldError("budget_lines", _("Add the budget, broken down by category.")))
    else:
        contingency = sum(
            (line.amount for line in lines if line.category == BudgetCategory.CONTINGENCY), Decimal("0")
        )
        ratio = share(contingency, total) or Decimal("0")
        if ratio < org.contingency_min:
            errors.append(
                FieldError(
                    "budget_lines.contingency",
                    _("The contingency reserve is %(actual)s of the budget; at least %(min)s is required.")
                    % {"actual": f"{ratio:.1%}", "min": f"{org.contingency_min:.0%}"},
                )
            )
        elif ratio > org.contingency_max:
            warnings.append(
                _("The contingency reserve is %(actual)s of the budget, above the usual maximum of %(max)s.")
                % {"actual": f"{ratio:.1%}", "max": f"{org.contingency_max:.0%}"}
            )
    if not campaign.risks.exists():
        warnings.append(_("No risks are listed; consider weather, traffic and supply risks."))
    return errors, warnings


# --- lifecycle ---------------------------------------------------------------------------------------


def _conflict_from(campaign: Campaign, action: str) -> Conflict:
    return Conflict(
        _("Cannot %(action)s a campaign that is %(status)s.")
        % {"action": str(TRANSITIONS[action].label).lower(), "status": campaign.get_status_display()},
        code="invalid_transition",
    )


def _approval_levels() -> list[str]:
    return list(Organization.current().approval_levels or [])


def _register(*, campaign: Campaign, actor) -> RegistrationRecord:
    """Give the approved campaign its number and write the registration record (立项登记表)."""
    today = timezone.localdate()
    # The counter row lock makes numbers gapless and unique under concurrent approvals: the
    # second approver waits here until the first commits, then reads the incremented value.
    RegistrationCounter.objects.get_or_create(year=today.year)
    counter = RegistrationCounter.objects.select_for_update().get(year=today.year)
    counter.last += 1
    counter.save(update_fields=["last"])
    number = f"MC-{today.year}-{counter.last:04d}"
    campaign.number = number
    campaign.status = CampaignStatus.APPROVED
    campaign.approval_level = 0
    campaign.approved_at = timezone.now()
    campaign.save()
    record = RegistrationRecord.objects.create(
        campaign=campaign,
        number=number,
        year=today.year,
        sequence=counter.last,
        owner_name=str(campaign.owner),
        department_name=campaign.department.name,
        budget_total=campaign.budget_total,
        start_date=campaign.start_date,
        end_date=campaign.end_date,
        approved_by=actor,
    )
    audit_record(
        actor=actor,
        verb="campaign.registered",
        obj=campaign,
        campaign=campaign,
        after={"number": number, "budget_total": record.budget_total},
        revision=campaign.revision,
    )
    for hook in lifecycle.ON_REGISTERED:
        hook(campaign=campaign, actor=actor)
    return record


@transaction.atomic
def campaign_submit(*, campaign: Campaign, actor, comment: str = "") -> Campaign:
    """Send the draft plan to the first approval level; blocks on SMART and contingency rules."""
    campaign = _lock(campaign)
    _require_view(actor, campaign)
    if not permissions.can_submit(actor, campaign):
        raise Forbidden(_("Only the campaign owner and planners may submit the plan."))
    if campaign.status not in TRANSITIONS["submit"].sources:
        raise _conflict_from(campaign, "submit")
    errors, _warnings = plan_problems(campaign)
    if errors:
        raise ValidationFailed(
            _("The plan is not ready to submit: %(first)s") % {"first": errors[0].message},
            errors,
            code="plan_incomplete",
        )
    campaign.status = CampaignStatus.IN_REVIEW
    campaign.approval_level = 1
    campaign.submitted_at = timezone.now()
    campaign.save()
    approvals.submitted(
        PlanFlow(campaign),
        actor,
        comment,
        before={"status": CampaignStatus.DRAFT},
        after={"status": campaign.status},
    )
    return campaign


class PlanFlow(approvals.ApprovalFlow):
    """The plan through the approval engine (campaigns.approvals): the organization's levels; the
    last approval registers the campaign, a rejection sends it back to draft as the next revision."""

    verb = "campaign"
    wrong_level = gettext_lazy(
        "This plan is waiting for approval level %(level)d; you approve at level %(mine)s."
    )
    reason_required = gettext_lazy("Say why the plan is rejected.")

    def __init__(self, campaign: Campaign):
        self.subject = self.campaign = campaign
        self.levels = _approval_levels()
        self.level = campaign.approval_level
        self.revision = campaign.revision

    @property
    def in_review(self) -> bool:
        return self.campaign.status == CampaignStatus.IN_REVIEW

    def target(self) -> dict:
        return {"campaign": self.campaign}

    def require_view(self, actor) -> None:
        _require_view(actor, self.campaign)

    def not_in_review(self, action: str) -> Conflict:
        return _conflict_from(self.campaign, action)

    def forward(self, level: int) -> None:
        super().forward(level)
        self.campaign.approval_level = level
        self.campaign.save(update_fields=["approval_level", "updated_at"])

    def approved(self, actor, comment: str) -> None:
        self.campaign.status = CampaignStatus.APPROVED
        self.campaign.approval_level = 0

    def after_approved(self, actor, comment: str) -> None:
        _register(campaign=self.campaign, actor=actor)

    def rejected(self, actor, comment: str) -> None:
        self.campaign.status = CampaignStatus.DRAFT
        self.campaign.approval_level = 0
        self.campaign.revision += 1
        self.campaign.save()

    def notify_submitted(self, actor, **params) -> None:
        from campaignflow.notifications import approvals as approval_notices

        approval_notices.plan_submitted(campaign=self.campaign, actor=actor)

    def notify_forwarded(self, actor, level: int, comment: str) -> None:
        from campaignflow.notifications import approvals as approval_notices

        approval_notices.plan_approved(campaign=self.campaign, actor=actor, level=level, comment=comment)

    notify_approved = notify_forwarded

    def notify_rejected(self, actor, level: int, comment: str) -> None:
        from campaignflow.notifications import approvals as approval_notices

        approval_notices.plan_rejected(campaign=self.campaign, actor=actor, level=level, comment=comment)


@transaction.atomic
def campaign_approve(*, campaign: Campaign, actor, comment: str = "") -> Campaign:
    """Approve the current level; the last level registers the campaign with its number."""
    campaign = _lock(campaign)
    approvals.approve(PlanFlow(campaign), actor, comment)
    return campaign


@transaction.atomic
def campaign_reject(*, campaign: Campaign, actor, comment: str = "") -> Campaign:
    """Send the plan back to draft with the approver's comment; the next revision starts."""
    campaign = _lock(campaign)
    approvals.reject(PlanFlow(campaign), actor, comment)
    return campaign


@transaction.atomic
def campaign_move(*, campaign: Campaign, actor, action: str, comment: str = "") -> Campaign:
    """The transitions after registration: start_preparation, launch, optimize, close, archive, cancel."""
    transition = TRANSITIONS[action]
    campaign = _lock(campaign)
    _require_view(actor, campaign)
    if not transition.permission(actor, campaign):
        raise Forbidden(
            _("You may not %(action)s this campaign.") % {"action": str(transition.label).lower()}
        )
    if campaign.status not in transition.sources:
        raise _conflict_from(campaign, action)
    comment = (comment or "").strip()
    if transition.comment_required and not comment:
        raise field_error("comment", _("A reason is required."))
    missing = [item for guard in GUARDS[action] for item in guard(campaign)]
    if missing:
        raise Conflict(
            _("Cannot %(action)s yet: %(missing)s")
            % {"action": str(transition.label).lower(), "missing": "; ".join(str(m) for m in missing)},
            code="guard_failed",
            errors=[FieldError("guard", str(m)) for m in missing],
        )
    before = {"status": campaign.status}
    campaign.status = transition.target
    campaign.approval_level = 0
    if action == "cancel":
        campaign.cancel_reason = comment
    campaign.save()
    audit_record(
        actor=actor,
        verb=f"campaign.{action}",
        obj=campaign,
        campaign=campaign,
        comment=comment,
        before=before,
        after={"status": campaign.status},
        revision=campaign.revision,
    )
    for hook in lifecycle.AFTER[action]:
        hook(campaign=campaign, actor=actor, comment=comment)
    return campaign


def campaign_transition(*, campaign: Campaign, actor, action: str, comment: str = "") -> Campaign:
    """Run one lifecycle action by name; the one entry point for API, UI and CLI."""
    action = action.replace("-", "_")
    if action not in TRANSITIONS:
        raise NotFound(_("Unknown action “%(action)s”.") % {"action": action})
    if action == "submit":
        return campaign_submit(campaign=campaign, actor=actor, comment=comment)
    if action == "approve":
        return campaign_approve(campaign=campaign, actor=actor, comment=comment)
    if action == "reject":
        return campaign_reject(campaign=campaign, actor=actor, comment=comment)
    return campaign_move(campaign=campaign, actor=actor, action=action, comment=comment)
