"""The archive snapshot: one immutable JSON of the whole campaign, assembled from named parts.

Each part is a function `fn(campaign) -> JSON-ready value` stored under its key. This module
registers the parts every campaign has (plan, brief, goals with actuals, budget, risks,
milestones, personas, members by name, tasks summary, channel results, lessons); other apps add
theirs with `register_snapshot_part` from their AppConfig.ready, e.g. the evaluation report or
the rendered reports:

    register_snapshot_part("evaluation", evaluation_snapshot, text=lambda part: part["lessons"])

`text`, when given, turns the stored part into words for the search index and the keywords.
Names of people are copied, not referenced, so renaming a user later does not change the archive.
Actuals come from metrics.selectors.campaign_kpis (formulas of metrics.calc), never recomputed here.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from campaignflow.campaigns.models import Campaign

logger = logging.getLogger(__name__)

SNAPSHOT_VERSION = 1


@dataclass(frozen=True)
class SnapshotPart:
    key: str
    build: Callable[[Campaign], Any]
    text: Callable[[Any], str | list[str]] | None = None
    core: bool = False


PARTS: dict[str, SnapshotPart] = {}


def register_snapshot_part(
    key: str, fn: Callable[[Campaign], Any], *, text: Callable[[Any], str | list[str]] | None = None
) -> None:
    """Add an app's part to every future snapshot, stored under `key` (a core key cannot be replaced)."""
    existing = PARTS.get(key)
    if existing is not None and existing.core:
        raise ValueError(f"snapshot part {key!r} belongs to the knowledge base")
    PARTS[key] = SnapshotPart(key=key, build=fn, text=text)


def _core(key: str, text: Callable[[Any], str | list[str]] | None = None):
    def decorator(fn):
        PARTS[key] = SnapshotPart(key=key, build=fn, text=text, core=True)
        return fn

    return decorator


def build(campaign: Campaign) -> dict:
    """The snapshot of the campaign as it stands now, JSON-ready.

    An app's part that fails is left out (its key listed under "missing_parts") and logged, so a
    broken add-on never blocks archiving; it runs in a savepoint so PostgreSQL can go on.
    """
    data: dict[str, Any] = {"version": SNAPSHOT_VERSION, "taken_at": timezone.now().isoformat()}
    missing = []
    for part in PARTS.values():
        if part.core:
            data[part.key] = _jsonable(part.build(campaign))
            continue
        try:
            with transaction.atomic():
                data[part.key] = _jsonable(part.build(campaign))
        except Exception:
            logger.exception("snapshot part %s failed for campaign %s", part.key, campaign.pk)
            missing.append(part.key)
    if missing:
        data["missing_parts"] = missing
    return data


def text_of(snapshot: dict) -> str:
    """The words of a snapshot that search and keywords read: name, background, core message,
    goals, analysis and lessons, plus whatever registered parts contribute."""
    plan = snapshot.get("campaign") or {}
    pieces: list[str] = [
        plan.get("name", ""),
        plan.get("theme", ""),
        plan.get("background", ""),
        plan.get("core_message", ""),
        plan.get("target_audience", ""),
        (snapshot.get("brief") or {}).get("business_need", ""),
        (snapshot.get("brief") or {}).get("objectives", ""),
    ]
    pieces += [goal.get("name") or goal.get("metric", "") for goal in snapshot.get("goals") or []]
    pieces += [lesson.get("text", "") for lesson in snapshot.get("lessons") or []]
    pieces.append(parts_text(snapshot))
    return "\n".join(piece for piece in pieces if piece)


def parts_text(snapshot: dict) -> str:
    """The words the registered (non-core) parts of the snapshot contribute."""
    pieces: list[str] = []
    for part in PARTS.values():
        if part.core or part.text is None or part.key not in snapshot:
            continue
        try:
            value = part.text(snapshot[part.key])
        except Exception:
            logger.exception("snapshot text of part %s failed", part.key)
            continue
        pieces += [value] if isinstance(value, str) else [str(item) for item in value]
    return "\n".join(piece for piece in pieces if piece)


# --- the core parts -------------------------------------------------------------------------------


def _name(user) -> str:
    return str(user) if user is not None else ""


@_core("campaign")
def _plan(campaign: Campaign) -> dict:
    return {
        "id": campaign.pk,
        "number": campaign.number or "",
        "name": campaign.name,
        "status": campaign.status,
        "department": campaign.department.name,
        "owner": _name(campaign.owner),
        "template": campaign.template,
        "planned_on": campaign.planned_on,
        "background": campaign.background,
        "target_audience": campaign.target_audience,
        "core_message": campaign.core_message,
        "theme": campaign.theme,
        "format": campaign.format,
        "start_date": campaign.start_date,
        "end_date": campaign.end_date,
        "revision": campaign.revision,
        "budget_total": campaign.budget_total,
        "approved_at": campaign.approved_at,
    }


@_core("brief")
def _brief(campaign: Campaign) -> dict:
    from campaignflow.campaigns.services import BRIEF_FIELDS

    brief = getattr(campaign, "brief", None)
    return {name: getattr(brief, name, "") for name in BRIEF_FIELDS}


def _kpis(campaign: Campaign):
    """The campaign's KPIs, computed once per snapshot (goals and channels both read them)."""
    cache = campaign.__dict__.setdefault("_knowledge_kpis", {})
    if "kpis" not in cache:
        from campaignflow.metrics.selectors import campaign_kpis

        cache["kpis"] = campaign_kpis(campaign=campaign)
    return cache["kpis"]


@_core("goals")
def _goals(campaign: Campaign) -> list[dict]:
    actuals = {kpi.goal.pk: kpi for kpi in _kpis(campaign).goals}
    result = []
    for goal in campaign.goals.select_related("owner").order_by("id"):
        kpi = actuals.get(goal.pk)
        result.append(
            {
                "metric": goal.metric,
                "name": goal.name,
                "baseline": goal.baseline,
                "target": goal.target,
                "unit": goal.unit,
                "direction": goal.direction,
                "deadline": goal.deadline,
                "owner": _name(goal.owner),
                "parent": goal.parent.name or goal.parent.metric if goal.parent_id else "",
                "actual": kpi.actual if kpi else None,
                "achievement": kpi.achievement if kpi else None,
                "met": kpi.met if kpi else None,
            }
        )
    return result


@_core("budget_lines")
def _budget(campaign: Campaign) -> list[dict]:
    return [
        {
            "category": line.category,
            "label": line.label,
            "channel": line.channel.name if line.channel_id else "",
            "amount": line.amount,
            "note": line.note,
        }
        for line in campaign.budget_lines.select_related("channel").order_by("id")
    ]


@_core("risks")
def _risks(campaign: Campaign) -> list[dict]:
    return [
        {
            "category": risk.category,
            "description": risk.description,
            "probability": risk.probability,
            "impact": risk.impact,
            "score": risk.score,
            "response": risk.response,
            "owner": _name(risk.owner),
            "status": risk.status,
        }
        for risk in campaign.risks.select_related("owner").order_by("id")
    ]


@_core("milestones")
def _milestones(campaign: Campaign) -> list[dict]:
    return [
        {"name": m.name, "date": m.date, "note": m.note} for m in campaign.milestones.order_by("date", "id")
    ]


@_core("personas")
def _personas(campaign: Campaign) -> list[dict]:
    fields = ("name", "age_min", "age_max", "gender", "city_tier", "spend_level", "interests", "channels")
    return [{name: getattr(p, name) for name in fields} for p in campaign.personas.order_by("id")]


@_core("members")
def _members(campaign: Campaign) -> list[dict]:
    return [
        {"name": _name(m.user), "username": m.user.get_username(), "role": m.role, "group": m.group}
        for m in campaign.members.select_related("user").order_by("id")
    ]


@_core("tasks")
def _tasks(campaign: Campaign) -> dict:
    from campaignflow.execution.models import Task

    today = campaign.end_date or timezone.localdate()
    tasks = list(Task.objects.filter(campaign=campaign))
    shown = Counter(task.display_status(today) for task in tasks)
    return {
        "total": len(tasks),
        "by_status": dict(sorted(shown.items())),
        "done": sum(1 for task in tasks if task.status == "done"),
        "finished_late": sum(1 for task in tasks if task.status == "done" and task.is_late(today)),
    }


@_core("results")
def _results(campaign: Campaign) -> dict:
    """Totals and one row per channel: base measures summed, CTR/CVR/CPA/ROAS/ROI from calc."""
    kpis = _kpis(campaign)

    def row(breakdown) -> dict:
        measures, metrics = breakdown.measures, breakdown.metrics
        return {
            "impressions": measures["impressions"],
            "clicks": measures["clicks"],
            "conversions": measures["conversions"],
            "visits": measures["visits"],
            "leads": measures["leads"],
            "cost": measures["cost"],
            "revenue": measures["revenue"],
            "ctr": metrics.get("ctr"),
            "cvr": metrics.get("cvr"),
            "cpa": metrics.get("cpa"),
            "roas": metrics.get("roas"),
            "roi": metrics.get("roi"),
        }

    return {
        "days_with_data": kpis.days_with_data,
        "totals": row(kpis.totals),
        "channels": [
            {"name": c.name, "kind": c.kind, "online": c.online, "days": c.days, **row(c)}
            for c in kpis.channels
        ],
    }


@_core("lessons")
def _lessons(campaign: Campaign) -> list[dict]:
    """What the team wrote down while running it: log entries (issue, decision, contingency) with
    their handling and result, and the decisions of weekly meetings and interim reviews."""
    from campaignflow.execution.models import LogEntry, Meeting

    lessons = []
    for entry in LogEntry.objects.filter(campaign=campaign).order_by("at", "id"):
        text = " → ".join(part for part in (entry.description, entry.handling, entry.result) if part)
        lessons.append({"source": "log", "kind": entry.kind, "date": entry.at.date(), "text": text})
    meetings = Meeting.objects.filter(campaign=campaign).exclude(decisions="").order_by("date", "id")
    for meeting in meetings:
        lessons.append(
            {"source": "meeting", "kind": meeting.kind, "date": meeting.date, "text": meeting.decisions}
        )
    return lessons


# Snapshot figures keep at most six decimal places: amounts come with two ("1200.00"), rates are
# fractions ("0.036667" = 3.6667 %), so a ratio's long tail ("0.0366666666666666…") is cut.
SNAPSHOT_PLACES = Decimal("0.000001")


def snapshot_decimal(value: Decimal) -> str:
    """A decimal as the snapshot stores it: as written, or rounded half up to six places."""
    if value.is_finite() and value.as_tuple().exponent < SNAPSHOT_PLACES.as_tuple().exponent:
        value = value.quantize(SNAPSHOT_PLACES, rounding=ROUND_HALF_UP).normalize()
        if value.as_tuple().exponent > 0:
            value = value.quantize(Decimal(1))
    return str(value)


def _jsonable(value: Any) -> Any:
    """Decimals as strings (amounts "1200.00", rates as fractions, six places at most), dates ISO,
    nested as it is."""
    if isinstance(value, Decimal):
        return snapshot_decimal(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    return value


def year_of(snapshot: dict, archived_at: dt.datetime) -> int:
    """The campaign's year: its end date's, else its start date's, else the archive's."""
    plan = snapshot.get("campaign") or {}
    for key in ("end_date", "start_date"):
        if plan.get(key):
            return dt.date.fromisoformat(plan[key]).year
    return timezone.localtime(archived_at).year


def channel_rows(snapshot: dict) -> list[dict]:
    """The snapshot's channel results as EntryChannel field values."""
    rows = []
    for channel in (snapshot.get("results") or {}).get("channels") or []:
        if not channel.get("name"):
            continue
        rows.append(
            {
                "name": channel["name"][:100],
                "kind": channel.get("kind") or "",
                "impressions": int(Decimal(channel.get("impressions") or 0)),
                "clicks": int(Decimal(channel.get("clicks") or 0)),
                "conversions": int(Decimal(channel.get("conversions") or 0)),
                "cost": Decimal(channel.get("cost") or 0),
                "revenue": Decimal(channel.get("revenue") or 0),
                "ctr": _decimal(channel.get("ctr")),
                "cvr": _decimal(channel.get("cvr")),
                "cpa": _decimal(channel.get("cpa")),
            }
        )
    return rows


def _decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))
