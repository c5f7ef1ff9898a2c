"""API shapes of the evaluation report (GET/PUT /campaigns/{id}/evaluation and its actions)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from campaignflow.campaigns.schemas import InputSchema

from . import selectors


class EvaluationIn(InputSchema):
    summary: str | None = Field(None, max_length=5000)
    what_worked: str | None = Field(None, max_length=5000)
    what_did_not: str | None = Field(None, max_length=5000)
    keep: str | None = Field(None, max_length=5000)
    change: str | None = Field(None, max_length=5000)
    try_next: str | None = Field(None, max_length=5000)
    meeting_id: int | None = Field(None, ge=1, le=2**53)
    meeting_notes: str | None = Field(None, max_length=5000)


class DimensionPatch(InputSchema):
    analysis: str | None = Field(None, max_length=5000)
    actual: Decimal | None = None


class ActionIn(InputSchema):
    comment: str = Field("", max_length=2000)


class DimensionOut(Schema):
    id: int | None
    key: str
    name: str
    metric: str
    unit: str
    direction: str
    tracked: bool
    target: Decimal | None
    actual: Decimal | None
    achievement: Decimal | None
    met: bool | None
    analysis: str


class EvaluationApprovalOut(Schema):
    """One decision on the report (a campaigns.Approval), oldest first."""

    revision: int
    level: int
    role: str
    decision: str
    actor: int
    actor_name: str
    comment: str
    at: dt.datetime


class EvaluationOut(Schema):
    campaign_id: int
    status: str
    revision: int
    summary: str
    what_worked: str
    what_did_not: str
    keep: str
    change: str
    try_next: str
    meeting_id: int | None
    meeting_notes: str
    dimensions: list[DimensionOut]
    totals: dict[str, Decimal | None]
    channels: list[dict]
    submitted_by: str | None
    submitted_at: str | None
    decided_by: str | None
    decision_comment: str
    approvals: list[EvaluationApprovalOut]


def evaluation_data(view: selectors.EvaluationView) -> dict:
    report = view.report
    text = {
        name: getattr(report, name) if report else ""
        for name in ("summary", "what_worked", "what_did_not", "keep", "change", "try_next", "meeting_notes")
    }
    return text | {
        "campaign_id": view.campaign.pk,
        "status": view.status,
        "revision": report.revision if report else 1,
        "meeting_id": report.meeting_id if report else None,
        "dimensions": [
            {key: getattr(row, key) for key in DimensionOut.model_fields} for row in view.dimensions
        ],
        "totals": view.totals,
        "channels": [
            {k: (str(v) if isinstance(v, Decimal) else v) for k, v in row.items()} for row in view.channels
        ],
        "submitted_by": str(report.submitted_by) if report and report.submitted_by_id else None,
        "submitted_at": report.submitted_at.isoformat() if report and report.submitted_at else None,
        "decided_by": str(report.decided_by) if report and report.decided_by_id else None,
        "decision_comment": report.decision_comment if report else "",
        "approvals": [
            {
                "revision": a.revision,
                "level": a.level,
                "role": a.role,
                "decision": a.decision,
                "actor": a.actor_id,
                "actor_name": str(a.actor),
                "comment": a.comment,
                "at": a.at,
            }
            for a in (report.approvals.all() if report else [])
        ],
    }
