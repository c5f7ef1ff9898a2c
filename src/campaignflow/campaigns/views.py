"""Web pages of stage 1: campaign list, creation, the plan editor, the plan page and actions.

Views parse input with forms, call one service or selector, and render. Errors from services
are turned into responses by campaignflow.web.errors (`@web_view`, `call_service`), never here.
htmx requests get partials from the same views.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from campaignflow.accounts.choices import OrgRole
from campaignflow.accounts.models import Department, Organization
from campaignflow.audit.selectors import audit_for_campaign
from campaignflow.core.errors import Forbidden, field_error
from campaignflow.core.money import share
from campaignflow.web.context_processors import current_organization
from campaignflow.web.errors import call_service, web_view

from . import permissions, scenarios, selectors, services
from .choices import BudgetCategory
from .forms import (
    BriefForm,
    BudgetLineForm,
    CampaignCreateForm,
    CampaignFilterForm,
    CommentForm,
    GoalForm,
    MilestoneForm,
    PersonaForm,
    PlanForm,
    PlanItemForm,
    RiskForm,
)
from .lifecycle import TRANSITIONS
from .models import BudgetLine, Campaign, Goal, Milestone, Persona, RequirementsBrief, Risk

PAGE_SIZE = 25
HISTORY_LIMIT = 100

# --- budget arithmetic for display (computed from the rows, never stored) --------------------

# Table 1 order: labor, materials, promotion, third-party services, others, contingency last.
CATEGORY_ORDER = [
    BudgetCategory.LABOR,
    BudgetCategory.MATERIALS,
    BudgetCategory.PROMOTION,
    BudgetCategory.THIRD_PARTY,
    BudgetCategory.CUSTOM,
    BudgetCategory.CONTINGENCY,
]


@dataclass
class CategoryTotal:
    category: str
    label: str
    amount: Decimal
    share: Decimal | None


@dataclass
class BudgetSummary:
    """Budget lines in Table 1 order with each line's share, per-category totals and the reserve."""

    lines: list[BudgetLine]
    total: Decimal
    categories: list[CategoryTotal]
    contingency: Decimal
    contingency_share: Decimal | None
    contingency_min: Decimal
    contingency_max: Decimal

    @property
    def contingency_state(self) -> str:
        """'low' blocks submission, 'high' deserves a second look, 'ok' otherwise."""
        if not self.total:
            return "empty"
        ratio = self.contingency_share or Decimal("0")
        if ratio < self.contingency_min:
            return "low"
        return "high" if ratio > self.contingency_max else "ok"


def budget_summary(lines, organization: Organization) -> BudgetSummary:
    lines = sorted(lines, key=lambda line: (CATEGORY_ORDER.index(line.category), line.pk))
    total = sum((line.amount for line in lines), Decimal("0"))
    for line in lines:
        line.share = share(line.amount, total)
    categories = []
    for category in CATEGORY_ORDER:
        amount = sum((line.amount for line in lines if line.category == category), Decimal("0"))
        if any(line.category == category for line in lines):
            categories.append(
                CategoryTotal(category, BudgetCategory(category).label, amount, share(amount, total))
            )
    contingency = sum(
        (line.amount for line in lines if line.category == BudgetCategory.CONTINGENCY), Decimal("0")
    )
    return BudgetSummary(
        lines=lines,
        total=total,
        categories=categories,
        contingency=contingency,
        contingency_share=share(contingency, total),
        contingency_min=organization.contingency_min,
        contingency_max=organization.contingency_max,
    )


# --- the kinds of plan rows the editor manages inline -------------------------------------------


@dataclass(frozen=True)
class ItemKind:
    """One kind of plan row: its model, form, headings and how to list it."""

    key: str
    model: type[models.Model]
    form_class: type[PlanItemForm]
    title: Promise
    add_label: Promise
    columns: tuple[Promise, ...]
    related: tuple[str, ...] = field(default_factory=tuple)

    @property
    def row_template(self) -> str:
        return f"campaigns/editor/rows/{self.key}.html"

    @property
    def add_prefix(self) -> str:
        return f"{self.key}-new"

    def edit_prefix(self, item_pk: int) -> str:
        return f"{self.key}-{item_pk}"

    def items(self, campaign: Campaign) -> list[models.Model]:
        return list(self.model.objects.filter(campaign=campaign).select_related(*self.related))


ITEM_KINDS: dict[str, ItemKind] = {
    kind.key: kind
    for kind in (
        ItemKind(
            "goals",
            Goal,
            GoalForm,
            gettext_lazy("Goals (SMART)"),
            gettext_lazy("Add a goal"),
            (
                gettext_lazy("Metric"),
                gettext_lazy("Name"),
                gettext_lazy("Baseline"),
                gettext_lazy("Target"),
                gettext_lazy("Deadline"),
                gettext_lazy("Parent goal"),
                gettext_lazy("Owner"),
            ),
            ("parent", "owner"),
        ),
        ItemKind(
            "budget",
            BudgetLine,
            BudgetLineForm,
            gettext_lazy("Budget"),
            gettext_lazy("Add a budget line"),
            (
                gettext_lazy("Category"),
                gettext_lazy("Label"),
                gettext_lazy("Channel"),
                gettext_lazy("Amount"),
                gettext_lazy("Share"),
                gettext_lazy("Note"),
            ),
            ("channel",),
        ),
        ItemKind(
            "risks",
            Risk,
            RiskForm,
            gettext_lazy("Risks and responses"),
            gettext_lazy("Add a risk"),
            (
                gettext_lazy("Category"),
                gettext_lazy("Risk"),
                gettext_lazy("Score"),
                gettext_lazy("Response"),
                gettext_lazy("Owner"),
                gettext_lazy("Status"),
            ),
            ("owner",),
        ),
        ItemKind(
            "milestones",
            Milestone,
            MilestoneForm,
            gettext_lazy("Execution flow and key dates"),
            gettext_lazy("Add a milestone"),
            (gettext_lazy("Date"), gettext_lazy("Milestone"), gettext_lazy("Note")),
        ),
        ItemKind(
            "personas",
            Persona,
            PersonaForm,
            gettext_lazy("Personas"),
            gettext_lazy("Add a persona"),
            (
                gettext_lazy("Name"),
                gettext_lazy("Age"),
                gettext_lazy("Gender"),
                gettext_lazy("City tier"),
                gettext_lazy("Spending level"),
                gettext_lazy("Interests"),
                gettext_lazy("Preferred channels"),
            ),
        ),
    )
}


def _kind(key: str) -> ItemKind:
    if key not in ITEM_KINDS:
        raise Http404
    return ITEM_KINDS[key]


# --- helpers shared by the pages -------------------------------------------------------------------


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    """The campaign if the user may see it; NotFound (a 404 via @web_view) otherwise."""
    return selectors.campaign_get(user=request.user, pk=pk)


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect htmx follows as a full page load, or a plain one."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@dataclass(frozen=True)
class ActionButton:
    action: str
    label: str
    comment_required: bool
    style: str


ACTION_STYLES = {
    "approve": "btn-success",
    "submit": "btn-primary",
    "reject": "btn-danger",
    "cancel": "btn-danger",
}

ACTION_DONE = {
    "submit": gettext_lazy("The plan was submitted for approval."),
    "approve": gettext_lazy("You approved the plan."),
    "reject": gettext_lazy("You rejected the plan; it is back in draft for the planner."),
    "start_preparation": gettext_lazy("Preparation started."),
    "launch": gettext_lazy("The campaign is live."),
    "optimize": gettext_lazy("The campaign is being optimized."),
    "close": gettext_lazy("The campaign is closing."),
    "archive": gettext_lazy("The campaign was archived."),
    "cancel": gettext_lazy("The campaign was cancelled."),
}


def available_actions(user, campaign: Campaign, levels: list[str]) -> list[ActionButton]:
    """The lifecycle actions this user may take now, asked of the same policy the services use."""
    buttons = []
    for action in permissions.allowed_actions(user, campaign, levels):
        transition = TRANSITIONS[action]
        buttons.append(
            ActionButton(
                action,
                str(transition.label),
                transition.comment_required,
                ACTION_STYLES.get(action, "btn-secondary"),
            )
        )
    return buttons


def level_label(levels: list[str], level: int) -> str:
    """'Level 1 · Department head' for level 1 of the organization's approval chain."""
    role = levels[level - 1] if 0 < level <= len(levels) else ""
    role_label = OrgRole(role).label if role in OrgRole.values else role
    return _("Level %(level)d · %(role)s") % {"level": level, "role": role_label}


# --- list -------------------------------------------------------------------------------------------


@web_view
def campaign_list(request: HttpRequest) -> HttpResponse:
    """All campaigns the user may see, filtered; htmx refreshes only the table."""
    form = CampaignFilterForm(request.GET or None)
    campaigns = selectors.campaign_list(user=request.user, **form.filters())
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "campaigns": page.object_list}
    template = "campaigns/_table.html" if request.htmx else "campaigns/list.html"
    return render(request, template, context)


# --- create -------------------------------------------------------------------------------------------


def _template_cards() -> list[dict]:
    cards = []
    for key, data in scenarios.available().items():
        cards.append(
            {
                "key": key,
                "name": scenarios.localized(data["name"]),
                "description": scenarios.localized(data["description"]),
                "duration_days": data["duration_days"],
                "default_budget": Decimal(data["default_budget"]),
                "goals": [scenarios.localized(goal["name"]) for goal in data["goals"]],
            }
        )
    return cards


@web_view
def campaign_create(request: HttpRequest) -> HttpResponse:
    """Choose a scenario template or a blank plan; the new draft opens in the plan editor."""
    user = request.user
    if user.has_role(OrgRole.ADMIN):
        departments = Department.objects.all()
    else:
        departments = Department.objects.filter(pk=user.department_id)
    initial = {"department": user.department_id, "template": request.GET.get("template", "")}
    form = CampaignCreateForm(request.POST or None, departments=departments, initial=initial)
    status = 200
    error = None
    if request.method == "POST":
        outcome = call_service(services.campaign_create, form=form, actor=user, **form.service_data())
        if outcome.ok:
            messages.success(request, _("Campaign created. Complete the plan, then submit it."))
            return redirect("campaigns:edit", pk=outcome.value.pk)
        status, error = outcome.status, outcome.error
    context = {
        "form": form,
        "error": error,
        "template_cards": _template_cards(),
        "selected_template": form["template"].value() or "",
    }
    return render(request, "campaigns/create.html", context, status=status)


# --- plan editor ---------------------------------------------------------------------------------


def _edit_refusal(user, campaign: Campaign) -> str | None:
    """Why this user cannot open the editor for this campaign, or None."""
    if not campaign.is_editable:
        return _("The plan can only be edited in draft; this campaign is %(status)s.") % {
            "status": campaign.get_status_display()
        }
    if not permissions.can_edit_plan(user, campaign):
        return _("Only the campaign owner and planners may change the plan.")
    return None


def _refuse_edit(request: HttpRequest, campaign: Campaign) -> HttpResponse | None:
    """A redirect to the plan page, with the reason as a message, when the editor is not for this user."""
    refusal = _edit_refusal(request.user, campaign)
    if refusal is None:
        return None
    messages.info(request, refusal)
    return _redirect(request, reverse("campaigns:detail", args=[campaign.pk]))


def _plan_check_context(campaign: Campaign) -> dict:
    errors, warnings = services.plan_problems(campaign)
    return {"check_errors": errors, "check_warnings": warnings}


def _section_context(
    campaign: Campaign,
    kind: ItemKind,
    organization: Organization,
    *,
    add_form: PlanItemForm | None = None,
    edit_item: int | None = None,
    edit_form: PlanItemForm | None = None,
    error=None,
    add_error=None,
    edit_error=None,
) -> dict:
    items = kind.items(campaign)
    context: dict = {"kind": kind, "campaign": campaign, "items": items}
    if kind.key == "budget":
        context["budget"] = budget_summary(items, organization)
        context["items"] = context["budget"].lines
    if edit_item is not None and edit_form is None:
        instance = next((item for item in items if item.pk == edit_item), None)
        if instance is None:
            raise Http404
        edit_form = kind.form_class(instance=instance, campaign=campaign, prefix=kind.edit_prefix(edit_item))
    context |= {
        "add_form": add_form or kind.form_class(campaign=campaign, prefix=kind.add_prefix),
        "add_open": add_form is not None,
        "edit_item": edit_item,
        "edit_form": edit_form,
        "error": error,
        "add_error": add_error,
        "edit_error": edit_error,
    }
    return context


def _render_editor(
    request: HttpRequest,
    campaign: Campaign,
    *,
    plan_form: PlanForm | None = None,
    brief_form: BriefForm | None = None,
    plan_error=None,
    brief_error=None,
    section_overrides: dict[str, dict] | None = None,
    status: int = 200,
) -> HttpResponse:
    organization = current_organization(request)
    overrides = section_overrides or {}
    brief = RequirementsBrief.objects.filter(campaign=campaign).first() or RequirementsBrief(
        campaign=campaign
    )
    context = {
        "campaign": campaign,
        "plan_form": plan_form or PlanForm(instance=campaign, prefix="plan"),
        "brief_form": brief_form or BriefForm(instance=brief, prefix="brief"),
        "plan_error": plan_error,
        "brief_error": brief_error,
        "sections": [
            _section_context(campaign, kind, organization, **overrides.get(key, {}))
            for key, kind in ITEM_KINDS.items()
        ],
        **_plan_check_context(campaign),
    }
    return render(request, "campaigns/edit.html", context, status=status)


@web_view
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan editor; campaigns this user cannot edit now open on their plan page instead."""
    campaign = _campaign(request, pk)
    return _refuse_edit(request, campaign) or _render_editor(request, campaign)


def _require_plan_editor(user, campaign: Campaign) -> None:
    """Refuse (403) before reading the form: who may not edit learns nothing from its errors."""
    if not permissions.can_edit_plan(user, campaign):
        raise Forbidden(_("Only the campaign owner and planners may change the plan."))


def _edit_url(campaign: Campaign, anchor: str) -> str:
    return reverse("campaigns:edit", args=[campaign.pk]) + f"#{anchor}"


@require_POST
@web_view
def plan_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the Table 1 fields."""
    campaign = _campaign(request, pk)
    _require_plan_editor(request.user, campaign)
    form = PlanForm(request.POST, instance=campaign, prefix="plan")
    outcome = call_service(
        services.campaign_update, form=form, campaign=campaign, actor=request.user, data=form.service_data()
    )
    if outcome.ok:
        campaign = outcome.value
        if not request.htmx:
            messages.success(request, _("Plan saved."))
            return redirect(_edit_url(campaign, "section-plan"))
        form = PlanForm(instance=campaign, prefix="plan")
    elif not request.htmx:
        return _render_editor(
            request, campaign, plan_form=form, plan_error=outcome.error, status=outcome.status
        )
    context = {
        "campaign": campaign,
        "plan_form": form,
        "plan_error": outcome.error,
        "saved": outcome.ok,
        **_plan_check_context(campaign),
    }
    return render(request, "campaigns/editor/plan_response.html", context, status=outcome.status)


@require_POST
@web_view
def brief_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the requirements brief."""
    campaign = _campaign(request, pk)
    brief = RequirementsBrief.objects.filter(campaign=campaign).first()
    form = BriefForm(request.POST, instance=brief, prefix="brief")
    outcome = call_service(
        services.brief_update, form=form, campaign=campaign, actor=request.user, data=form.service_data()
    )
    if outcome.ok:
        if not request.htmx:
            messages.success(request, _("Requirements brief saved."))
            return redirect(_edit_url(campaign, "section-brief"))
        form = BriefForm(instance=outcome.value, prefix="brief")
    elif not request.htmx:
        return _render_editor(
            request, campaign, brief_form=form, brief_error=outcome.error, status=outcome.status
        )
    context = {"campaign": campaign, "brief_form": form, "brief_error": outcome.error, "saved": outcome.ok}
    return render(request, "campaigns/editor/_brief_form.html", context, status=outcome.status)


def _section_response(
    request: HttpRequest, campaign: Campaign, kind: ItemKind, *, status: int = 200, **overrides
) -> HttpResponse:
    """The section (and the refreshed plan check) for htmx; the whole editor otherwise."""
    if not request.htmx:
        if request.method == "POST" and status == 200:
            return redirect(_edit_url(campaign, f"section-{kind.key}"))
        return _render_editor(request, campaign, section_overrides={kind.key: overrides}, status=status)
    context = _section_context(campaign, kind, current_organization(request), **overrides)
    context |= _plan_check_context(campaign)
    return render(request, "campaigns/editor/section_response.html", context, status=status)


def _item(campaign: Campaign, kind: ItemKind, item_pk: int) -> models.Model:
    item = get_object_or_404(kind.model, pk=item_pk, campaign=campaign)
    item.campaign = campaign  # keep the instance whose member roles are already cached
    return item


@web_view
def item_section(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """GET: the section as displayed (cancel an edit). POST: add a row."""
    campaign = _campaign(request, pk)
    item_kind = _kind(kind)
    if request.method != "POST":
        return _refuse_edit(request, campaign) or _section_response(request, campaign, item_kind)
    _require_plan_editor(request.user, campaign)
    form = item_kind.form_class(request.POST, campaign=campaign, prefix=item_kind.add_prefix)
    outcome = call_service(
        services.plan_item_create,
        form=form,
        campaign=campaign,
        actor=request.user,
        model=item_kind.model,
        data=form.service_data(),
    )
    if outcome.ok:
        return _section_response(request, campaign, item_kind)
    return _section_response(
        request, campaign, item_kind, status=outcome.status, add_form=form, add_error=outcome.error
    )


@web_view
def item_detail(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    """GET: the section with this row as a form. POST: save the row."""
    campaign = _campaign(request, pk)
    item_kind = _kind(kind)
    item = _item(campaign, item_kind, item_pk)
    if request.method != "POST":
        return _refuse_edit(request, campaign) or _section_response(
            request, campaign, item_kind, edit_item=item.pk
        )
    _require_plan_editor(request.user, campaign)
    form = item_kind.form_class(
        request.POST, instance=item, campaign=campaign, prefix=item_kind.edit_prefix(item.pk)
    )
    outcome = call_service(
        services.plan_item_update, form=form, item=item, actor=request.user, data=form.service_data()
    )
    if outcome.ok:
        return _section_response(request, campaign, item_kind)
    return _section_response(
        request,
        campaign,
        item_kind,
        status=outcome.status,
        edit_item=item.pk,
        edit_form=form,
        edit_error=outcome.error,
    )


@require_POST
@web_view
def item_delete(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    item_kind = _kind(kind)
    item = _item(campaign, item_kind, item_pk)
    outcome = call_service(services.plan_item_delete, item=item, actor=request.user)
    return _section_response(request, campaign, item_kind, status=outcome.status, error=outcome.error)


@web_view
def plan_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan check panel on its own (errors that block submission, and warnings)."""
    campaign = _campaign(request, pk)
    context = {"campaign": campaign, **_plan_check_context(campaign)}
    return render(request, "campaigns/editor/_plan_check.html", context)


# --- plan page ----------------------------------------------------------------------------------------


def _approval_box(campaign: Campaign, approvals: list, levels: list[str]) -> list[dict]:
    """One row per approval level for the current revision: who decided, how, when (审批意见)."""
    current = {a.level: a for a in approvals if a.revision == campaign.revision}
    rows = []
    for level, role in enumerate(levels, start=1):
        rows.append(
            {
                "level": level,
                "role": OrgRole(role).label if role in OrgRole.values else role,
                "approval": current.get(level),
                "waiting": campaign.status == "in_review" and campaign.approval_level == level,
            }
        )
    return rows


def _scenario_name(key: str) -> str:
    data = scenarios.get(key) if key else None
    return scenarios.localized(data["name"]) if data else ""


@web_view
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan laid out like Table 1, with its approvals, registration and history."""
    campaign = _campaign(request, pk)
    organization = current_organization(request)
    levels = list(organization.approval_levels or [])
    approvals = list(selectors.approvals_for(campaign=campaign))
    registration = getattr(campaign, "registration", None) if campaign.number else None
    context = {
        "campaign": campaign,
        "brief": RequirementsBrief.objects.filter(campaign=campaign).first(),
        "personas": list(campaign.personas.all()),
        "milestones": list(campaign.milestones.all()),
        "budget": budget_summary(campaign.budget_lines.select_related("channel"), organization),
        "risks": list(campaign.risks.select_related("owner")),
        "goals": list(campaign.goals.select_related("parent", "owner")),
        "members": list(campaign.members.select_related("user").order_by("role", "user__username")),
        "approval_rows": _approval_box(campaign, approvals, levels),
        "approvals": approvals,
        "level_labels": {level: level_label(levels, level) for level in range(1, len(levels) + 1)},
        "registration": registration,
        "scenario_name": _scenario_name(campaign.template),
        "events": list(audit_for_campaign(campaign=campaign)[:HISTORY_LIMIT]),
        "actions": available_actions(request.user, campaign, levels),
        "can_edit": _edit_refusal(request.user, campaign) is None,
        "comment_form": CommentForm(),
    }
    return render(request, "campaigns/detail.html", context)


@require_POST
@web_view
def campaign_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one lifecycle action; an ApplicationError is rendered by @web_view with its status."""
    action = action.replace("-", "_")
    if action not in TRANSITIONS:
        raise Http404
    campaign = _campaign(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        raise field_error("comment", form.errors["comment"][0])
    services.campaign_transition(
        campaign=campaign, actor=request.user, action=action, comment=form.cleaned_data["comment"]
    )
    messages.success(request, ACTION_DONE[action])
    return _redirect(request, reverse("campaigns:detail", args=[campaign.pk]))
