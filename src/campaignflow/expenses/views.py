"""The campaign's Budget tab: expenses (htmx list and forms), budget against actual, the burn-rate
chart with the forecast, the reconciliation with the daily data, and the settlement section.

Views parse input with forms, call one service or selector and render; errors from services are
rendered by campaignflow.web.errors. htmx requests get partials from the same views.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from campaignflow.campaigns import selectors as campaign_selectors
from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import Forbidden, NotFound
from campaignflow.metrics import uploads
from campaignflow.metrics.views import plotly_url
from campaignflow.web.context_processors import current_organization
from campaignflow.web.errors import ErrorDisplay, call_service, web_view

from . import attachments, permissions, selectors, services
from .choices import SettlementStatus
from .forms import DecisionForm, EditExpenseForm, ExpenseForm, SettlementForm
from .models import Expense

SETTLEMENT_ACTIONS = ("submit", "approve", "reject")


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return campaign_selectors.campaign_get(user=request.user, pk=pk)


def _expense(request: HttpRequest, expense_pk: int) -> Expense:
    return selectors.expense_get(user=request.user, pk=expense_pk)


def _page_url(campaign: Campaign, anchor: str = "") -> str:
    return reverse("expenses:budget", args=[campaign.pk]) + (f"#{anchor}" if anchor else "")


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _expenses_open(campaign: Campaign) -> tuple[bool, str]:
    """Whether expenses may change now and, if not, why (the services' own answer)."""
    frozen = services.expenses_frozen(campaign)
    return frozen is None, (frozen.message if frozen is not None else "")


class _Upload:
    """The size guard of a form post with a file: installed before the body is read (so CSRF is
    checked here, after it, instead of by the middleware; see metrics/uploads.py)."""

    def __init__(self, request: HttpRequest):
        limit = attachments.max_bytes()
        self.request = request
        self.announced_too_large = uploads.announced_too_large(request, limit)
        # +1: a file of exactly the limit is allowed; the handler stops at limit + 1 bytes.
        self.handler = None
        self.refused = None
        if not self.announced_too_large:  # refused unread, changing nothing: no CSRF check needed
            self.handler = uploads.guard(request, limit + 1)
            self.refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})

    @property
    def too_large(self) -> bool:
        if self.announced_too_large:
            return True
        self.request.FILES  # noqa: B018 - parse the body, so the handler has seen the whole file
        return self.handler is not None and self.handler.exceeded


def _too_large_error() -> ErrorDisplay:
    return ErrorDisplay(
        detail=_("The file is larger than %(limit)s, the limit for attachments.")
        % {"limit": attachments.human_size(attachments.max_bytes())},
        status=422,
    )


def _form_help() -> dict:
    """What the expense form's help text quotes: the date grace period and the size limit."""
    return {
        "grace_days": services.EXPENSE_DATE_GRACE_DAYS,
        "max_attachment": attachments.human_size(attachments.max_bytes()),
    }


# --- the page ---------------------------------------------------------------------------------------


def burn_figure(budget: selectors.Budget, currency: str) -> dict:
    """Cumulative spend by day against the budget, the even-spend line and the linear forecast."""
    campaign = budget.campaign
    data: list[dict] = []
    if budget.burn:
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _("Spent (cumulative)"),
                "x": [p.date.isoformat() for p in budget.burn],
                "y": [float(p.cumulative) for p in budget.burn],
                "line": {"shape": "hv", "color": "#1f6feb"},
            }
        )
    if campaign.start_date and campaign.end_date:
        first = min([campaign.start_date, *(p.date for p in budget.burn[:1])])
        last = max([campaign.end_date, *(p.date for p in budget.burn[-1:])])
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("Budget"),
                "x": [first.isoformat(), last.isoformat()],
                "y": [float(budget.total.budget)] * 2,
                "line": {"color": "#c0362c", "dash": "dot"},
            }
        )
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("Even spend"),
                "x": [campaign.start_date.isoformat(), campaign.end_date.isoformat()],
                "y": [0, float(budget.total.budget)],
                "line": {"color": "#8a94a6", "dash": "dash"},
            }
        )
        if budget.burn and 0 < budget.elapsed_days < (budget.total_days or 0):
            today = campaign.start_date + dt.timedelta(days=budget.elapsed_days - 1)
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": _("Forecast (linear)"),
                    "x": [today.isoformat(), campaign.end_date.isoformat()],
                    "y": [float(budget.total.actual), float(budget.total.forecast)],
                    "line": {"color": "#a15c00", "dash": "dashdot"},
                }
            )
    layout = {
        "margin": {"l": 70, "r": 20, "t": 10, "b": 40},
        "height": 320,
        "legend": {"orientation": "h", "y": -0.2},
        "yaxis": {"title": {"text": currency}, "rangemode": "tozero", "separatethousands": True},
        "xaxis": {"type": "date"},
    }
    return {"data": data, "layout": layout}


def _context(request: HttpRequest, campaign: Campaign, **extra) -> dict:
    user = request.user
    budget = selectors.budget_for(campaign=campaign)
    settlement = selectors.settlement_for(campaign=campaign, budget=budget)
    currency = current_organization(request).currency
    can_record = permissions.can_record_expenses(user, campaign)
    is_open, closed_reason = _expenses_open(campaign)
    expenses = list(selectors.expense_list(campaign=campaign))
    context = {
        "campaign": campaign,
        "budget": budget,
        "settlement": settlement,
        "expenses": expenses,
        "currency": currency,
        "can_record": can_record,
        "expenses_open": is_open,
        "closed_reason": closed_reason,
        **_form_help(),
        "forecast_method": selectors.FORECAST_METHOD,
        "figure": burn_figure(budget, currency),
        "plotly_url": plotly_url(),
        "can_prepare": permissions.can_prepare_settlement(user, campaign)
        and settlement.status == SettlementStatus.DRAFT
        and campaign.status in permissions.EXPENSE_STATUSES,
        "can_submit": campaign.status == "closing",
        "can_decide": permissions.can_decide_settlement(user, campaign)
        and settlement.status == SettlementStatus.SUBMITTED,
        **extra,
    }
    if can_record and is_open and "add_form" not in context:
        context["add_form"] = ExpenseForm(campaign=campaign, prefix="new")
    if context["can_prepare"] and "settlement_form" not in context:
        context["settlement_form"] = SettlementForm(rows=settlement.rows)
    if context["can_decide"] and "decision_form" not in context:
        context["decision_form"] = DecisionForm()
    return context


@web_view
def budget(request: HttpRequest, pk: int) -> HttpResponse:
    """The Budget tab."""
    campaign = _campaign(request, pk)
    return render(request, "expenses/budget.html", _context(request, campaign))


# --- expenses ------------------------------------------------------------------------------------------


@csrf_exempt  # checked by _Upload, once the upload size limit is installed
@require_POST
@web_view
def expense_add(request: HttpRequest, pk: int) -> HttpResponse:
    upload = _Upload(request)
    if upload.refused is not None:
        return upload.refused
    campaign = _campaign(request, pk)
    # Refuse before reading the form: who may not act learns nothing from its errors.
    if not permissions.can_record_expenses(request.user, campaign):
        raise Forbidden(_("Only finance and the campaign's owner and project managers may record expenses."))
    if upload.announced_too_large:
        form = ExpenseForm(campaign=campaign, prefix="new")
        return _add_failed(request, campaign, form, _too_large_error())
    if upload.too_large:
        form = ExpenseForm(request.POST, campaign=campaign, prefix="new")
        return _add_failed(request, campaign, form, _too_large_error())
    form = ExpenseForm(request.POST, request.FILES, campaign=campaign, prefix="new")
    outcome = call_service(
        services.expense_create,
        form=form,
        campaign=campaign,
        actor=request.user,
        data=form.service_data(),
        attachment=request.FILES.get("new-attachment"),
    )
    if outcome.ok:
        messages.success(
            request, _("Expense of %(amount)s recorded.") % {"amount": f"{outcome.value.amount:,.2f}"}
        )
        return _redirect(request, _page_url(campaign, f"expense-{outcome.value.pk}"))
    return _add_failed(request, campaign, form, outcome.error)


def _add_failed(request: HttpRequest, campaign: Campaign, form, error: ErrorDisplay) -> HttpResponse:
    if request.htmx:
        context = {"campaign": campaign, "add_form": form, "add_error": error, **_form_help()}
        return render(request, "expenses/partials/expense_add.html", context, status=error.status)
    context = _context(request, campaign, add_form=form, add_error=error, add_open=True)
    return render(request, "expenses/budget.html", context, status=error.status)


def _row(request, expense: Expense, *, form=None, error=None, status: int = 200) -> HttpResponse:
    campaign = expense.campaign
    is_open, _reason = _expenses_open(campaign)
    context = {
        "campaign": campaign,
        "expense": expense,
        "form": form,
        "error": error,
        "can_record": permissions.can_record_expenses(request.user, campaign),
        "expenses_open": is_open,
    }
    template = (
        "expenses/partials/expense_row_form.html"
        if form is not None
        else "expenses/partials/expense_row.html"
    )
    return render(request, template, context, status=status)


def _edit_form(expense: Expense, data=None, files=None) -> EditExpenseForm:
    initial = {
        "budget_line": expense.budget_line_id,
        "amount": expense.amount,
        "date": expense.date,
        "vendor": expense.vendor,
        "reference": expense.reference,
        "note": expense.note,
    }
    return EditExpenseForm(data, files, campaign=expense.campaign, initial=initial, prefix=f"e{expense.pk}")


@csrf_exempt  # POST is checked by _Upload, once the upload size limit is installed
@web_view
def expense_row(request: HttpRequest, expense_pk: int) -> HttpResponse:
    """GET: the row (or ?edit=1 its inline form). POST: save the row's form."""
    upload = _Upload(request) if request.method == "POST" else None
    if upload is not None and upload.refused is not None:
        return upload.refused
    expense = _expense(request, expense_pk)
    campaign = expense.campaign
    if request.method != "POST":
        if not request.htmx:
            return redirect(_page_url(campaign, f"expense-{expense.pk}"))
        if request.GET.get("edit") and permissions.can_record_expenses(request.user, campaign):
            return _row(request, expense, form=_edit_form(expense))
        return _row(request, expense)
    # Refuse before reading the form: who may not act learns nothing from its errors.
    if not permissions.can_record_expenses(request.user, campaign):
        raise Forbidden(_("Only finance and the campaign's owner and project managers may record expenses."))
    if upload.too_large:
        form = _edit_form(expense) if upload.announced_too_large else _edit_form(expense, request.POST)
        outcome_error = _too_large_error()
    else:
        form = _edit_form(expense, request.POST, request.FILES)
        outcome = call_service(
            services.expense_update,
            form=form,
            expense=expense,
            actor=request.user,
            data=form.service_data(),
            attachment=request.FILES.get(f"e{expense.pk}-attachment"),
            remove_attachment=bool(form.is_valid() and form.cleaned_data.get("remove_attachment")),
        )
        if outcome.ok:
            messages.success(request, _("Expense saved."))
            return _redirect(request, _page_url(campaign, f"expense-{expense.pk}"))
        outcome_error = outcome.error
    if request.htmx:
        return _row(request, expense, form=form, error=outcome_error, status=outcome_error.status)
    context = _context(request, campaign, row_errors={expense.pk: outcome_error})
    return render(request, "expenses/budget.html", context, status=outcome_error.status)


@require_POST
@web_view
def expense_remove(request: HttpRequest, expense_pk: int) -> HttpResponse:
    expense = _expense(request, expense_pk)
    campaign = expense.campaign
    services.expense_delete(expense=expense, actor=request.user)
    messages.success(request, _("Expense removed."))
    return _redirect(request, _page_url(campaign, "expenses"))


@web_view
def attachment_download(request: HttpRequest, expense_pk: int) -> HttpResponse:
    return attachments.download_response(_expense(request, expense_pk))


# --- settlement ------------------------------------------------------------------------------------------


def _settlement_failed(
    request: HttpRequest, campaign: Campaign, error: ErrorDisplay, **forms
) -> HttpResponse:
    context = _context(request, campaign, settlement_error=error, **forms)
    template = "expenses/partials/settlement.html" if request.htmx else "expenses/budget.html"
    return render(request, template, context, status=error.status)


@require_POST
@web_view
def settlement_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the explanations of the draft settlement."""
    campaign = _campaign(request, pk)
    view = selectors.settlement_for(campaign=campaign)
    form = SettlementForm(request.POST, rows=view.rows)
    outcome = call_service(
        services.settlement_update,
        form=form,
        campaign=campaign,
        actor=request.user,
        explanations=form.explanations(),
    )
    if outcome.ok:
        messages.success(request, _("Explanations saved."))
        return _redirect(request, _page_url(campaign, "settlement"))
    return _settlement_failed(request, campaign, outcome.error, settlement_form=form)


@require_POST
@web_view
def settlement_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """submit (with the explanations on the form), approve or reject."""
    if action not in SETTLEMENT_ACTIONS:
        raise NotFound(_("Unknown action “%(action)s”.") % {"action": action})
    campaign = _campaign(request, pk)
    decision = DecisionForm(request.POST)
    decision.is_valid()
    comment = decision.cleaned_data.get("comment", "") if hasattr(decision, "cleaned_data") else ""
    explanations = None
    settlement_form = None
    if action == "submit":
        settlement_form = SettlementForm(request.POST, rows=selectors.settlement_for(campaign=campaign).rows)
        explanations = settlement_form.explanations()
    outcome = call_service(
        services.settlement_action,
        form=settlement_form if action == "submit" else decision,
        campaign=campaign,
        actor=request.user,
        action=action,
        comment=comment,
        explanations=explanations,
    )
    if outcome.ok:
        done = {
            "submit": _("Settlement submitted for approval."),
            "approve": _("Settlement approved."),
            "reject": _("Settlement sent back to draft."),
        }[action]
        messages.success(request, done)
        return _redirect(request, _page_url(campaign, "settlement"))
    forms = (
        {"settlement_form": settlement_form} if settlement_form is not None else {"decision_form": decision}
    )
    return _settlement_failed(request, campaign, outcome.error, **forms)
