"""Cross-campaign pages: the dashboard and the approval inbox (with inline decisions).

The inbox lists plans and, below them, change requests waiting for the user; decisions on change
requests post to the campaigns app's change-request action, which answers with the inbox row.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaignflow.campaigns import changes, permissions, selectors, services
from campaignflow.campaigns.choices import STAGE_OF_STATUS, CampaignStatus, Stage
from campaignflow.campaigns.forms import CommentForm
from campaignflow.campaigns.views import level_label
from campaignflow.metrics import selectors as metric_selectors

from .context_processors import current_organization
from .errors import call_service, web_view

DASHBOARD_ROWS = 10
DECISIONS = ("approve", "reject")


def _stage_counts(user) -> list[dict]:
    """How many visible campaigns are in each stage, and in each status of it."""
    counts = dict(
        permissions.visible_campaigns(user).order_by().values_list("status").annotate(n=Count("pk"))
    )
    stages = []
    for stage in Stage:
        statuses = [
            {"status": status, "label": status.label, "count": counts.get(status.value, 0)}
            for status in CampaignStatus
            if STAGE_OF_STATUS[status] == stage
        ]
        stages.append(
            {
                "stage": stage,
                "label": stage.label,
                "count": sum(item["count"] for item in statuses),
                "statuses": statuses,
            }
        )
    return stages


def _inbox_row(campaign, levels: list[str], *, level: int | None = None, form=None, error=None) -> dict:
    """One inbox row: the campaign, its level's label and the comment form of its decision."""
    return {
        "campaign": campaign,
        "level": level_label(levels, level if level is not None else campaign.approval_level),
        "form": form or CommentForm(prefix=f"c{campaign.pk}"),
        "error": error,
    }


def _inbox_rows(campaigns, levels: list[str], failed: dict | None = None) -> list[dict]:
    failed = failed or {}
    return [_inbox_row(c, levels, **failed.get(c.pk, {})) for c in campaigns]


def change_inbox_row(
    change_request, levels: list[str], *, level: int | None = None, form=None, error=None
) -> dict:
    """One inbox row for a change request: the request, its level's label, the comment form and error."""
    return {
        "change": change_request,
        "level": level_label(levels, level if level is not None else change_request.approval_level),
        "form": form,
        "error": error,
    }


def _change_rows(user, levels: list[str]) -> list[dict]:
    return [change_inbox_row(cr, levels) for cr in changes.change_request_inbox(user=user)]


def _portfolio(user, stages: list[dict]) -> list:
    """Budget against spend and goal achievement of running and recent campaigns (metrics app).

    The stage counts already say whether there is any such campaign; without one, no query.
    """
    statuses = {s.value for s in metric_selectors.PORTFOLIO_STATUSES}
    if not any(item["count"] for stage in stages for item in stage["statuses"] if item["status"] in statuses):
        return []
    return metric_selectors.portfolio(user=user, limit=DASHBOARD_ROWS)


@web_view
def dashboard(request: HttpRequest) -> HttpResponse:
    """My campaigns, what waits for my approval, and the portfolio by stage."""
    levels = list(current_organization(request).approval_levels or [])
    mine = selectors.campaign_list(user=request.user, mine=True)
    waiting = _inbox_rows(selectors.approval_inbox(user=request.user), levels)
    stages = _stage_counts(request.user)
    context = {
        "my_campaigns": list(mine[:DASHBOARD_ROWS]),
        "my_campaigns_more": mine.count() > DASHBOARD_ROWS,
        "waiting": waiting,
        "approvals_waiting": len(waiting),
        "stages": stages,
        "portfolio": _portfolio(request.user, stages),
    }
    return render(request, "web/dashboard.html", context)


def closeout_rows(user) -> list[dict]:
    """Settlements and evaluation reports waiting for this user's sign-off, oldest first.

    They are decided on their own page (the figures need reading), so the inbox links there.
    """
    from campaignflow.evaluation import selectors as evaluation_selectors
    from campaignflow.expenses import selectors as expense_selectors

    rows = [
        {
            "document": item,
            "kind": _("Expense settlement"),
            "url": reverse("expenses:budget", args=[item.campaign_id]) + "#settlement",
        }
        for item in expense_selectors.settlements_waiting(user=user)
    ] + [
        {
            "document": item,
            "kind": _("Evaluation report"),
            "url": reverse("evaluation:campaign", args=[item.campaign_id]) + "#evaluation",
        }
        for item in evaluation_selectors.reports_waiting(user=user)
    ]
    return sorted(rows, key=lambda row: (row["document"].submitted_at is None, row["document"].submitted_at))


@web_view
def approval_inbox(request: HttpRequest) -> HttpResponse:
    """Plans, then change requests, waiting for a level this user decides, then the close-out
    documents (settlement, evaluation report) waiting for their sign-off; oldest first."""
    levels = list(current_organization(request).approval_levels or [])
    rows = _inbox_rows(selectors.approval_inbox(user=request.user), levels)
    change_rows = _change_rows(request.user, levels)
    closeout = closeout_rows(request.user)
    context = {
        "rows": rows,
        "change_rows": change_rows,
        "closeout_rows": closeout,
        "approvals_waiting": len(rows) + len(change_rows) + len(closeout),
    }
    return render(request, "web/approvals.html", context)


@require_POST
@web_view
def approval_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """Approve or reject from the inbox; htmx swaps the row with the outcome or the error."""
    if decision not in DECISIONS:
        raise Http404
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    levels = list(current_organization(request).approval_levels or [])
    level = campaign.approval_level
    form = CommentForm(request.POST, prefix=f"c{campaign.pk}")
    outcome = call_service(
        services.campaign_transition,
        form=form,
        campaign=campaign,
        actor=request.user,
        action=decision,
        **form.service_data(),
    )
    if outcome.ok:
        campaign = outcome.value
        if not request.htmx:
            messages.success(request, _("Decision recorded for “%(name)s”.") % {"name": campaign.name})
            return redirect("web:approvals")
    failed = {campaign.pk: {"form": form, "error": outcome.error}} if not outcome.ok else {}
    if not request.htmx:
        rows = _inbox_rows(selectors.approval_inbox(user=request.user), levels, failed)
        context = {"rows": rows, "change_rows": _change_rows(request.user, levels)}
        return render(request, "web/approvals.html", context, status=outcome.status)
    context = {
        "row": _inbox_row(campaign, levels, level=level, **failed.get(campaign.pk, {})),
        "decided": decision if outcome.ok else None,
    }
    return render(request, "web/partials/approval_row_response.html", context, status=outcome.status)
