"""Writes to the knowledge base: freeze an archived campaign, label an entry, save a template.

Every function checks visibility (404) and policy (403) first, writes in one transaction and
records an audit event in it. The snapshot is written once, by `knowledge_entry_create`; only
keywords and tags change afterwards, and the search index follows them in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaignflow.audit.services import audit_record
from campaignflow.campaigns import permissions as campaign_permissions
from campaignflow.campaigns.choices import BudgetCategory, CampaignStatus
from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import Conflict, Forbidden, NotFound, ValidationFailed, field_error

from . import permissions, search, snapshot, text
from .models import EntryChannel, EntryTag, KnowledgeEntry, KnowledgeTemplate

MAX_LABELS = 20
MAX_LABEL_LENGTH = 40
_SPACES = re.compile(r"\s+")


# --- creating entries ----------------------------------------------------------------------------


def keyword_text(data: dict) -> str:
    """What keywords are proposed from: name, background, core message, goals and lessons."""
    plan = data.get("campaign") or {}
    pieces = [plan.get("name", ""), plan.get("background", ""), plan.get("core_message", "")]
    pieces += [goal.get("name") or goal.get("metric", "") for goal in data.get("goals") or []]
    pieces += [lesson.get("text", "") for lesson in data.get("lessons") or []]
    pieces.append(snapshot.parts_text(data))
    return "\n".join(piece for piece in pieces if piece)


def _search_text(entry: KnowledgeEntry, tags: list[str]) -> str:
    return "\n".join(
        piece
        for piece in (
            entry.number,
            snapshot.text_of(entry.snapshot),
            " ".join(entry.keywords),
            " ".join(tags),
        )
        if piece
    )


def _reindex(entry: KnowledgeEntry, tags: list[str]) -> None:
    entry.search_text = _search_text(entry, tags)
    entry.search_tokens = text.index_text(entry.search_text)


def entry_from_snapshot(
    *,
    data: dict,
    campaign: Campaign | None,
    department,
    actor,
    archived_at: dt.datetime | None = None,
    is_history: bool = False,
    tags: list[str] | None = None,
) -> KnowledgeEntry:
    """Write an entry, its channel rows and its index from a snapshot (callers hold the transaction)."""
    plan = data.get("campaign") or {}
    archived_at = archived_at or timezone.now()
    proposed = text.keywords(keyword_text(data))
    tags = _clean_labels(tags or [], "tags")
    entry = KnowledgeEntry(
        campaign=campaign,
        number=(plan.get("number") or "")[:20],
        name=(plan.get("name") or "")[:200],
        department=department,
        department_name=(plan.get("department") or (department.name if department else ""))[:100],
        scenario=(plan.get("template") or "")[:40],
        year=snapshot.year_of(data, archived_at),
        snapshot=data,
        proposed_keywords=proposed,
        keywords=list(proposed),
        archived_at=archived_at,
        is_history=is_history,
        created_by=actor if actor is not None and actor.pk else None,
    )
    _reindex(entry, tags)
    entry.save()
    EntryChannel.objects.bulk_create(EntryChannel(entry=entry, **row) for row in snapshot.channel_rows(data))
    EntryTag.objects.bulk_create(EntryTag(entry=entry, name=tag) for tag in tags)
    search.index_entries([(entry.pk, entry.search_tokens)])
    return entry


@transaction.atomic
def knowledge_entry_create(*, campaign: Campaign, actor=None) -> KnowledgeEntry:
    """Freeze an archived campaign into the knowledge base; returns the existing entry if there is one.

    Called in the archive transaction by the lifecycle hook (the archive itself was authorised),
    and by the sweep job with no actor. A person calling it must be able to see the campaign.
    """
    # The campaign's row lock serialises the archive hook and the sweep: the second one to get
    # here finds the first one's entry instead of failing on the one-to-one constraint.
    campaign = (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("department", "owner")
        .get(pk=campaign.pk)
    )
    if actor is not None and not campaign_permissions.can_view(actor, campaign):
        raise NotFound(_("Campaign not found."))
    existing = KnowledgeEntry.objects.filter(campaign=campaign).first()
    if existing is not None:
        return existing
    if campaign.status != CampaignStatus.ARCHIVED:
        raise Conflict(
            _("Only an archived campaign goes into the knowledge base; this one is %(status)s.")
            % {"status": campaign.get_status_display()},
            code="not_archived",
        )
    entry = entry_from_snapshot(
        data=snapshot.build(campaign), campaign=campaign, department=campaign.department, actor=actor
    )
    audit_record(
        actor=actor,
        verb="knowledge.entry_created",
        obj=entry,
        campaign=campaign,
        after={"keywords": entry.keywords, "year": entry.year, "scenario": entry.scenario},
    )
    return entry


def on_archive(*, campaign: Campaign, actor, comment: str = "") -> None:
    """lifecycle.register_after("archive", …): the entry is written in the archive's transaction."""
    knowledge_entry_create(campaign=campaign, actor=actor)


def knowledge_entries_sweep() -> int:
    """Entries for archived campaigns that have none (archived before this app, or a failed hook)."""
    missing = Campaign.objects.filter(status=CampaignStatus.ARCHIVED, knowledge_entry__isnull=True)
    created = 0
    for campaign in missing.order_by("pk"):
        try:
            knowledge_entry_create(campaign=campaign, actor=None)
            created += 1
        except IntegrityError:  # pragma: no cover - another process won the race
            continue
    return created


# --- labels -----------------------------------------------------------------------------------------


def _clean_labels(values, field: str) -> list[str]:
    """Trimmed, inner spaces collapsed, case-insensitive duplicates dropped, in the given order."""
    if isinstance(values, str):
        values = re.split(r"[,，;；\n]", values)
    result: list[str] = []
    seen: set[str] = set()
    for value in values or []:
        label = _SPACES.sub(" ", str(value)).strip()
        if not label:
            continue
        if len(label) > MAX_LABEL_LENGTH:
            raise field_error(
                field,
                _("“%(label)s…” is too long: at most %(max)d characters.")
                % {"label": label[:20], "max": MAX_LABEL_LENGTH},
            )
        if label.casefold() not in seen:
            seen.add(label.casefold())
            result.append(label)
    if len(result) > MAX_LABELS:
        raise field_error(field, _("At most %(max)d labels.") % {"max": MAX_LABELS})
    return result


@transaction.atomic
def knowledge_entry_label(
    *,
    entry: KnowledgeEntry,
    actor,
    tags: list[str] | str | None = None,
    keywords: list[str] | str | None = None,
) -> KnowledgeEntry:
    """Replace the entry's tags and/or keywords (None leaves that list as it is); the index follows."""
    entry = KnowledgeEntry.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=entry.pk)
    if not permissions.can_view(actor, entry):
        raise NotFound(_("Knowledge entry not found."))
    if not permissions.can_label(actor, entry):
        raise Forbidden(_("Only the campaign's team, its department head and analysts may label this entry."))
    errors = []
    new_tags = new_keywords = None
    for field, value in (("tags", tags), ("keywords", keywords)):
        if value is None:
            continue
        try:
            cleaned = _clean_labels(value, field)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
            continue
        if field == "tags":
            new_tags = cleaned
        else:
            new_keywords = cleaned
    if errors:
        raise ValidationFailed(errors[0].message, errors)
    old_tags = list(entry.tags.values_list("name", flat=True))
    before = {"tags": old_tags, "keywords": list(entry.keywords)}
    if new_keywords is not None:
        entry.keywords = new_keywords
    if new_tags is not None:
        entry.tags.all().delete()
        EntryTag.objects.bulk_create(EntryTag(entry=entry, name=tag) for tag in new_tags)
    tags_now = new_tags if new_tags is not None else old_tags
    after = {"tags": tags_now, "keywords": list(entry.keywords)}
    if after == before:
        return entry
    _reindex(entry, tags_now)
    entry.save(update_fields=["keywords", "search_text", "search_tokens", "updated_at"])
    search.index_entries([(entry.pk, entry.search_tokens)])
    audit_record(
        actor=actor, verb="knowledge.labelled", obj=entry, campaign=entry.campaign, before=before, after=after
    )
    return entry


# --- templates ----------------------------------------------------------------------------------------


def _all_languages(value: str) -> dict[str, str]:
    return {"en": value, "zh-hans": value, "zh-hant": value}


def template_data(entry: KnowledgeEntry, *, key: str, name: str) -> dict:
    """The entry's plan in the shape of campaigns/scenarios/*.json (goals, budget split, milestones, risks)."""
    data = entry.snapshot
    plan = data.get("campaign") or {}
    start = dt.date.fromisoformat(plan["start_date"]) if plan.get("start_date") else None
    end = dt.date.fromisoformat(plan["end_date"]) if plan.get("end_date") else None
    amounts: dict[str, Decimal] = {}
    for line in data.get("budget_lines") or []:
        category = line.get("category") if line.get("category") in BudgetCategory.values else "custom"
        amounts[category] = amounts.get(category, Decimal(0)) + Decimal(line.get("amount") or 0)
    total = sum(amounts.values(), Decimal(0))
    if total > 0:
        split = {
            c: (a / total).quantize(Decimal("0.0001"), ROUND_HALF_UP) for c, a in amounts.items() if a > 0
        }
    else:
        split = {
            BudgetCategory.PROMOTION.value: Decimal("0.90"),
            BudgetCategory.CONTINGENCY.value: Decimal("0.10"),
        }
    milestones = []
    for milestone in data.get("milestones") or []:
        day = dt.date.fromisoformat(milestone["date"])
        offset = (
            {"offset": "end"} if end and day == end else {"offset_days": (day - start).days if start else 0}
        )
        milestones.append({"name": _all_languages(milestone.get("name", "")), **offset})
    source = _("Saved from %(entry)s (%(year)d)") % {"entry": entry, "year": entry.year}
    return {
        "key": key,
        "source": "knowledge",
        "entry": entry.pk,
        "name": _all_languages(name),
        "description": _all_languages(source),
        "duration_days": (end - start).days + 1 if start and end else 30,
        "default_budget": str(total.quantize(Decimal("0.01"))),
        "theme": _all_languages(plan.get("theme", "")),
        "format": _all_languages(plan.get("format", "")),
        "goals": [
            {
                "metric": goal.get("metric", ""),
                "name": _all_languages(goal.get("name") or goal.get("metric", "")),
                "unit": goal.get("unit", ""),
                "direction": goal.get("direction") or "higher",
                "target": goal.get("target") or "",
            }
            for goal in data.get("goals") or []
            if goal.get("metric")
        ],
        "budget_split": {category: str(share) for category, share in split.items()},
        "milestones": milestones,
        "risks": [
            {
                "category": risk.get("category") or "other",
                "probability": risk.get("probability") or 3,
                "impact": risk.get("impact") or 3,
                "description": _all_languages(risk.get("description", "")),
                "response": _all_languages(risk.get("response", "")),
            }
            for risk in data.get("risks") or []
        ],
    }


@transaction.atomic
def knowledge_template_create(*, entry: KnowledgeEntry, actor, name: str = "") -> KnowledgeTemplate:
    """Save the archived campaign's plan as an organization template that new campaigns can start from."""
    entry = KnowledgeEntry.objects.select_related("campaign").get(pk=entry.pk)
    if not permissions.can_view(actor, entry):
        raise NotFound(_("Knowledge entry not found."))
    if not permissions.can_label(actor, entry):
        raise Forbidden(
            _("Only the campaign's team, its department head and analysts may save it as a template.")
        )
    name = _SPACES.sub(" ", name or "").strip() or _("%(name)s (template)") % {"name": entry.name}
    if len(name) > 200:
        raise field_error("name", _("At most %(max)d characters.") % {"max": 200})
    if KnowledgeTemplate.objects.filter(name__iexact=name).exists():
        raise field_error("name", _("A template named “%(name)s” exists already.") % {"name": name})
    template = KnowledgeTemplate.objects.create(
        key=f"kb-new-{entry.pk}-{timezone.now().timestamp()}"[:40], name=name, entry=entry, created_by=actor
    )
    template.key = f"kb-{template.pk}"
    template.data = template_data(entry, key=template.key, name=name)
    template.save(update_fields=["key", "data"])
    audit_record(
        actor=actor,
        verb="knowledge.template_created",
        obj=template,
        campaign=entry.campaign,
        after={"key": template.key, "name": name, "entry": entry.pk},
    )
    return template
