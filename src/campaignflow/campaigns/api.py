"""API routes for campaigns, their plan, lifecycle actions, approvals and audit (DESIGN §5).

Each route parses input, turns ids into objects, calls one service or selector and renders; the
rules live in services.py (writes), selectors.py (reads) and permissions.py (who may), shared with
the web UI. Lifecycle actions and plan-item kinds get one explicit route each, so URL matching is
unambiguous (`/campaigns/1/approve` never shadows `/campaigns/1/approvals`) and an unknown action
is a plain 404.

This module deliberately has no `from __future__ import annotations`: the plan-item routes are
built by `_plan_item_routes`, and Ninja must see their payload types as objects, not strings.
"""

from enum import Enum

from django.db.models import Model
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from ninja import Query, Router

from campaignflow.accounts.models import Department, User
from campaignflow.audit.selectors import audit_for_campaign
from campaignflow.core.errors import Forbidden, NotFound, field_error
from campaignflow.metrics.models import Channel

from . import changes, lifecycle, permissions, readiness, scenarios, selectors, services
from .models import (
    BudgetLine,
    Campaign,
    CampaignMember,
    Goal,
    Milestone,
    Persona,
    RegistrationRecord,
    RequirementsBrief,
    Risk,
)
from .schemas import (
    MAX_ID,
    ApprovalOut,
    AuditEventOut,
    BriefIn,
    BriefOut,
    BudgetLineIn,
    BudgetLineOut,
    BudgetLinePatch,
    CampaignDetailOut,
    CampaignFilters,
    CampaignIn,
    CampaignOut,
    CampaignPatch,
    ChangeRequestDetailOut,
    ChangeRequestIn,
    ChangeRequestOut,
    ChangeRequestPatch,
    GoalIn,
    GoalOut,
    GoalPatch,
    MemberIn,
    MemberOut,
    MemberPatch,
    MilestoneIn,
    MilestoneOut,
    MilestonePatch,
    PersonaIn,
    PersonaOut,
    PersonaPatch,
    PlanCheckOut,
    PlanSnapshotOut,
    ReadinessIn,
    ReadinessItemOut,
    ReadinessOut,
    RegistrationOut,
    RiskIn,
    RiskOut,
    RiskPatch,
    TemplateOut,
    TransitionIn,
    decimal_str,
)

router = Router(tags=["campaigns"])

CAMPAIGN = "/campaigns/{int:campaign_id}"


# --- lookups ------------------------------------------------------------------------------------


def _campaign(request, campaign_id: int) -> Campaign:
    """The campaign if the user may see it; missing and invisible are the same 404."""
    if campaign_id > MAX_ID:
        raise NotFound(_("Campaign not found."))
    return selectors.campaign_get(user=request.user, pk=campaign_id)


def _item(request, model: type[Model], item_id: int, related: tuple[str, ...] = ()) -> Model:
    """A plan item or membership whose campaign the user may see; otherwise 404."""
    item = None
    if item_id <= MAX_ID:
        item = model.objects.select_related("campaign", *related).filter(pk=item_id).first()
    if item is None or not permissions.can_view(request.user, item.campaign):
        raise NotFound(_("%(object)s not found.") % {"object": capfirst(model._meta.verbose_name)})
    return item


def _active_user(field: str, pk: int, campaign: Campaign) -> User:
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise field_error(field, _("Unknown or inactive user."))
    return user


def _goal_of(field: str, pk: int, campaign: Campaign) -> Goal:
    goal = Goal.objects.filter(pk=pk, campaign=campaign).first()
    if goal is None:
        raise field_error(field, _("The parent goal must belong to the same campaign."))
    return goal


def _channel(field: str, pk: int, campaign: Campaign) -> Channel:
    channel = Channel.objects.filter(pk=pk).first()
    if channel is None:
        raise field_error(field, _("Unknown channel."))
    return channel


# Request fields that carry the id of another object, and how to find that object.
REFERENCES = {"owner": _active_user, "parent": _goal_of, "channel": _channel}


def _resolve(data: dict, campaign: Campaign) -> dict:
    """Plain values for the service: enum members as strings, referenced ids as objects (422 if unknown)."""
    resolved = {}
    for key, value in data.items():
        if isinstance(value, Enum):
            value = value.value
        if value is not None and key in REFERENCES:
            value = REFERENCES[key](key, value, campaign)
        resolved[key] = value
    return resolved


def _detail(request, campaign: Campaign) -> Campaign:
    campaign.allowed_actions = [
        a.replace("_", "-") for a in permissions.allowed_actions(request.user, campaign)
    ]
    return campaign


# --- campaigns ----------------------------------------------------------------------------------


@router.get("/campaigns", response=list[CampaignOut])
def list_campaigns(request, filters: Query[CampaignFilters]):
    """The campaigns the user may see, newest first. `status` takes a comma-separated list."""
    data = filters.dict()
    limit, offset = data.pop("limit"), data.pop("offset")
    campaigns = selectors.campaign_list(user=request.user, **data)
    return campaigns[offset : offset + limit] if limit else campaigns[offset:]


@router.post("/campaigns", response={201: CampaignDetailOut})
def create_campaign(request, payload: CampaignIn):
    """Create a draft; with a `template` key the plan is prefilled from that scenario."""
    data = payload.dict(exclude_unset=True)
    department = Department.objects.filter(pk=data.pop("department")).first()
    if department is None:
        raise field_error("department", _("Unknown department."))
    if data.get("planned_on") is None:
        data.pop("planned_on", None)
    campaign = services.campaign_create(actor=request.user, department=department, **data)
    return _detail(request, campaign)


@router.get(CAMPAIGN, response=CampaignDetailOut)
def get_campaign(request, campaign_id: int):
    return _detail(request, _campaign(request, campaign_id))


@router.patch(CAMPAIGN, response=CampaignDetailOut)
def update_campaign(request, campaign_id: int, payload: CampaignPatch):
    """Change the plan fields sent; only in draft, by the owner and planners."""
    campaign = _campaign(request, campaign_id)
    campaign = services.campaign_update(
        campaign=campaign, actor=request.user, data=payload.dict(exclude_unset=True)
    )
    return _detail(request, campaign)


def _transition_route(action: str) -> None:
    route = action.replace("_", "-")

    @router.post(
        f"{CAMPAIGN}/{route}",
        response=CampaignDetailOut,
        operation_id=f"campaign_{action}",
        summary=f"Lifecycle action: {route}",
    )
    def transition(request, campaign_id: int, payload: TransitionIn = None):
        """Run one lifecycle action. 409 from the wrong state, 403 when the user may not."""
        campaign = _campaign(request, campaign_id)
        comment = payload.comment if payload is not None else ""
        campaign = services.campaign_transition(
            campaign=campaign, actor=request.user, action=action, comment=comment
        )
        return _detail(request, campaign)


for _action in lifecycle.TRANSITIONS:
    _transition_route(_action)


@router.get(f"{CAMPAIGN}/brief", response=BriefOut)
def get_brief(request, campaign_id: int):
    """The requirements brief (活动需求说明书); empty until written."""
    campaign = _campaign(request, campaign_id)
    return RequirementsBrief.objects.filter(campaign=campaign).first() or RequirementsBrief(campaign=campaign)


@router.patch(f"{CAMPAIGN}/brief", response=BriefOut)
def update_brief(request, campaign_id: int, payload: BriefIn):
    campaign = _campaign(request, campaign_id)
    return services.brief_update(campaign=campaign, actor=request.user, data=payload.dict(exclude_unset=True))


@router.get(f"{CAMPAIGN}/approvals", response=list[ApprovalOut])
def list_approvals(request, campaign_id: int):
    """Every approval decision, oldest first, across revisions."""
    return selectors.approvals_for(campaign=_campaign(request, campaign_id))


@router.get(f"{CAMPAIGN}/audit", response=list[AuditEventOut])
def list_audit(
    request,
    campaign_id: int,
    limit: int = Query(500, ge=1, le=5000),
    offset: int = Query(0, ge=0, le=MAX_ID),
):
    """Who did what to the campaign and everything in it, newest first."""
    campaign = _campaign(request, campaign_id)
    if not permissions.can_view_audit(request.user, campaign):
        raise Forbidden(_("You may not see the history of this campaign."))
    return audit_for_campaign(campaign=campaign)[offset : offset + limit]


@router.get(f"{CAMPAIGN}/registration", response=RegistrationOut)
def get_registration(request, campaign_id: int):
    """The registration record (活动立项登记表); 404 until the last approval."""
    campaign = _campaign(request, campaign_id)
    record = RegistrationRecord.objects.select_related("approved_by").filter(campaign=campaign).first()
    if record is None:
        raise NotFound(_("This campaign is not registered yet."))
    return record


@router.get(f"{CAMPAIGN}/plan-check", response=PlanCheckOut)
def plan_check(request, campaign_id: int):
    """What would block submission now, and what only deserves a second look."""
    campaign = _campaign(request, campaign_id)
    errors, warnings = services.plan_problems(campaign)
    return {
        "ready": not errors,
        "errors": [error.as_dict() for error in errors],
        "warnings": [str(warning) for warning in warnings],
    }


# --- plan items: goals, budget lines, risks, milestones, personas -------------------------------


def _plan_item_routes(
    *,
    path: str,
    model: type[Model],
    schema_in: type,
    schema_patch: type,
    schema_out: type,
    related: tuple[str, ...] = (),
) -> None:
    """GET|POST /campaigns/{id}/<path> and GET|PATCH|DELETE /<path>/{id} for one kind of item.

    Five kinds share the same shape and the same three services, so one definition keeps their
    behaviour (404 for invisible, 422 for unknown references) from drifting apart.
    """
    name = model._meta.model_name
    tag = [str(path)]

    @router.get(f"{CAMPAIGN}/{path}", response=list[schema_out], operation_id=f"list_{name}s", tags=tag)
    def list_items(request, campaign_id: int):
        campaign = _campaign(request, campaign_id)
        return (
            model.objects.filter(campaign=campaign)
            .select_related(*related)
            .order_by(*model._meta.ordering or ["id"])
        )

    @router.post(f"{CAMPAIGN}/{path}", response={201: schema_out}, operation_id=f"create_{name}", tags=tag)
    def create_item(request, campaign_id: int, payload: schema_in):
        campaign = _campaign(request, campaign_id)
        return services.plan_item_create(
            campaign=campaign, actor=request.user, model=model, data=_resolve(payload.dict(), campaign)
        )

    @router.get(f"/{path}/{{int:item_id}}", response=schema_out, operation_id=f"get_{name}", tags=tag)
    def get_item(request, item_id: int):
        return _item(request, model, item_id, related)

    @router.patch(f"/{path}/{{int:item_id}}", response=schema_out, operation_id=f"update_{name}", tags=tag)
    def update_item(request, item_id: int, payload: schema_patch):
        item = _item(request, model, item_id, related)
        data = _resolve(payload.dict(exclude_unset=True), item.campaign)
        return services.plan_item_update(item=item, actor=request.user, data=data)

    @router.delete(f"/{path}/{{int:item_id}}", response={204: None}, operation_id=f"delete_{name}", tags=tag)
    def delete_item(request, item_id: int):
        services.plan_item_delete(item=_item(request, model, item_id), actor=request.user)


_plan_item_routes(
    path="goals", model=Goal, schema_in=GoalIn, schema_patch=GoalPatch, schema_out=GoalOut, related=("owner",)
)
_plan_item_routes(
    path="budget-lines",
    model=BudgetLine,
    schema_in=BudgetLineIn,
    schema_patch=BudgetLinePatch,
    schema_out=BudgetLineOut,
    related=("channel",),
)
_plan_item_routes(
    path="risks", model=Risk, schema_in=RiskIn, schema_patch=RiskPatch, schema_out=RiskOut, related=("owner",)
)
_plan_item_routes(
    path="milestones",
    model=Milestone,
    schema_in=MilestoneIn,
    schema_patch=MilestonePatch,
    schema_out=MilestoneOut,
)
_plan_item_routes(
    path="personas", model=Persona, schema_in=PersonaIn, schema_patch=PersonaPatch, schema_out=PersonaOut
)


# --- members --------------------------------------------------------------------------------------


@router.get(f"{CAMPAIGN}/members", response=list[MemberOut], tags=["members"])
def list_members(request, campaign_id: int):
    campaign = _campaign(request, campaign_id)
    return CampaignMember.objects.filter(campaign=campaign).select_related("user").order_by("id")


@router.post(f"{CAMPAIGN}/members", response={201: MemberOut}, tags=["members"])
def add_member(request, campaign_id: int, payload: MemberIn):
    """Give a person a role in the campaign (owner and project managers)."""
    campaign = _campaign(request, campaign_id)
    user = User.objects.filter(pk=payload.user).first()
    return services.member_add(
        campaign=campaign, actor=request.user, user=user, role=payload.role.value, group=payload.group
    )


@router.get("/members/{int:member_id}", response=MemberOut, tags=["members"])
def get_member(request, member_id: int):
    return _item(request, CampaignMember, member_id, ("user",))


@router.patch("/members/{int:member_id}", response=MemberOut, tags=["members"])
def update_member(request, member_id: int, payload: MemberPatch):
    member = _item(request, CampaignMember, member_id, ("user",))
    data = _resolve(payload.dict(exclude_unset=True), member.campaign)
    return services.member_update(member=member, actor=request.user, data=data)


@router.delete("/members/{int:member_id}", response={204: None}, tags=["members"])
def remove_member(request, member_id: int):
    services.member_remove(member=_item(request, CampaignMember, member_id), actor=request.user)


# --- scenario templates ------------------------------------------------------------------------------


def _template_out(data: dict) -> dict:
    text = scenarios.localized
    return {
        "key": data["key"],
        "name": text(data["name"]),
        "description": text(data["description"]),
        "duration_days": data["duration_days"],
        "default_budget": data["default_budget"],
        "theme": text(data.get("theme", "")),
        "format": text(data.get("format", "")),
        "budget_split": {category: str(fraction) for category, fraction in data["budget_split"].items()},
        "goals": [
            {
                "metric": goal["metric"],
                "name": text(goal["name"]),
                "unit": goal.get("unit", ""),
                "direction": goal.get("direction", "higher"),
                "target": decimal_str(goal.get("target")),
            }
            for goal in data["goals"]
        ],
        "milestones": [
            {
                "name": text(milestone["name"]),
                "offset_days": milestone.get("offset_days"),
                "offset": milestone.get("offset"),
            }
            for milestone in data["milestones"]
        ],
        "risks": [
            {
                "category": risk["category"],
                "probability": risk["probability"],
                "impact": risk["impact"],
                "description": text(risk["description"]),
                "response": text(risk["response"]),
            }
            for risk in data["risks"]
        ],
    }


@router.get("/templates", response=list[TemplateOut], tags=["templates"])
def list_templates(request):
    """The scenario templates a campaign may start from, in the request's language."""
    return [_template_out(data) for data in scenarios.available().values()]


# --- change requests (campaigns.changes) ------------------------------------------------------------

CHANGE_TAG = ["change-requests"]


def _change_request(request, change_request_id: int):
    if change_request_id > MAX_ID:
        raise NotFound(_("Change request not found."))
    return changes.change_request_get(user=request.user, pk=change_request_id)


def _change_detail(request, change_request):
    change_request.current = changes.current_values(change_request.campaign, change_request.kind)
    change_request.approvals_list = list(changes.change_approvals(change_request=change_request))
    change_request.allowed_actions = changes.allowed_change_actions(request.user, change_request)
    return change_request


@router.get(f"{CAMPAIGN}/change-requests", response=list[ChangeRequestOut], tags=CHANGE_TAG)
def list_change_requests(request, campaign_id: int):
    """The campaign's change requests, newest first."""
    campaign = _campaign(request, campaign_id)
    return changes.change_requests_for(campaign=campaign).select_related("campaign")


@router.post(f"{CAMPAIGN}/change-requests", response={201: ChangeRequestDetailOut}, tags=CHANGE_TAG)
def create_change_request(request, campaign_id: int, payload: ChangeRequestIn):
    """Draft a change to an approved plan (409 in draft, in review, archived or cancelled)."""
    campaign = _campaign(request, campaign_id)
    change_request = changes.change_request_create(
        campaign=campaign,
        actor=request.user,
        kind=payload.kind.value,
        reason=payload.reason,
        impact=payload.impact,
        proposed=payload.proposed,
    )
    return _change_detail(request, change_request)


@router.get("/change-requests/{int:change_request_id}", response=ChangeRequestDetailOut, tags=CHANGE_TAG)
def get_change_request(request, change_request_id: int):
    return _change_detail(request, _change_request(request, change_request_id))


@router.patch("/change-requests/{int:change_request_id}", response=ChangeRequestDetailOut, tags=CHANGE_TAG)
def update_change_request(request, change_request_id: int, payload: ChangeRequestPatch):
    """Rewrite a draft's reason, impact or proposed values."""
    change_request = changes.change_request_update(
        change_request=_change_request(request, change_request_id),
        actor=request.user,
        data=payload.dict(exclude_unset=True),
    )
    return _change_detail(request, change_request)


def _change_action_route(action: str) -> None:
    @router.post(
        f"/change-requests/{{int:change_request_id}}/{action}",
        response=ChangeRequestDetailOut,
        operation_id=f"change_request_{action}",
        summary=f"Change request action: {action}",
        tags=CHANGE_TAG,
    )
    def change_action(request, change_request_id: int, payload: TransitionIn = None):
        """409 from the wrong state, 403 when the user may not, 422 for a rejection without comment."""
        change_request = changes.change_request_transition(
            change_request=_change_request(request, change_request_id),
            actor=request.user,
            action=action,
            comment=payload.comment if payload is not None else "",
        )
        return _change_detail(request, change_request)


for _change_action_name in changes.CHANGE_TRANSITIONS:
    _change_action_route(_change_action_name)


@router.get(f"{CAMPAIGN}/plan-snapshots", response=list[PlanSnapshotOut], tags=CHANGE_TAG)
def list_plan_snapshots(request, campaign_id: int):
    """The baselines changes replaced: the plan as it stood at each earlier revision."""
    return changes.plan_snapshots(campaign=_campaign(request, campaign_id))


# --- the readiness checklist (campaigns.readiness) -----------------------------------------------------


def _readiness_out(campaign, rows) -> dict:
    return {
        "campaign": campaign.pk,
        "ready": not any(row.state == "open" for row in rows),
        "missing": [row.missing() for row in rows if row.state == "open"],
        "items": rows,
    }


@router.get(f"{CAMPAIGN}/readiness", response=ReadinessOut, tags=["readiness"])
def get_readiness(request, campaign_id: int):
    """The pre-launch checklist; `launch` answers 409 with `missing` while anything is open."""
    campaign = _campaign(request, campaign_id)
    return _readiness_out(campaign, readiness.evaluate(campaign))


@router.post(f"{CAMPAIGN}/readiness/{{key}}", response=ReadinessItemOut, tags=["readiness"])
def set_readiness_item(request, campaign_id: int, key: str, payload: ReadinessIn):
    """Tick a manual item, waive any item (owner only, with a reason), or write a note."""
    campaign = _campaign(request, campaign_id)
    return readiness.readiness_set(
        campaign=campaign,
        actor=request.user,
        key=key,
        checked=payload.checked,
        waived=payload.waived,
        reason=payload.reason,
        note=payload.note,
    )
