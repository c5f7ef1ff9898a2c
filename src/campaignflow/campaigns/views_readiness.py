"""The Readiness tab: the pre-launch checklist with live automatic items and htmx tick / waive."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from campaignflow.core.errors import Forbidden
from campaignflow.web.context_processors import current_organization
from campaignflow.web.errors import call_service, web_view

from . import permissions, readiness, selectors
from .forms import ServiceFormMixin
from .models import Campaign
from .views import _redirect

# What each button asks of readiness_set.
OPERATIONS = {
    "check": {"checked": True},
    "uncheck": {"checked": False},
    "waive": {"waived": True},
    "unwaive": {"waived": False},
    "note": {},
}
DONE = {
    "check": gettext_lazy("Item ticked."),
    "uncheck": gettext_lazy("Tick removed."),
    "waive": gettext_lazy("Item waived."),
    "unwaive": gettext_lazy("Waiver lifted."),
    "note": gettext_lazy("Note saved."),
}


class ReadinessForm(ServiceFormMixin, forms.Form):
    """One press of a checklist button: what to do, the waiver reason and the note."""

    op = forms.ChoiceField(choices=[(op, op) for op in OPERATIONS], widget=forms.HiddenInput)
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=1000)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=1000)

    def service_data(self) -> dict:
        if not self.is_valid():
            return {}
        op = self.cleaned_data["op"]
        data = dict(OPERATIONS[op])
        if op == "waive":
            data["reason"] = self.cleaned_data["reason"]
        if op in ("check", "note") or self.cleaned_data["note"]:
            data["note"] = self.cleaned_data["note"]
        return data


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return selectors.campaign_get(user=request.user, pk=pk)


def _context(request: HttpRequest, campaign: Campaign) -> dict:
    rows = readiness.evaluate(campaign)
    levels = list(current_organization(request).approval_levels or [])
    return {
        "campaign": campaign,
        "rows": rows,
        "open_count": sum(row.state == "open" for row in rows),
        "waived_count": sum(row.state == "waived" for row in rows),
        "done_count": sum(row.state == "done" for row in rows),
        "can_tick": readiness.can_tick(request.user, campaign),
        "can_waive": readiness.can_waive(request.user, campaign),
        "is_open": campaign.status in readiness.OPEN_STATUSES,
        "can_launch": "launch" in permissions.allowed_actions(request.user, campaign, levels),
    }


@web_view
def readiness_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Every item: automatic ones computed now, manual ones with who ticked or waived them."""
    campaign = _campaign(request, pk)
    return render(request, "campaigns/readiness/page.html", _context(request, campaign))


@require_POST
@web_view
def readiness_item(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """Tick, untick, waive, lift a waiver or annotate one item; htmx gets the refreshed checklist."""
    campaign = _campaign(request, pk)
    if key not in readiness.CHECKS:
        raise Http404
    # Refuse before reading the form (the owner, who alone may waive, may also tick).
    if not readiness.can_tick(request.user, campaign):
        raise Forbidden(
            gettext("Only the campaign owner, planners and project managers may work on the checklist.")
        )
    form = ReadinessForm(request.POST)
    outcome = call_service(
        readiness.readiness_set,
        form=form,
        campaign=campaign,
        actor=request.user,
        key=key,
        **form.service_data(),
    )
    campaign.refresh_from_db()
    if not request.htmx:
        if outcome.ok:
            messages.success(request, DONE[form.cleaned_data["op"]])
            return _redirect(request, reverse("campaigns:readiness", args=[campaign.pk]))
        context = _context(request, campaign) | {"error": outcome.error, "error_key": key}
        return render(request, "campaigns/readiness/page.html", context, status=outcome.status)
    context = _context(request, campaign) | {"error": outcome.error, "error_key": key}
    context["saved_key"] = key if outcome.ok else None
    return render(request, "campaigns/readiness/item_response.html", context, status=outcome.status)
