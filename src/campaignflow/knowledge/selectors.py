"""Reads of the knowledge base: one entry, search with filters, similar campaigns, benchmarks.

Every read starts from permissions.visible_entries, so search, similar campaigns and the
benchmarks all see the same entries as the user's entry pages.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from campaignflow.campaigns.models import BudgetLine, Campaign
from campaignflow.core.errors import NotFound

from . import permissions, search, text
from .models import EntryChannel, EntryTag, KnowledgeEntry

MAX_RESULTS = 100
DEFAULT_RESULTS = 50
MAX_ID = 2**63 - 1


LIST_DEFERRED = ("snapshot", "search_text", "search_tokens", "proposed_keywords")


def attach_labels(entries: list[KnowledgeEntry]) -> list[KnowledgeEntry]:
    """Set `tag_names` and `channel_names` on each entry: two queries for the whole list (a
    prefetch builds a queryset per entry, which costs more than the search itself)."""
    by_pk = {entry.pk: entry for entry in entries}
    for entry in entries:
        entry.tag_names, entry.channel_names = [], []
    if by_pk:
        for entry_id, name in (
            EntryTag.objects.filter(entry_id__in=by_pk).order_by("id").values_list("entry_id", "name")
        ):
            by_pk[entry_id].tag_names.append(name)
        channels = (
            EntryChannel.objects.filter(entry_id__in=by_pk).order_by("name").values_list("entry_id", "name")
        )
        for entry_id, name in channels:
            by_pk[entry_id].channel_names.append(name)
    return entries


def entry_get(*, user, pk: int) -> KnowledgeEntry:
    """One entry the user may see, else NotFound (a hidden entry looks missing)."""
    entry = None
    if 0 < pk <= MAX_ID:
        entry = KnowledgeEntry.objects.select_related("campaign").filter(pk=pk).first()
    if entry is None or not permissions.can_view(user, entry):
        raise NotFound(_("Knowledge entry not found."))
    return attach_labels([entry])[0]


@dataclass
class Filters:
    """The filters of a search; empty values do not filter."""

    scenario: str = ""
    channel: str = ""
    year: int | None = None
    tag: str = ""
    department: int | None = None

    def __post_init__(self) -> None:
        # NUL and control characters: PostgreSQL refuses them in a parameter, and no name has them.
        for name in ("scenario", "channel", "tag"):
            setattr(self, name, text.clean(getattr(self, name) or "").strip())

    def apply(self, qs: QuerySet[KnowledgeEntry]) -> QuerySet[KnowledgeEntry]:
        if self.scenario:
            qs = qs.filter(scenario=self.scenario)
        if self.year:
            qs = qs.filter(year=self.year)
        if self.department:
            qs = qs.filter(department_id=self.department)
        if self.channel:
            # exact, on the indexed name: channel names are the organization's own list
            qs = qs.filter(pk__in=EntryChannel.objects.filter(name=self.channel).values("entry_id"))
        if self.tag:
            qs = qs.filter(pk__in=EntryTag.objects.filter(name__iexact=self.tag.strip()).values("entry_id"))
        return qs

    @property
    def any(self) -> bool:
        return bool(self.scenario or self.channel or self.year or self.tag or self.department)


@dataclass
class SearchResult:
    query: str
    tokens: list[str]
    entries: list[KnowledgeEntry]
    scores: dict[int, float] = field(default_factory=dict)


def entry_search(
    *, user, query: str = "", filters: Filters | None = None, limit: int = DEFAULT_RESULTS
) -> SearchResult:
    """Entries matching every word of the query (segmented like the index) and the filters, best first.

    Any text is a valid query: FTS syntax is quoted away, and a query without a single word
    (empty, only punctuation) lists the filtered entries, newest first. Never raises on input.
    """
    limit = max(1, min(int(limit or DEFAULT_RESULTS), MAX_RESULTS))
    filters = filters or Filters()
    visible = filters.apply(permissions.visible_entries(user))
    tokens = text.query_tokens(query)
    if not tokens:
        entries = attach_labels(list(visible.defer(*LIST_DEFERRED)[:limit]))
        return SearchResult(query=query or "", tokens=[], entries=entries)
    unrestricted = filters.any is False and _sees_all(user)
    hits = search.match(tokens, within=None if unrestricted else visible, limit=limit)
    return SearchResult(
        query=query, tokens=tokens, entries=_in_order(hits), scores={h.entry_id: h.score for h in hits}
    )


def _sees_all(user) -> bool:
    return permissions._active(user) and permissions._org_wide(user)


def _in_order(hits: list[search.Hit]) -> list[KnowledgeEntry]:
    entries = KnowledgeEntry.objects.defer(*LIST_DEFERRED).filter(pk__in=[h.entry_id for h in hits])
    by_pk = {entry.pk: entry for entry in entries}
    return attach_labels([by_pk[h.entry_id] for h in hits if h.entry_id in by_pk])


# --- similar campaigns ----------------------------------------------------------------------------------


@dataclass
class Similar:
    entry: KnowledgeEntry
    score: float
    shared: list[str]  # keywords the campaign and the entry have in common


def campaign_keywords(campaign: Campaign) -> list[str]:
    """Keywords of a campaign being planned: its name, background, core message and goals."""
    brief = getattr(campaign, "brief", None)
    pieces = [campaign.name, campaign.background, campaign.core_message, campaign.theme]
    pieces += [brief.business_need, brief.objectives] if brief is not None else []
    pieces += [goal.name or goal.metric for goal in campaign.goals.all()]
    return text.keywords("\n".join(piece for piece in pieces if piece))


def similar_entries(*, user, campaign: Campaign, limit: int = 5) -> list[Similar]:
    """The archived campaigns closest to this one: any of its keywords, ranked by full-text score."""
    keywords = campaign_keywords(campaign)
    tokens = list(dict.fromkeys(token for keyword in keywords for token in text.tokens(keyword)))
    if not tokens:
        return []
    within = permissions.visible_entries(user).exclude(campaign_id=campaign.pk)
    hits = search.match(tokens, within=within, any_token=True, limit=max(1, min(limit, 20)))
    mine = set(keywords)
    return [
        Similar(entry=entry, score=hit.score, shared=[k for k in entry.keywords if k in mine])
        for hit, entry in zip(hits, _in_order(hits), strict=False)
    ]


# --- channel benchmarks ----------------------------------------------------------------------------------


@dataclass
class Benchmark:
    """Medians over archived campaigns of one channel; None where no campaign had the denominator."""

    channel: str
    campaigns: int
    ctr: Decimal | None
    cvr: Decimal | None
    cpa: Decimal | None


def _median(values: list[Decimal]) -> Decimal | None:
    return statistics.median(values) if values else None


def channel_benchmarks(*, user, channel: str = "", channels: list[str] | None = None) -> list[Benchmark]:
    """Median CTR, CVR and CPA per channel over the archived campaigns the user may see."""
    rows = EntryChannel.objects.filter(entry__in=permissions.visible_entries(user))
    if channel:
        rows = rows.filter(name=text.clean(channel).strip())
    if channels is not None:
        rows = rows.filter(name__in=channels)
    groups: dict[str, dict[str, list]] = defaultdict(
        lambda: {"entries": set(), "ctr": [], "cvr": [], "cpa": []}
    )
    for name, entry_id, ctr, cvr, cpa in rows.values_list("name", "entry_id", "ctr", "cvr", "cpa").order_by():
        group = groups[name]
        group["entries"].add(entry_id)
        for key, value in (("ctr", ctr), ("cvr", cvr), ("cpa", cpa)):
            if value is not None:
                group[key].append(value)
    return [
        Benchmark(
            channel=name,
            campaigns=len(group["entries"]),
            ctr=_median(group["ctr"]),
            cvr=_median(group["cvr"]),
            cpa=_median(group["cpa"]),
        )
        for name, group in sorted(groups.items())
    ]


def campaign_channel_names(campaign: Campaign) -> list[str]:
    """The channels a campaign budgets for, by name."""
    return sorted(
        set(
            BudgetLine.objects.filter(campaign=campaign, channel__isnull=False).values_list(
                "channel__name", flat=True
            )
        )
    )


# --- what the filters offer ------------------------------------------------------------------------------


@dataclass
class FilterOptions:
    scenarios: list[str]
    channels: list[str]
    years: list[int]
    tags: list[str]
    departments: list[tuple[int, str]]


def filter_options(*, user) -> FilterOptions:
    visible = permissions.visible_entries(user)
    return FilterOptions(
        scenarios=sorted(set(visible.exclude(scenario="").values_list("scenario", flat=True))),
        channels=sorted(set(EntryChannel.objects.filter(entry__in=visible).values_list("name", flat=True))),
        years=sorted(set(visible.values_list("year", flat=True)), reverse=True),
        tags=sorted(
            set(EntryTag.objects.filter(entry__in=visible).values_list("name", flat=True)), key=str.casefold
        ),
        departments=sorted(
            {
                (pk, name)
                for pk, name in visible.filter(department__isnull=False).values_list(
                    "department_id", "department_name"
                )
            },
            key=lambda item: item[1],
        ),
    )
