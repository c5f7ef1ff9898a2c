"""API routes of the knowledge base (DESIGN §5: GET /api/v1/knowledge/search?q=).

Routes parse input, call one selector or service and render; the rules live in selectors.py,
services.py and permissions.py, shared with the web UI.

No `from __future__ import annotations`: Ninja reads the parameter annotations at import time.
"""

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from campaignflow.campaigns import selectors as campaign_selectors
from campaignflow.campaigns.schemas import MAX_ID
from campaignflow.core.errors import NotFound

from . import selectors, services
from .models import KnowledgeTemplate
from .schemas import (
    BenchmarkOut,
    EntryOut,
    EntrySummaryOut,
    KnowledgeTemplateOut,
    LabelsPatch,
    SimilarOut,
    TemplateIn,
    benchmark_data,
    entry_full,
    entry_summary,
    template_data,
)

router = Router(tags=["knowledge"])


@router.get("/knowledge/search", response=list[EntrySummaryOut])
def search(
    request,
    q: str = Query("", description="words in Chinese or English; any text is accepted"),
    scenario: str = Query("", max_length=40),
    channel: str = Query("", max_length=100),
    year: int | None = Query(None, ge=1900, le=9999),
    tag: str = Query("", max_length=100),
    department: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(selectors.DEFAULT_RESULTS, ge=1, le=selectors.MAX_RESULTS),
):
    """Archived campaigns matching every word of `q` and the filters, best first; no words lists the newest."""
    filters = selectors.Filters(scenario=scenario, channel=channel, year=year, tag=tag, department=department)
    result = selectors.entry_search(user=request.user, query=q, filters=filters, limit=limit)
    return [entry_summary(entry, result.scores.get(entry.pk)) for entry in result.entries]


@router.get("/knowledge/benchmarks", response=list[BenchmarkOut])
def benchmarks(request, channel: str = Query("", max_length=100)):
    """Median CTR, CVR and CPA per channel over the archived campaigns you may see."""
    return [benchmark_data(b) for b in selectors.channel_benchmarks(user=request.user, channel=channel)]


@router.get("/knowledge/templates", response=list[KnowledgeTemplateOut])
def templates(request):
    """Organization templates saved from archived campaigns (keys start with "kb-")."""
    return [template_data(t) for t in KnowledgeTemplate.objects.order_by("name")]


@router.get("/knowledge/{int:entry_id}", response=EntryOut)
def get_entry(request, entry_id: int):
    return entry_full(selectors.entry_get(user=request.user, pk=entry_id))


@router.patch("/knowledge/{int:entry_id}", response=EntryOut)
def patch_entry(request, entry_id: int, payload: LabelsPatch):
    """Replace the tags and/or keywords; the snapshot never changes."""
    entry = selectors.entry_get(user=request.user, pk=entry_id)
    services.knowledge_entry_label(
        entry=entry, actor=request.user, tags=payload.tags, keywords=payload.keywords
    )
    return entry_full(selectors.entry_get(user=request.user, pk=entry_id))


@router.post("/knowledge/{int:entry_id}/template", response={201: KnowledgeTemplateOut})
def save_template(request, entry_id: int, payload: TemplateIn):
    """Save the archived campaign's plan as an organization template."""
    entry = selectors.entry_get(user=request.user, pk=entry_id)
    template = services.knowledge_template_create(entry=entry, actor=request.user, name=payload.name)
    return Status(201, template_data(template))


@router.get("/campaigns/{int:campaign_id}/similar", response=list[SimilarOut], tags=["knowledge"])
def similar(request, campaign_id: int, limit: int = Query(5, ge=1, le=20)):
    """Archived campaigns most like this one, by its name, background, core message and goals."""
    if campaign_id > MAX_ID:
        raise NotFound(_("Campaign not found."))
    campaign = campaign_selectors.campaign_get(user=request.user, pk=campaign_id)
    return [
        {"entry": entry_summary(s.entry, s.score), "score": s.score, "shared_keywords": s.shared}
        for s in selectors.similar_entries(user=request.user, campaign=campaign, limit=limit)
    ]
