"""Reads of change requests: lists, the approval inbox, baselines, and what a change changes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from campaignflow.core.errors import NotFound
from campaignflow.core.money import share
from campaignflow.metrics.models import Channel

from .. import permissions
from ..choices import BudgetCategory
from ..models import Approval, Campaign, ChangeKind, ChangeRequest, ChangeStatus, PlanSnapshot
from .policy import approval_levels
from .proposals import GOAL_FIELDS, PLAN_SNAPSHOT_FIELDS, current_values

# --- selectors --------------------------------------------------------------------------------------


def change_requests_for(*, campaign: Campaign) -> QuerySet[ChangeRequest]:
    """The campaign's change requests, newest first."""
    return campaign.change_requests.select_related("created_by").order_by("-created_at", "-id")


def change_request_get(*, user, pk) -> ChangeRequest:
    """One change request whose campaign the user may see, or NotFound."""
    try:
        change_request = ChangeRequest.objects.select_related(
            "campaign", "campaign__department", "campaign__owner", "created_by"
        ).get(pk=int(pk))
    except (ChangeRequest.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Change request not found."))
    if not permissions.can_view(user, change_request.campaign):
        raise NotFound(_("Change request not found."))
    return change_request


def change_approvals(*, change_request: ChangeRequest) -> QuerySet[Approval]:
    return change_request.approvals.select_related("actor").order_by("at", "id")


def change_request_inbox(*, user) -> list[ChangeRequest]:
    """Change requests in review waiting for a level this user decides, oldest first."""
    levels = approval_levels()
    waiting = (
        ChangeRequest.objects.filter(status=ChangeStatus.IN_REVIEW)
        .select_related("campaign", "campaign__department", "created_by")
        .order_by("submitted_at", "id")
    )
    return [
        request
        for request in waiting
        if request.approval_level in permissions.approver_levels(user, request.campaign, levels)
    ]


def plan_snapshots(*, campaign: Campaign) -> QuerySet[PlanSnapshot]:
    return campaign.plan_snapshots.select_related("change_request", "created_by").order_by("revision")


# --- what a change request changes, row by row (detail page and API) -------------------------------


@dataclass
class ChangeRow:
    """One line of the proposed-vs-current table; `format` tells the template how to show values."""

    label: str
    before: object
    after: object
    format: str = "text"  # text | date | money | pct | goal
    state: str = "changed"  # changed | added | removed | same


def _line_label(line: dict) -> str:
    parts = [str(BudgetCategory(line["category"]).label)]
    if line.get("label"):
        parts.append(line["label"])
    if line.get("channel_name"):
        parts.append(line["channel_name"])
    elif line.get("channel"):
        channel = Channel.objects.filter(pk=line["channel"]).first()
        parts.append(channel.name if channel else "?")
    return " · ".join(parts)


def _goal_label(goal: dict) -> str:
    return goal.get("name") or goal.get("metric") or ""


def _budget_summary_rows(before_lines: list[dict], after_lines: list[dict]) -> list[ChangeRow]:
    def totals(lines):
        total = sum((Decimal(line["amount"]) for line in lines), Decimal("0"))
        reserve = sum(
            (Decimal(line["amount"]) for line in lines if line["category"] == BudgetCategory.CONTINGENCY),
            Decimal("0"),
        )
        return total, share(reserve, total)

    (total_before, reserve_before), (total_after, reserve_after) = totals(before_lines), totals(after_lines)
    return [
        ChangeRow(
            str(_("Total budget")),
            total_before,
            total_after,
            "money",
            "same" if total_before == total_after else "changed",
        ),
        ChangeRow(
            str(_("Contingency reserve share")),
            reserve_before,
            reserve_after,
            "pct",
            "same" if reserve_before == reserve_after else "changed",
        ),
    ]


def change_rows(change_request: ChangeRequest) -> list[ChangeRow]:
    """Before and after for each value the request changes. Before is the plan now, or the values
    the change replaced once it was applied."""
    kind, proposal = change_request.kind, change_request.proposed
    if change_request.status == ChangeStatus.APPLIED and change_request.before is not None:
        before = change_request.before
    else:
        before = current_values(change_request.campaign, kind)
    rows: list[ChangeRow] = []
    if kind == ChangeKind.DATES:
        for name in ("start_date", "end_date"):
            label = str(Campaign._meta.get_field(name).verbose_name).capitalize()
            state = "same" if before.get(name) == proposal.get(name) else "changed"
            rows.append(ChangeRow(label, before.get(name), proposal.get(name), "date", state))
        milestones = {m["id"]: m for m in before.get("milestones", [])}
        for entry in proposal.get("milestones", []):
            milestone = milestones.get(entry["id"], {})
            rows.append(ChangeRow(milestone.get("name", "?"), milestone.get("date"), entry["date"], "date"))
    elif kind == ChangeKind.SCOPE:
        for name, value in proposal.items():
            label = str(Campaign._meta.get_field(name).verbose_name).capitalize()
            rows.append(ChangeRow(label, before.get(name, ""), value))
    elif kind == ChangeKind.BUDGET:
        lines = {line["id"]: line for line in before.get("lines", [])}
        after_lines = {key: dict(line) for key, line in lines.items()}
        added = []
        for entry in proposal.get("lines", []):
            line = lines.get(entry.get("id"))
            if entry.get("id") is None:
                added.append(entry)
                rows.append(ChangeRow(_line_label(entry), None, entry["amount"], "money", "added"))
            elif entry.get("remove"):
                after_lines.pop(entry["id"], None)
                rows.append(
                    ChangeRow(
                        _line_label(line or {"category": "custom"}),
                        (line or {}).get("amount"),
                        None,
                        "money",
                        "removed",
                    )
                )
            else:
                after_lines.setdefault(entry["id"], {}).update(entry)
                if line is not None:
                    rows.append(
                        ChangeRow(
                            _line_label(line), line["amount"], entry.get("amount", line["amount"]), "money"
                        )
                    )
                    if "note" in entry:
                        rows.append(
                            ChangeRow(f"{_line_label(line)} · {_('note')}", line["note"], entry["note"])
                        )
        rows += _budget_summary_rows(list(lines.values()), [*after_lines.values(), *added])
    else:
        goals = {goal["id"]: goal for goal in before.get("goals", [])}
        for entry in proposal.get("goals", []):
            goal = goals.get(entry.get("id"))
            if entry.get("id") is None:
                rows.append(ChangeRow(_goal_label(entry), None, entry, "goal", "added"))
            elif entry.get("remove"):
                rows.append(ChangeRow(_goal_label(goal or {}), goal, None, "goal", "removed"))
            elif goal is not None:
                rows.append(ChangeRow(_goal_label(goal), goal, {**goal, **entry}, "goal"))
    return rows


# --- comparing a baseline with the current plan ----------------------------------------------------


@dataclass
class CompareRow:
    label: str
    before: object
    after: object
    format: str = "text"
    state: str = "same"  # same | changed | added | removed


def _compare_items(
    before: list[dict], after: list[dict], label, fields: tuple[str, ...], fmt: str
) -> list[CompareRow]:
    rows = []
    old = {item["id"]: item for item in before}
    new = {item["id"]: item for item in after}
    for item_id in [*old, *(key for key in new if key not in old)]:
        was, now = old.get(item_id), new.get(item_id)
        if was is None:
            state = "added"
        elif now is None:
            state = "removed"
        else:
            state = "same" if all(was.get(f) == now.get(f) for f in fields) else "changed"
        rows.append(CompareRow(label(now or was), was, now, fmt, state))
    return rows


def plan_compare(before: dict, after: dict) -> dict:
    """Section by section, what differs between two plan snapshots (plan_data shapes)."""
    fields = []
    for name in PLAN_SNAPSHOT_FIELDS:
        was, now = before["fields"].get(name), after["fields"].get(name)
        fields.append(
            CompareRow(
                str(Campaign._meta.get_field(name).verbose_name).capitalize(),
                was,
                now,
                "date" if name.endswith("_date") else "text",
                "same" if was == now else "changed",
            )
        )
    comparison = {
        "fields": fields,
        "goals": _compare_items(before["goals"], after["goals"], _goal_label, GOAL_FIELDS, "goal"),
        "budget_lines": _compare_items(
            before["budget_lines"],
            after["budget_lines"],
            _line_label,
            ("category", "label", "channel", "amount", "note"),
            "line",
        ),
        "budget_total": [
            CompareRow(
                str(_("Total budget")),
                before["budget_total"],
                after["budget_total"],
                "money",
                "same" if before["budget_total"] == after["budget_total"] else "changed",
            )
        ],
        "milestones": _compare_items(
            before["milestones"],
            after["milestones"],
            lambda m: m["name"],
            ("name", "date", "note"),
            "milestone",
        ),
    }
    comparison["budget"] = [*comparison["budget_lines"], *comparison["budget_total"]]
    return comparison
