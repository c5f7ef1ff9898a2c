"""Web pages of change requests: the Changes tab, a form per kind (htmx), the request with its
approval box and actions, and the comparison of the previous baseline with the current plan.

The forms only turn POSTed text into the proposal JSON of changes.proposal_clean; the rules
(what may change, the contingency rule, SMART goals) are the service's, as for the API.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from campaignflow.accounts.choices import OrgRole
from campaignflow.core.errors import ApplicationError, FieldError, Forbidden, field_error
from campaignflow.metrics.models import Channel
from campaignflow.web.context_processors import current_organization
from campaignflow.web.errors import call_service, web_view

from . import changes, selectors
from .choices import BudgetCategory
from .forms import CommentForm, DateInput, ServiceFormMixin, _plain, _textarea
from .models import Campaign, ChangeKind, ChangeRequest, ChangeStatus
from .views import _redirect, level_label

KIND_TITLES = {
    ChangeKind.DATES: gettext_lazy("Change the dates"),
    ChangeKind.BUDGET: gettext_lazy("Change the budget"),
    ChangeKind.GOALS: gettext_lazy("Change the goals"),
    ChangeKind.SCOPE: gettext_lazy("Change the scope"),
}
ACTION_DONE = {
    "submit": gettext_lazy("The change request was submitted for approval."),
    "approve": gettext_lazy("You approved the change request."),
    "reject": gettext_lazy("You rejected the change request."),
    "withdraw": gettext_lazy("The change request was withdrawn."),
}
ACTION_STYLES = {"approve": "btn-success", "submit": "btn-primary", "reject": "btn-danger"}


# --- forms: one per kind, each builds the proposal JSON from what the user changed ------------------


class ChangeForm(ServiceFormMixin, forms.Form):
    """Reason and impact, shared by every kind; subclasses add the values and `proposed()`."""

    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, widget=_textarea(3))
    impact = forms.CharField(
        label=gettext_lazy("Impact"),
        required=False,
        max_length=2000,
        widget=_textarea(2),
        help_text=gettext_lazy("What else moves: schedule, budget, results, other teams."),
    )

    def __init__(self, *args, campaign: Campaign, change_request: ChangeRequest | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.proposal = change_request.proposed if change_request is not None else {}
        self.paths: dict[str, str] = {}  # proposal path -> form field, for error messages
        if change_request is not None:
            self.initial |= {"reason": change_request.reason, "impact": change_request.impact}
        self.add_value_fields()

    def add_value_fields(self) -> None:
        raise NotImplementedError

    def proposed(self) -> dict:
        raise NotImplementedError

    def service_data(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "reason": data.get("reason", ""),
            "impact": data.get("impact", ""),
            "proposed": self.proposed() if self.is_valid() else {},
        }

    def field_for(self, path: str) -> str:
        """The form field that shows the service's error about `path` (proposal paths)."""
        if path in self.fields:
            return path
        return self.paths.get(path, path.removeprefix("proposed."))

    def remap(self, exc: ApplicationError) -> ApplicationError:
        exc.errors = [
            FieldError(self.field_for(error.field), error.message, error.row) for error in exc.errors
        ]
        return exc


class DatesChangeForm(ChangeForm):
    kind = ChangeKind.DATES

    def add_value_fields(self) -> None:
        self.fields["start_date"] = forms.DateField(label=_("New start date"), widget=DateInput())
        self.fields["end_date"] = forms.DateField(label=_("New end date"), widget=DateInput())
        self.initial.setdefault("start_date", self.proposal.get("start_date", self.campaign.start_date))
        self.initial.setdefault("end_date", self.proposal.get("end_date", self.campaign.end_date))
        moved = {entry["id"]: entry["date"] for entry in self.proposal.get("milestones", [])}
        self.milestones = list(self.campaign.milestones.all())
        for milestone in self.milestones:
            name = f"milestone_{milestone.pk}"
            self.fields[name] = forms.DateField(label=milestone.name, widget=DateInput(), required=False)
            self.initial.setdefault(name, moved.get(milestone.pk, milestone.date))
            milestone.field_name = name

    def proposed(self) -> dict:
        data = self.cleaned_data
        moved = []
        for milestone in self.milestones:
            date = data.get(milestone.field_name)
            if date and date != milestone.date:
                self.paths[f"proposed.milestones.{len(moved)}.date"] = milestone.field_name
                moved.append({"id": milestone.pk, "date": date.isoformat()})
        return {
            "start_date": data["start_date"].isoformat(),
            "end_date": data["end_date"].isoformat(),
            "milestones": moved,
        }

    def milestone_fields(self):
        return [(milestone, self[milestone.field_name]) for milestone in self.milestones]


class ScopeChangeForm(ChangeForm):
    kind = ChangeKind.SCOPE

    def add_value_fields(self) -> None:
        for name in changes.SCOPE_FIELDS:
            model_field = Campaign._meta.get_field(name)
            rows = 4 if name == "background" else 2
            widget = (
                forms.TextInput(attrs={"class": "half"}) if name in ("theme", "format") else _textarea(rows)
            )
            self.fields[name] = forms.CharField(
                label=str(model_field.verbose_name).capitalize(),
                max_length=model_field.max_length,
                required=False,
                widget=widget,
            )
            self.initial.setdefault(name, self.proposal.get(name, getattr(self.campaign, name)))

    def proposed(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in changes.SCOPE_FIELDS
            if self.cleaned_data.get(name, "").strip() != getattr(self.campaign, name)
        }


def _money_field(label, required=False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )


class BudgetChangeForm(ChangeForm):
    """New amounts for existing lines, lines to remove, and new lines."""

    kind = ChangeKind.BUDGET

    def add_value_fields(self) -> None:
        entries = {entry["id"]: entry for entry in self.proposal.get("lines", []) if entry.get("id")}
        added = [entry for entry in self.proposal.get("lines", []) if not entry.get("id")]
        self.lines = list(self.campaign.budget_lines.select_related("channel"))
        for line in self.lines:
            entry = entries.get(line.pk, {})
            self.fields[f"line_{line.pk}_amount"] = _money_field(_("New amount"), required=False)
            self.fields[f"line_{line.pk}_remove"] = forms.BooleanField(label=_("Remove"), required=False)
            self.initial.setdefault(f"line_{line.pk}_amount", entry.get("amount", line.amount))
            self.initial.setdefault(f"line_{line.pk}_remove", bool(entry.get("remove")))
        self.new_count = len(added) + 1
        channels = Channel.objects.order_by("name")
        for index in range(self.new_count):
            entry = added[index] if index < len(added) else {}
            prefix = f"new_{index}_"
            self.fields[prefix + "category"] = forms.ChoiceField(
                label=_("Category"), required=False, choices=[("", "—"), *BudgetCategory.choices]
            )
            self.fields[prefix + "channel"] = forms.ModelChoiceField(
                label=_("Channel"), required=False, queryset=channels
            )
            self.fields[prefix + "label"] = forms.CharField(label=_("Label"), required=False, max_length=100)
            self.fields[prefix + "amount"] = _money_field(_("Amount"))
            self.fields[prefix + "note"] = forms.CharField(label=_("Note"), required=False, max_length=300)
            for key in ("category", "channel", "label", "amount", "note"):
                if key in entry:
                    self.initial.setdefault(prefix + key, entry[key])

    def line_rows(self):
        return [(line, self[f"line_{line.pk}_amount"], self[f"line_{line.pk}_remove"]) for line in self.lines]

    def new_rows(self):
        return [
            [self[f"new_{index}_{key}"] for key in ("category", "channel", "label", "amount", "note")]
            for index in range(self.new_count)
        ]

    def proposed(self) -> dict:
        data, entries = self.cleaned_data, []
        for line in self.lines:
            amount, remove = data.get(f"line_{line.pk}_amount"), data.get(f"line_{line.pk}_remove")
            if remove:
                entries.append({"id": line.pk, "remove": True})
            elif amount is not None and amount != line.amount:
                self.paths[f"proposed.lines.{len(entries)}.amount"] = f"line_{line.pk}_amount"
                entries.append({"id": line.pk, "amount": str(amount)})
        for index in range(self.new_count):
            prefix = f"new_{index}_"
            if not data.get(prefix + "category") and data.get(prefix + "amount") is None:
                continue
            for key in ("category", "channel", "label", "amount", "note"):
                self.paths[f"proposed.lines.{len(entries)}.{key}"] = prefix + key
            channel = data.get(prefix + "channel")
            amount = data.get(prefix + "amount")
            entries.append(
                {
                    "category": data.get(prefix + "category") or "",
                    "channel": channel.pk if channel else None,
                    "label": data.get(prefix + "label", ""),
                    "amount": str(amount) if amount is not None else None,
                    "note": data.get(prefix + "note", ""),
                }
            )
        return {"lines": entries}


class GoalsChangeForm(ChangeForm):
    """New targets and deadlines for existing goals, goals to remove, and new goals."""

    kind = ChangeKind.GOALS

    def add_value_fields(self) -> None:
        entries = {entry["id"]: entry for entry in self.proposal.get("goals", []) if entry.get("id")}
        added = [entry for entry in self.proposal.get("goals", []) if not entry.get("id")]
        self.goals = list(self.campaign.goals.all())
        for goal in self.goals:
            entry = entries.get(goal.pk, {})
            prefix = f"goal_{goal.pk}_"
            self.fields[prefix + "target"] = forms.DecimalField(
                label=_("Target"), required=False, max_digits=18, decimal_places=4
            )
            self.fields[prefix + "deadline"] = forms.DateField(
                label=_("Deadline"), required=False, widget=DateInput()
            )
            self.fields[prefix + "remove"] = forms.BooleanField(label=_("Remove"), required=False)
            target = entry.get("target", goal.target)
            self.initial.setdefault(
                prefix + "target", _plain(Decimal(target)) if target is not None else None
            )
            self.initial.setdefault(prefix + "deadline", entry.get("deadline", goal.deadline))
            self.initial.setdefault(prefix + "remove", bool(entry.get("remove")))
        self.new_count = len(added) + 1
        for index in range(self.new_count):
            entry = added[index] if index < len(added) else {}
            prefix = f"new_{index}_"
            self.fields[prefix + "metric"] = forms.CharField(label=_("Metric"), required=False, max_length=60)
            self.fields[prefix + "name"] = forms.CharField(label=_("Name"), required=False, max_length=200)
            self.fields[prefix + "target"] = forms.DecimalField(
                label=_("Target"), required=False, max_digits=18, decimal_places=4
            )
            self.fields[prefix + "unit"] = forms.CharField(label=_("Unit"), required=False, max_length=20)
            self.fields[prefix + "deadline"] = forms.DateField(
                label=_("Deadline"), required=False, widget=DateInput()
            )
            for key in ("metric", "name", "target", "unit", "deadline"):
                if key in entry:
                    self.initial.setdefault(prefix + key, entry[key])

    def goal_rows(self):
        return [
            (
                goal,
                self[f"goal_{goal.pk}_target"],
                self[f"goal_{goal.pk}_deadline"],
                self[f"goal_{goal.pk}_remove"],
            )
            for goal in self.goals
        ]

    def new_rows(self):
        return [
            [self[f"new_{index}_{key}"] for key in ("metric", "name", "target", "unit", "deadline")]
            for index in range(self.new_count)
        ]

    def proposed(self) -> dict:
        data, entries = self.cleaned_data, []
        for goal in self.goals:
            prefix = f"goal_{goal.pk}_"
            if data.get(prefix + "remove"):
                entries.append({"id": goal.pk, "remove": True})
                continue
            entry: dict = {"id": goal.pk}
            target, deadline = data.get(prefix + "target"), data.get(prefix + "deadline")
            if target != goal.target:
                entry["target"] = str(target) if target is not None else None
            if deadline != goal.deadline:
                entry["deadline"] = deadline.isoformat() if deadline else None
            if len(entry) > 1:
                self.paths[f"proposed.goals.{len(entries)}"] = prefix + "target"
                entries.append(entry)
        for index in range(self.new_count):
            prefix = f"new_{index}_"
            if not data.get(prefix + "metric") and data.get(prefix + "target") is None:
                continue
            self.paths[f"proposed.goals.{len(entries)}"] = prefix + "metric"
            self.paths[f"proposed.goals.{len(entries)}.metric"] = prefix + "metric"
            target, deadline = data.get(prefix + "target"), data.get(prefix + "deadline")
            entries.append(
                {
                    "metric": data.get(prefix + "metric", ""),
                    "name": data.get(prefix + "name", ""),
                    "target": str(target) if target is not None else None,
                    "unit": data.get(prefix + "unit", ""),
                    "deadline": deadline.isoformat() if deadline else None,
                }
            )
        return {"goals": entries}


FORMS: dict[str, type[ChangeForm]] = {
    form.kind: form for form in (DatesChangeForm, BudgetChangeForm, GoalsChangeForm, ScopeChangeForm)
}


# --- helpers ----------------------------------------------------------------------------------------


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return selectors.campaign_get(user=request.user, pk=pk)


def _change_request(request: HttpRequest, campaign: Campaign, cr_pk: int) -> ChangeRequest:
    change_request = changes.change_request_get(user=request.user, pk=cr_pk)
    if change_request.campaign_id != campaign.pk:
        raise Http404
    change_request.campaign = campaign  # keep the instance whose member roles are cached
    return change_request


def _form_class(kind: str) -> type[ChangeForm]:
    if kind not in FORMS:
        raise Http404
    return FORMS[kind]


def _remapping(service, form: ChangeForm):
    """The service, with its error field names translated to this form's inputs."""

    def call(**kwargs):
        try:
            return service(**kwargs)
        except ApplicationError as exc:
            raise form.remap(exc)

    return call


def _levels(request: HttpRequest) -> list[str]:
    return list(current_organization(request).approval_levels or [])


def _detail_url(change_request: ChangeRequest) -> str:
    return reverse("campaigns:change_detail", args=[change_request.campaign_id, change_request.pk])


# --- the Changes tab -----------------------------------------------------------------------------------


@web_view
def change_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's change requests, and the buttons to ask for a new one."""
    campaign = _campaign(request, pk)
    can_request = changes.can_request_change(request.user, campaign)
    refusal = changes.change_refusal(campaign)
    context = {
        "campaign": campaign,
        "change_requests": list(changes.change_requests_for(campaign=campaign)),
        "kinds": [(kind, KIND_TITLES[kind]) for kind in FORMS],
        "can_request": can_request and refusal is None,
        "refusal": str(refusal) if refusal and can_request else None,
        "snapshots": list(changes.plan_snapshots(campaign=campaign)),
    }
    return render(request, "campaigns/changes/list.html", context)


def _render_form(request, campaign, form, *, change_request=None, error=None, status=200) -> HttpResponse:
    context = {
        "campaign": campaign,
        "form": form,
        "kind": form.kind,
        "title": KIND_TITLES[form.kind],
        "change_request": change_request,
        "error": error,
        "current": changes.current_values(campaign, form.kind),
    }
    template = "campaigns/changes/_form.html" if request.htmx else "campaigns/changes/form_page.html"
    return render(request, template, context, status=status)


def _submit_after_save(request: HttpRequest, change_request: ChangeRequest) -> None:
    outcome = call_service(changes.change_request_submit, change_request=change_request, actor=request.user)
    if outcome.ok:
        messages.success(request, ACTION_DONE["submit"])
    else:
        messages.error(request, outcome.error.detail)


@web_view
def change_create(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """GET: the form for this kind, prefilled with the plan. POST: save the draft (and submit it)."""
    campaign = _campaign(request, pk)
    form_class = _form_class(kind)
    if request.method != "POST":
        if not changes.can_request_change(request.user, campaign):
            raise Forbidden(_("Only the campaign owner, planners and project managers may ask for changes."))
        refusal = changes.change_refusal(campaign)
        if refusal is not None:
            raise refusal
        return _render_form(request, campaign, form_class(campaign=campaign))
    # Refuse before reading the form: who may not act learns nothing from its errors.
    if not changes.can_request_change(request.user, campaign):
        raise Forbidden(_("Only the campaign owner, planners and project managers may ask for changes."))
    form = form_class(request.POST, campaign=campaign)
    outcome = call_service(
        _remapping(changes.change_request_create, form),
        form=form,
        campaign=campaign,
        actor=request.user,
        kind=kind,
        **form.service_data(),
    )
    if not outcome.ok:
        return _render_form(request, campaign, form, error=outcome.error, status=outcome.status)
    if request.POST.get("then") == "submit":
        _submit_after_save(request, outcome.value)
    else:
        messages.success(request, _("Change request saved as a draft. Submit it when it is ready."))
    return _redirect(request, _detail_url(outcome.value))


@web_view
def change_edit(request: HttpRequest, pk: int, cr_pk: int) -> HttpResponse:
    """GET: the draft's form. POST: save it (and submit it)."""
    campaign = _campaign(request, pk)
    change_request = _change_request(request, campaign, cr_pk)
    form_class = _form_class(change_request.kind)
    if request.method != "POST":
        if change_request.status != ChangeStatus.DRAFT or not changes.can_manage_change(
            request.user, change_request
        ):
            messages.info(request, _("Only the requester and the owner may edit a draft change request."))
            return _redirect(request, _detail_url(change_request))
        return _render_form(
            request,
            campaign,
            form_class(campaign=campaign, change_request=change_request),
            change_request=change_request,
        )
    if not changes.can_manage_change(request.user, change_request):
        raise Forbidden(_("Only the requester and the campaign owner may change this request."))
    form = form_class(request.POST, campaign=campaign, change_request=change_request)
    outcome = call_service(
        _remapping(changes.change_request_update, form),
        form=form,
        change_request=change_request,
        actor=request.user,
        data=form.service_data(),
    )
    if not outcome.ok:
        return _render_form(
            request, campaign, form, change_request=change_request, error=outcome.error, status=outcome.status
        )
    if request.POST.get("then") == "submit":
        _submit_after_save(request, outcome.value)
    else:
        messages.success(request, _("Change request saved."))
    return _redirect(request, _detail_url(outcome.value))


def _approval_rows(change_request: ChangeRequest, approvals: list, levels: list[str]) -> list[dict]:
    """One row per level: who decided this request, how and when."""
    decided = {approval.level: approval for approval in approvals}
    return [
        {
            "level": level,
            "role": OrgRole(role).label if role in OrgRole.values else role,
            "approval": decided.get(level),
            "waiting": change_request.status == ChangeStatus.IN_REVIEW
            and change_request.approval_level == level,
        }
        for level, role in enumerate(levels, start=1)
    ]


@web_view
def change_detail(request: HttpRequest, pk: int, cr_pk: int) -> HttpResponse:
    """The request: proposed next to current values, its approval box and the actions left."""
    campaign = _campaign(request, pk)
    change_request = _change_request(request, campaign, cr_pk)
    levels = _levels(request)
    approvals = list(changes.change_approvals(change_request=change_request))
    actions = changes.allowed_change_actions(request.user, change_request, levels)
    context = {
        "campaign": campaign,
        "change_request": change_request,
        "rows": changes.change_rows(change_request),
        "approval_rows": _approval_rows(change_request, approvals, levels),
        "approvals": approvals,
        "level_labels": {level: level_label(levels, level) for level in range(1, len(levels) + 1)},
        "actions": [
            {
                "action": action,
                "label": changes.CHANGE_TRANSITIONS[action].label,
                "style": ACTION_STYLES.get(action, "btn-secondary"),
            }
            for action in actions
        ],
        "can_edit": change_request.status == ChangeStatus.DRAFT
        and changes.can_manage_change(request.user, change_request),
        "stale": change_request.status in (ChangeStatus.DRAFT, ChangeStatus.IN_REVIEW)
        and change_request.revision != campaign.revision,
        "comment_form": CommentForm(),
    }
    return render(request, "campaigns/changes/detail.html", context)


def _inbox_response(
    request, change_request, levels, *, level, decided=None, form=None, error=None, status=200
):
    """The approval inbox row of this request (web/approvals.html), after a decision from there."""
    from campaignflow.web.views import change_inbox_row

    context = {
        "row": change_inbox_row(change_request, levels, level=level, form=form, error=error),
        "decided": decided,
    }
    return render(request, "web/partials/approval_change_row.html", context, status=status)


@require_POST
@web_view
def change_action(request: HttpRequest, pk: int, cr_pk: int, action: str) -> HttpResponse:
    """Submit, approve, reject or withdraw; from the inbox (htmx) the answer is the inbox row."""
    if action not in changes.CHANGE_TRANSITIONS:
        raise Http404
    campaign = _campaign(request, pk)
    change_request = _change_request(request, campaign, cr_pk)
    form = CommentForm(request.POST)
    from_inbox = request.htmx and request.POST.get("from") == "inbox"
    level = change_request.approval_level
    if from_inbox:
        levels = _levels(request)
        outcome = call_service(
            changes.change_request_transition,
            form=form,
            change_request=change_request,
            actor=request.user,
            action=action,
            **form.service_data(),
        )
        if outcome.ok:
            return _inbox_response(request, outcome.value, levels, level=level, decided=action)
        change_request.refresh_from_db()
        return _inbox_response(
            request,
            change_request,
            levels,
            level=level,
            form=form,
            error=outcome.error,
            status=outcome.status,
        )
    if not form.is_valid():
        raise field_error("comment", form.errors["comment"][0])
    changes.change_request_transition(
        change_request=change_request, actor=request.user, action=action, comment=form.cleaned_data["comment"]
    )
    messages.success(request, ACTION_DONE[action])
    return _redirect(request, _detail_url(change_request))


# --- previous baseline vs the current plan ------------------------------------------------------------


@web_view
def plan_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan as it stood before a change (a PlanSnapshot) next to the plan as it is now."""
    campaign = _campaign(request, pk)
    snapshots = list(changes.plan_snapshots(campaign=campaign))
    snapshot = None
    if snapshots:
        wanted = request.GET.get("revision")
        snapshot = next((s for s in snapshots if str(s.revision) == wanted), snapshots[-1])
    context = {
        "campaign": campaign,
        "snapshots": snapshots,
        "snapshot": snapshot,
        "comparison": changes.plan_compare(snapshot.data, changes.plan_data(campaign)) if snapshot else None,
    }
    return render(request, "campaigns/changes/compare.html", context)
