"""The evaluation report's part of the knowledge snapshot: figures, analysis and lessons as text."""

from __future__ import annotations

from decimal import Decimal

from campaignflow.campaigns.models import Campaign
from campaignflow.knowledge.snapshot import snapshot_decimal

from . import selectors


def _s(value):
    if value is None:
        return None
    return snapshot_decimal(value) if isinstance(value, Decimal) else str(value)


def evaluation_part(campaign: Campaign) -> dict | None:
    view = selectors.evaluation_for(campaign=campaign)
    report = view.report
    if report is None:
        return None
    return {
        "status": report.status,
        "summary": report.summary,
        "what_worked": report.what_worked,
        "what_did_not": report.what_did_not,
        "lessons": {"keep": report.keep, "change": report.change, "try": report.try_next},
        "meeting_notes": report.meeting_notes,
        "totals": {key: _s(value) for key, value in view.totals.items()},
        "dimensions": [
            {
                "name": row.name,
                "metric": row.metric,
                "target": _s(row.target),
                "actual": _s(row.actual),
                "achievement": _s(row.achievement),
                "met": row.met,
                "analysis": row.analysis,
            }
            for row in view.dimensions
        ],
    }


def evaluation_text(part) -> list[str]:
    if not part:
        return []
    lessons = part.get("lessons") or {}
    texts = [part.get("summary"), part.get("what_worked"), part.get("what_did_not"), *lessons.values()]
    texts += [row.get("analysis") for row in part.get("dimensions", [])]
    return [text for text in texts if text]
