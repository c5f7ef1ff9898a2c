"""Web pages of the knowledge base: the org-wide search, an entry, and a campaign's Knowledge tab.

Views parse input with forms, call one selector or service and render; errors from services are
rendered by campaignflow.web.errors. htmx requests get partials from the same views.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaignflow.campaigns import scenarios as campaign_scenarios
from campaignflow.campaigns import selectors as campaign_selectors
from campaignflow.web.errors import call_service, web_view

from . import permissions, selectors, services
from .forms import LabelsForm, SearchForm, TemplateForm
from .models import KnowledgeTemplate


def scenario_label(key: str) -> str:
    """A scenario key as its name in the user's language ("" stays "")."""
    if not key:
        return ""
    data = campaign_scenarios.get(key)
    if data is not None:
        return campaign_scenarios.localized(data["name"])
    template = KnowledgeTemplate.objects.filter(key=key).only("name").first()
    return template.name if template else key


@web_view
def index(request: HttpRequest) -> HttpResponse:
    """Search every archived campaign the user may see, in Chinese or English, with filters."""
    form = SearchForm(request.GET or None)
    query, filters = form.values() if request.GET else ("", selectors.Filters())
    result = selectors.entry_search(user=request.user, query=query, filters=filters)
    context = {
        "form": form,
        "query": query,
        "filters": filters,
        "result": result,
        "options": selectors.filter_options(user=request.user),
        "scenario_names": {key: scenario_label(key) for key in {e.scenario for e in result.entries}},
    }
    if request.htmx:
        return render(request, "knowledge/partials/results.html", context)
    context["scenario_options"] = [(key, scenario_label(key)) for key in context["options"].scenarios]
    return render(request, "knowledge/index.html", context)


def _detail_context(request: HttpRequest, entry, labels_form=None, template_form=None) -> dict:
    tags = entry.tag_names
    return {
        "entry": entry,
        "data": entry.snapshot,
        "plan": entry.snapshot.get("campaign") or {},
        "scenario_name": scenario_label(entry.scenario),
        "can_label": permissions.can_label(request.user, entry),
        "tag_names": tags,
        "labels_form": labels_form
        or LabelsForm(initial={"tags": ", ".join(tags), "keywords": ", ".join(entry.keywords)}),
        "template_form": template_form or TemplateForm(),
        "templates": list(entry.templates.order_by("name")),
        "other_parts": {
            key: value
            for key, value in entry.snapshot.items()
            if key not in CORE_KEYS and not key.startswith(("version", "taken_at"))
        },
    }


CORE_KEYS = {
    "campaign",
    "brief",
    "goals",
    "budget_lines",
    "risks",
    "milestones",
    "personas",
    "members",
    "tasks",
    "results",
    "lessons",
    "history",
    "note",
    "missing_parts",
}


@web_view
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The archived campaign as it was frozen, with its keywords and tags."""
    entry = selectors.entry_get(user=request.user, pk=pk)
    return render(request, "knowledge/detail.html", _detail_context(request, entry))


@require_POST
@web_view
def labels(request: HttpRequest, pk: int) -> HttpResponse:
    """Save tags and keywords; htmx swaps the labels block, a plain form post redirects."""
    entry = selectors.entry_get(user=request.user, pk=pk)
    form = LabelsForm(request.POST)
    outcome = call_service(
        services.knowledge_entry_label,
        form=form,
        entry=entry,
        actor=request.user,
        tags=form.data.get("tags", ""),
        keywords=form.data.get("keywords", ""),
    )
    if outcome.ok:
        entry = selectors.entry_get(user=request.user, pk=pk)
        if not request.htmx:
            messages.success(request, _("Tags and keywords saved."))
            return redirect("knowledge:detail", pk=pk)
        form = None
    context = _detail_context(request, entry, labels_form=form)
    context.update(error=outcome.error, saved=outcome.ok)
    template = "knowledge/partials/labels.html" if request.htmx else "knowledge/detail.html"
    return render(request, template, context, status=outcome.status)


@require_POST
@web_view
def save_template(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the entry as an organization template."""
    entry = selectors.entry_get(user=request.user, pk=pk)
    form = TemplateForm(request.POST)
    outcome = call_service(
        services.knowledge_template_create,
        form=form,
        entry=entry,
        actor=request.user,
        name=form.data.get("name", ""),
    )
    if outcome.ok:
        messages.success(
            request,
            _("Saved as the template “%(name)s” (key %(key)s).")
            % {"name": outcome.value.name, "key": outcome.value.key},
        )
        return redirect("knowledge:detail", pk=pk)
    context = _detail_context(request, entry, template_form=form)
    context["template_error"] = outcome.error
    return render(request, "knowledge/detail.html", context, status=outcome.status)


@web_view
def campaign_tab(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign's Knowledge tab: similar archived campaigns and the benchmarks of its channels."""
    campaign = campaign_selectors.campaign_get(user=request.user, pk=pk)
    channels = selectors.campaign_channel_names(campaign)
    own_entry = getattr(campaign, "knowledge_entry", None)
    benchmarks = selectors.channel_benchmarks(user=request.user, channels=channels) if channels else []
    # None of its channels in the archive (or none chosen yet): every channel's medians instead.
    fallback = not benchmarks
    context = {
        "campaign": campaign,
        "similar": selectors.similar_entries(user=request.user, campaign=campaign, limit=5),
        "keywords": selectors.campaign_keywords(campaign),
        "channels": channels,
        "benchmarks": selectors.channel_benchmarks(user=request.user) if fallback else benchmarks,
        "fallback": fallback,
        "own_entry": own_entry if own_entry and permissions.can_view(request.user, own_entry) else None,
    }
    return render(request, "knowledge/campaign.html", context)
