"""The campaign's Evaluation tab (seed 003 Table 4) with htmx editing, and the archive download.

Views parse input with forms, call one service or selector and render; errors from services are
rendered by campaignflow.web.errors. htmx requests get partials from the same views.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from campaignflow.accounts.models import Organization
from campaignflow.campaigns import selectors as campaign_selectors
from campaignflow.campaigns.choices import CampaignStatus
from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import NotFound
from campaignflow.web.errors import ErrorDisplay, call_service, web_view

from . import archive, documents, permissions, selectors, services
from .forms import DecisionForm, DimensionForm, ReportForm

ACTIONS = ("submit", "approve", "reject")


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return campaign_selectors.campaign_get(user=request.user, pk=pk)


def _page(campaign: Campaign) -> str:
    return reverse("evaluation:campaign", args=[campaign.pk])


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _meetings(campaign: Campaign) -> list:
    from campaignflow.execution.models import Meeting

    return list(Meeting.objects.filter(campaign=campaign).order_by("-date", "-id")[:50])


def _context(request: HttpRequest, campaign: Campaign, **extra) -> dict:
    view = selectors.evaluation_for(campaign=campaign)
    report = view.report
    editable = (
        permissions.can_write_evaluation(request.user, campaign)
        and campaign.status in permissions.WRITABLE_STATUSES
        and (report is None or report.is_draft)
    )
    context = {
        "campaign": campaign,
        "view": view,
        "report": report,
        "currency": Organization.current().currency,
        "editable": editable,
        "can_submit": editable and report is not None and campaign.status in permissions.SUBMIT_STATUSES,
        "can_decide": permissions.can_decide_evaluation(request.user, campaign)
        and report is not None
        and report.status == "submitted",
        "is_archived": campaign.status == CampaignStatus.ARCHIVED,
        "extra_sections": documents.extra_section_data(campaign),
    }
    if editable and report is not None and "report_form" not in extra:
        context["report_form"] = ReportForm(
            initial={name: getattr(report, name) for name in services.TEXT_FIELDS}
            | {"meeting": report.meeting_id},
            meetings=_meetings(campaign),
        )
    if context["can_decide"] and "decision_form" not in extra:
        context["decision_form"] = DecisionForm()
    return context | extra


@web_view
def campaign_evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    """The Evaluation tab."""
    campaign = _campaign(request, pk)
    return render(request, "evaluation/evaluation.html", _context(request, campaign))


def _failed(request: HttpRequest, campaign: Campaign, error: ErrorDisplay, **forms) -> HttpResponse:
    return render(
        request,
        "evaluation/evaluation.html",
        _context(request, campaign, error=error, **forms),
        status=error.status,
    )


@require_POST
@web_view
def start(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    services.evaluation_start(campaign=campaign, actor=request.user)
    messages.success(request, _("Evaluation report started from the goals and the daily data."))
    return _redirect(request, _page(campaign))


@require_POST
@web_view
def save(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    form = ReportForm(request.POST, meetings=_meetings(campaign))
    outcome = call_service(
        services.evaluation_update,
        form=form,
        campaign=campaign,
        actor=request.user,
        data=(form.cleaned_data if form.is_valid() else {}),
    )
    if outcome.ok:
        messages.success(request, _("Evaluation report saved."))
        return _redirect(request, _page(campaign))
    return _failed(request, campaign, outcome.error, report_form=form)


@require_POST
@web_view
def dimension(request: HttpRequest, dimension_pk: int) -> HttpResponse:
    """Save one dimension's analysis (and a typed actual); htmx swaps the row."""
    item = selectors.dimension_get(user=request.user, pk=dimension_pk)
    campaign = item.report.campaign
    form = DimensionForm(request.POST)
    data = {}
    if form.is_valid():
        data = {"analysis": form.cleaned_data["analysis"]}
        if not item.tracked:
            data["actual"] = form.cleaned_data["actual"]
    outcome = call_service(
        services.dimension_update, form=form, dimension=item, actor=request.user, data=data
    )
    if not request.htmx:
        if outcome.ok:
            messages.success(request, _("Analysis saved."))
            return redirect(_page(campaign))
        return _failed(request, campaign, outcome.error)
    view = selectors.evaluation_for(campaign=campaign)
    row = next((r for r in view.dimensions if r.id == item.pk), None)
    if row is None:
        raise NotFound(_("Evaluation dimension not found."))
    return render(
        request,
        "evaluation/partials/dimension_row.html",
        {"row": row, "campaign": campaign, "editable": True, "row_error": outcome.error, "saved": outcome.ok},
        status=outcome.status,
    )


@require_POST
@web_view
def decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise NotFound(_("Unknown action “%(action)s”.") % {"action": action})
    campaign = _campaign(request, pk)
    form = DecisionForm(request.POST)
    comment = form.cleaned_data.get("comment", "") if form.is_valid() else ""
    outcome = call_service(
        services.evaluation_action,
        form=form,
        campaign=campaign,
        actor=request.user,
        action=action,
        comment=comment,
    )
    if outcome.ok:
        done = {
            "submit": _("Evaluation report submitted for approval."),
            "approve": _("Evaluation report approved."),
            "reject": _("Evaluation report sent back to draft."),
        }[action]
        messages.success(request, done)
        return _redirect(request, _page(campaign))
    return _failed(request, campaign, outcome.error, decision_form=form)


@web_view
def archive_download(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    content, filename = archive.archive_zip(campaign=campaign)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
