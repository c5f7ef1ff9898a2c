"""API shapes of the knowledge base. Rates are fractions as decimal strings ("0.021"); amounts
are decimal strings; a rate no campaign could compute is null."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from campaignflow.campaigns.schemas import InputSchema, decimal_str, money_str

from .models import KnowledgeEntry, KnowledgeTemplate


class EntrySummaryOut(Schema):
    id: int
    campaign: int | None
    number: str
    name: str
    department: str
    scenario: str
    year: int
    channels: list[str]
    keywords: list[str]
    tags: list[str]
    archived_at: dt.datetime
    history: bool
    score: float | None = None


class EntryOut(EntrySummaryOut):
    proposed_keywords: list[str]
    snapshot: dict


class LabelsPatch(InputSchema):
    tags: list[str] | None = Field(None, max_length=100)
    keywords: list[str] | None = Field(None, max_length=100)


class SimilarOut(Schema):
    entry: EntrySummaryOut
    score: float
    shared_keywords: list[str]


class BenchmarkOut(Schema):
    channel: str
    campaigns: int
    ctr: str | None
    cvr: str | None
    cpa: str | None


class TemplateIn(InputSchema):
    name: str = Field("", max_length=300)


class KnowledgeTemplateOut(Schema):
    key: str
    name: str
    entry: int | None
    data: dict


def entry_summary(entry: KnowledgeEntry, score: float | None = None) -> dict:
    """An entry whose labels selectors.attach_labels has set."""
    return {
        "id": entry.pk,
        "campaign": entry.campaign_id,
        "number": entry.number,
        "name": entry.name,
        "department": entry.department_name,
        "scenario": entry.scenario,
        "year": entry.year,
        "channels": entry.channel_names,
        "keywords": list(entry.keywords),
        "tags": entry.tag_names,
        "archived_at": entry.archived_at,
        "history": entry.is_history,
        "score": score,
    }


def entry_full(entry: KnowledgeEntry) -> dict:
    return {
        **entry_summary(entry),
        "proposed_keywords": list(entry.proposed_keywords),
        "snapshot": entry.snapshot,
    }


def benchmark_data(benchmark) -> dict:
    cpa = benchmark.cpa
    return {
        "channel": benchmark.channel,
        "campaigns": benchmark.campaigns,
        "ctr": decimal_str(round(benchmark.ctr, 6)) if benchmark.ctr is not None else None,
        "cvr": decimal_str(round(benchmark.cvr, 6)) if benchmark.cvr is not None else None,
        "cpa": money_str(cpa) if cpa is not None else None,
    }


def template_data(template: KnowledgeTemplate) -> dict:
    return {"key": template.key, "name": template.name, "entry": template.entry_id, "data": template.data}
