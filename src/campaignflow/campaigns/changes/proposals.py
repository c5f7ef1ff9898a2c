"""The proposed values of a change request: read from the plan, validated per kind, as JSON.

dates:  {start_date, end_date, milestones?: [{id, date}]}
scope:  any of {theme, format, background, core_message, target_audience}
budget: {lines: [{id, amount?, note?} | {id, remove: true} | {category, channel?, label?, amount, note?}]}
goals:  {goals: [{id, <goal fields>} | {id, remove: true} | {metric, target, deadline, ...}]}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from campaignflow.accounts.models import Organization
from campaignflow.core.errors import FieldError, ValidationFailed, field_error
from campaignflow.core.money import CENT, share
from campaignflow.metrics.models import Channel

from ..choices import BudgetCategory, Direction
from ..models import BudgetLine, Campaign, ChangeKind, Goal, Milestone

SCOPE_FIELDS = ("theme", "format", "background", "core_message", "target_audience")
GOAL_FIELDS = ("metric", "name", "baseline", "target", "unit", "direction", "deadline")
PLAN_SNAPSHOT_FIELDS = ("name", *SCOPE_FIELDS, "start_date", "end_date")
MIN_DATE, MAX_DATE = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
MAX_MONEY = Decimal("1e12")  # BudgetLine.amount: 14 digits, 2 places
MAX_MEASURE = Decimal("1e14")  # Goal.target/baseline: 18 digits, 4 places
MAX_ENTRIES = 200


# --- reading values -------------------------------------------------------------------------------


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _dec(value: Decimal | None, places: Decimal | None = None) -> str | None:
    if value is None:
        return None
    value = Decimal(value)
    if places is not None:
        value = value.quantize(places)
    text = format(value, "f")
    if places is None and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _line_data(line: BudgetLine) -> dict:
    return {
        "id": line.pk,
        "category": line.category,
        "label": line.label,
        "channel": line.channel_id,
        "channel_name": line.channel.name if line.channel_id else None,
        "amount": _dec(line.amount, CENT),
        "note": line.note,
    }


def _goal_data(goal: Goal) -> dict:
    return {
        "id": goal.pk,
        "metric": goal.metric,
        "name": goal.name,
        "baseline": _dec(goal.baseline),
        "target": _dec(goal.target),
        "unit": goal.unit,
        "direction": goal.direction,
        "deadline": _iso(goal.deadline),
        "parent": goal.parent_id,
    }


def _milestone_data(milestone: Milestone) -> dict:
    return {"id": milestone.pk, "name": milestone.name, "date": _iso(milestone.date), "note": milestone.note}


def plan_data(campaign: Campaign) -> dict:
    """The plan as JSON: Table 1 fields, goals, budget lines, milestones (what a snapshot keeps)."""
    lines = [_line_data(line) for line in campaign.budget_lines.select_related("channel").order_by("id")]
    fields = {}
    for name in PLAN_SNAPSHOT_FIELDS:
        value = getattr(campaign, name)
        fields[name] = _iso(value) if isinstance(value, dt.date) else value
    return {
        "revision": campaign.revision,
        "fields": fields,
        "goals": [_goal_data(goal) for goal in campaign.goals.order_by("id")],
        "budget_lines": lines,
        "budget_total": _dec(sum((Decimal(line["amount"]) for line in lines), Decimal("0")), CENT),
        "milestones": [_milestone_data(m) for m in campaign.milestones.order_by("date", "id")],
    }


def current_values(campaign: Campaign, kind: str) -> dict:
    """The part of the plan a change of this kind touches, in the shape of its proposal."""
    data = plan_data(campaign)
    if kind == ChangeKind.DATES:
        return {
            "start_date": data["fields"]["start_date"],
            "end_date": data["fields"]["end_date"],
            "milestones": data["milestones"],
        }
    if kind == ChangeKind.SCOPE:
        return {name: data["fields"][name] for name in SCOPE_FIELDS}
    if kind == ChangeKind.BUDGET:
        return {"lines": data["budget_lines"], "total": data["budget_total"]}
    return {"goals": data["goals"]}


# --- validating proposals ---------------------------------------------------------------------------


class _Errors:
    """Collects field errors while a proposal is read, so all of them are reported at once."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, path: str, message) -> None:
        self.items.append(FieldError(path, str(message)))

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationFailed(
                _("The proposed change is invalid: %(first)s") % {"first": self.items[0].message},
                self.items,
                code="invalid_proposal",
            )


def _date(value, path: str, errors: _Errors) -> dt.date | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            errors.add(path, _("Enter a valid date (YYYY-MM-DD)."))
            return None
    if not isinstance(value, dt.date):
        errors.add(path, _("Enter a valid date (YYYY-MM-DD)."))
        return None
    if not MIN_DATE <= value <= MAX_DATE:
        errors.add(
            path,
            _("Enter a date between %(min)s and %(max)s.")
            % {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()},
        )
        return None
    return value


def _decimal(value, path: str, errors: _Errors, *, places: Decimal, limit: Decimal, minimum=None):
    if isinstance(value, bool) or value is None or value == "":
        errors.add(path, _("Enter a number."))
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.add(path, _("Enter a number."))
        return None
    if not number.is_finite() or abs(number) >= limit:
        errors.add(path, _("Enter a number below %(limit)s.") % {"limit": f"{limit:,.0f}"})
        return None
    if number != number.quantize(places):
        errors.add(path, _("Use at most %(n)d decimal places.") % {"n": -places.as_tuple().exponent})
        return None
    if minimum is not None and number < minimum:
        errors.add(path, _("The amount must not be negative."))
        return None
    return number


def _text(value, path: str, errors: _Errors, *, max_length: int) -> str | None:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(path, _("Enter text."))
        return None
    value = value.strip()
    if "\x00" in value:
        errors.add(path, _("Null characters are not allowed."))
        return None
    if len(value) > max_length:
        errors.add(
            path,
            _("Ensure this value has at most %(max)d characters (it has %(n)d).")
            % {"max": max_length, "n": len(value)},
        )
        return None
    return value


def _entries(proposed, key: str, errors: _Errors) -> list[dict]:
    """The list under `key` (a bare list is accepted too), each entry a JSON object."""
    entries = proposed.get(key) if isinstance(proposed, dict) else proposed
    if not isinstance(entries, list) or not entries:
        errors.add(f"proposed.{key}", _("List at least one change."))
        return []
    if len(entries) > MAX_ENTRIES:
        errors.add(f"proposed.{key}", _("List at most %(n)d changes.") % {"n": MAX_ENTRIES})
        return []
    result = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            errors.add(f"proposed.{key}.{index}", _("Each change must be an object."))
        else:
            result.append(entry)
    return result if len(result) == len(entries) else []


def _unknown_keys(entry: dict, allowed: set[str], path: str, errors: _Errors) -> bool:
    unknown = sorted(set(entry) - allowed)
    for key in unknown:
        errors.add(f"{path}.{key}", _("Unknown field."))
    return bool(unknown)


def _object_id(value) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _nothing_changes() -> ValidationFailed:
    return field_error("proposed", _("The proposed values are the same as the current plan."))


def _clean_dates(campaign: Campaign, proposed: dict, errors: _Errors) -> dict:
    if _unknown_keys(proposed, {"start_date", "end_date", "milestones"}, "proposed", errors):
        errors.raise_if_any()
    start = _date(proposed.get("start_date"), "proposed.start_date", errors)
    end = _date(proposed.get("end_date"), "proposed.end_date", errors)
    if start and end and end < start:
        errors.add("proposed.end_date", _("The end date must not be before the start date."))
    milestones = {m.pk: m for m in campaign.milestones.all()}
    moved = []
    entries = proposed.get("milestones") or []
    if not isinstance(entries, list):
        errors.add("proposed.milestones", _("List the milestones to move."))
        entries = []
    for index, entry in enumerate(entries):
        path = f"proposed.milestones.{index}"
        if not isinstance(entry, dict) or _unknown_keys(entry, {"id", "date"}, path, errors):
            if not isinstance(entry, dict):
                errors.add(path, _("Each change must be an object."))
            continue
        milestone = milestones.get(_object_id(entry.get("id")))
        if milestone is None:
            errors.add(f"{path}.id", _("Unknown milestone of this campaign."))
            continue
        if any(item["id"] == milestone.pk for item in moved):
            errors.add(f"{path}.id", _("This milestone is listed twice."))
            continue
        date = _date(entry.get("date"), f"{path}.date", errors)
        if date and date != milestone.date:
            moved.append({"id": milestone.pk, "date": date.isoformat()})
    errors.raise_if_any()
    if start == campaign.start_date and end == campaign.end_date and not moved:
        raise _nothing_changes()
    return {"start_date": start.isoformat(), "end_date": end.isoformat(), "milestones": moved}


def _clean_scope(campaign: Campaign, proposed: dict, errors: _Errors) -> dict:
    if _unknown_keys(proposed, set(SCOPE_FIELDS), "proposed", errors):
        errors.raise_if_any()
    changed = {}
    for name in SCOPE_FIELDS:
        if name not in proposed:
            continue
        limit = Campaign._meta.get_field(name).max_length
        value = _text(proposed[name], f"proposed.{name}", errors, max_length=limit)
        if value is None:
            continue
        if not value and name in ("theme", "background"):
            errors.add(f"proposed.{name}", _("This part of the plan cannot be emptied."))
        elif not value and name == "target_audience" and not campaign.personas.exists():
            errors.add(f"proposed.{name}", _("Describe the target audience or add a persona."))
        elif value != getattr(campaign, name):
            changed[name] = value
    errors.raise_if_any()
    if not changed:
        raise _nothing_changes()
    return changed


def _resulting_lines(campaign: Campaign, proposal: dict) -> list[dict]:
    """The budget lines as they would be after the (clean) proposal; new lines have id None."""
    lines = {line["id"]: dict(line) for line in current_values(campaign, ChangeKind.BUDGET)["lines"]}
    added = []
    for entry in proposal["lines"]:
        if entry.get("id") is None:
            added.append({**entry, "id": None})
        elif entry.get("remove"):
            lines.pop(entry["id"], None)
        else:
            lines[entry["id"]].update({k: v for k, v in entry.items() if k != "id"})
    return [*lines.values(), *added]


def _check_budget_result(lines: list[dict], errors: _Errors) -> None:
    seen: set[tuple] = set()
    for line in lines:
        if line["category"] == BudgetCategory.CUSTOM:
            if not line["label"]:
                errors.add("proposed.lines", _("A custom budget line needs a label."))
            key = (line["category"], line["label"])
        else:
            key = (line["category"], line["channel"])
        if key in seen:
            errors.add(
                "proposed.lines",
                _("The change would leave two “%(category)s” lines for the same channel or label.")
                % {"category": BudgetCategory(line["category"]).label},
            )
        seen.add(key)
    errors.raise_if_any()
    total = sum((Decimal(line["amount"]) for line in lines), Decimal("0"))
    if total <= 0:
        raise field_error("proposed.lines", _("The budget must not be empty."))
    org = Organization.current()
    contingency = sum(
        (Decimal(line["amount"]) for line in lines if line["category"] == BudgetCategory.CONTINGENCY),
        Decimal("0"),
    )
    ratio = share(contingency, total) or Decimal("0")
    if ratio < org.contingency_min:
        message = _(
            "After this change the contingency reserve would be %(actual)s of the budget; "
            "at least %(min)s is required."
        ) % {"actual": f"{ratio:.1%}", "min": f"{org.contingency_min:.0%}"}
        raise ValidationFailed(
            message, [FieldError("proposed.lines.contingency", message)], code="contingency_below_minimum"
        )


def _clean_budget(campaign: Campaign, proposed, errors: _Errors) -> dict:
    if isinstance(proposed, dict) and _unknown_keys(proposed, {"lines"}, "proposed", errors):
        errors.raise_if_any()
    entries = _entries(proposed, "lines", errors)
    existing = {line.pk: line for line in campaign.budget_lines.all()}
    channels = set(Channel.objects.values_list("pk", flat=True))
    clean: list[dict] = []
    touched: set[int] = set()
    for index, entry in enumerate(entries):
        path = f"proposed.lines.{index}"
        if "id" in entry and entry["id"] is not None:
            if _unknown_keys(entry, {"id", "amount", "note", "remove"}, path, errors):
                continue
            line = existing.get(_object_id(entry["id"]))
            if line is None:
                errors.add(f"{path}.id", _("Unknown budget line of this campaign."))
                continue
            if line.pk in touched:
                errors.add(f"{path}.id", _("This budget line is listed twice."))
                continue
            touched.add(line.pk)
            if entry.get("remove") is True:
                clean.append({"id": line.pk, "remove": True})
                continue
            change: dict = {"id": line.pk}
            if "amount" in entry:
                amount = _decimal(
                    entry["amount"], f"{path}.amount", errors, places=CENT, limit=MAX_MONEY, minimum=0
                )
                if amount is not None and amount != line.amount:
                    change["amount"] = _dec(amount, CENT)
            if "note" in entry:
                note = _text(entry["note"], f"{path}.note", errors, max_length=300)
                if note is not None and note != line.note:
                    change["note"] = note
            if len(change) > 1:
                clean.append(change)
            continue
        if _unknown_keys(entry, {"id", "category", "label", "channel", "amount", "note"}, path, errors):
            continue
        category = entry.get("category")
        if category not in BudgetCategory.values:
            errors.add(
                f"{path}.category",
                _("Choose a category: %(choices)s.") % {"choices": ", ".join(BudgetCategory.values)},
            )
            continue
        channel = entry.get("channel")
        if channel is not None:
            channel = _object_id(channel)
            if channel not in channels:
                errors.add(f"{path}.channel", _("Unknown channel."))
                continue
        amount = _decimal(
            entry.get("amount"), f"{path}.amount", errors, places=CENT, limit=MAX_MONEY, minimum=0
        )
        label = _text(entry.get("label", ""), f"{path}.label", errors, max_length=100)
        note = _text(entry.get("note", ""), f"{path}.note", errors, max_length=300)
        if amount is not None and label is not None and note is not None:
            clean.append(
                {
                    "category": category,
                    "label": label,
                    "channel": channel,
                    "amount": _dec(amount, CENT),
                    "note": note,
                }
            )
    errors.raise_if_any()
    if not clean:
        raise _nothing_changes()
    proposal = {"lines": clean}
    _check_budget_result(_resulting_lines(campaign, proposal), errors)
    return proposal


def _clean_goal_values(entry: dict, path: str, errors: _Errors) -> dict:
    values: dict = {}
    for name in GOAL_FIELDS:
        if name not in entry:
            continue
        value = entry[name]
        if name in ("baseline", "target"):
            number = (
                None
                if value is None or value == ""
                else _decimal(value, f"{path}.{name}", errors, places=Decimal("0.0001"), limit=MAX_MEASURE)
            )
            values[name] = _dec(number)
        elif name == "deadline":
            date = None if value in (None, "") else _date(value, f"{path}.deadline", errors)
            values[name] = _iso(date)
        elif name == "direction":
            if value not in Direction.values:
                errors.add(f"{path}.direction", _("Choose higher or lower."))
            else:
                values[name] = value
        else:
            limit = Goal._meta.get_field(name).max_length
            text = _text(value, f"{path}.{name}", errors, max_length=limit)
            if text is not None:
                values[name] = text
    return values


def _clean_goals(campaign: Campaign, proposed, errors: _Errors) -> dict:
    if isinstance(proposed, dict) and _unknown_keys(proposed, {"goals"}, "proposed", errors):
        errors.raise_if_any()
    entries = _entries(proposed, "goals", errors)
    existing = {goal.pk: goal for goal in campaign.goals.all()}
    clean: list[dict] = []
    removed: set[int] = set()
    for index, entry in enumerate(entries):
        path = f"proposed.goals.{index}"
        if _unknown_keys(entry, {"id", "remove", *GOAL_FIELDS}, path, errors):
            continue
        if entry.get("id") is not None:
            goal = existing.get(_object_id(entry["id"]))
            if goal is None:
                errors.add(f"{path}.id", _("Unknown goal of this campaign."))
                continue
            if any(item.get("id") == goal.pk for item in clean):
                errors.add(f"{path}.id", _("This goal is listed twice."))
                continue
            if entry.get("remove") is True:
                clean.append({"id": goal.pk, "remove": True})
                removed.add(goal.pk)
                continue
            current = _goal_data(goal)
            values = _clean_goal_values(entry, path, errors)
            changes = {k: v for k, v in values.items() if v != current[k]}
            result = {**current, **changes}
            if changes and not (result["metric"] and result["target"] is not None and result["deadline"]):
                errors.add(
                    path,
                    _("Goal “%(goal)s” would not be SMART: keep a metric, a target and a deadline.")
                    % {"goal": goal},
                )
            elif changes:
                clean.append({"id": goal.pk, **changes})
            continue
        values = _clean_goal_values(entry, path, errors)
        if not values.get("metric"):
            errors.add(f"{path}.metric", _("Name the metric of the new goal."))
        elif values.get("target") is None or not values.get("deadline"):
            errors.add(path, _("A new goal needs a measurable target and a deadline (SMART)."))
        else:
            clean.append({"name": "", "baseline": None, "unit": "", "direction": Direction.HIGHER, **values})
    for goal_id in removed:
        children = [
            child for child in existing.values() if child.parent_id == goal_id and child.pk not in removed
        ]
        if children:
            errors.add(
                "proposed.goals",
                _("Goal “%(goal)s” has sub-goals; remove or re-parent them first.")
                % {"goal": existing[goal_id]},
            )
    if existing and len(removed) == len(existing) and not any(item.get("id") is None for item in clean):
        errors.add("proposed.goals", _("The plan must keep at least one SMART goal."))
    errors.raise_if_any()
    if not clean:
        raise _nothing_changes()
    return {"goals": clean}


CLEANERS: dict[str, Callable[[Campaign, dict, _Errors], dict]] = {
    ChangeKind.DATES: _clean_dates,
    ChangeKind.SCOPE: _clean_scope,
    ChangeKind.BUDGET: _clean_budget,
    ChangeKind.GOALS: _clean_goals,
}


def proposal_clean(*, campaign: Campaign, kind: str, proposed) -> dict:
    """The proposal as normalized JSON (only what changes), or ValidationFailed naming each problem.

    dates:  {start_date, end_date, milestones?: [{id, date}]}
    scope:  any of {theme, format, background, core_message, target_audience}
    budget: {lines: [{id, amount?, note?} | {id, remove: true} | {category, channel?, label?, amount, note?}]}
    goals:  {goals: [{id, <goal fields>} | {id, remove: true} | {metric, target, deadline, ...}]}
    """
    if kind not in CLEANERS:
        raise field_error(
            "kind", _("Choose what changes: %(choices)s.") % {"choices": ", ".join(ChangeKind.values)}
        )
    if not isinstance(proposed, dict | list) or (isinstance(proposed, list) and kind in ("dates", "scope")):
        raise field_error("proposed", _("Give the proposed values as an object."))
    return CLEANERS[kind](campaign, proposed, _Errors())


def reason_clean(reason, impact) -> tuple[str, str]:
    """The reason (required) and the impact of a change request, stripped, or a 422."""
    errors = _Errors()
    reason = _text(reason, "reason", errors, max_length=2000)
    impact = _text(impact, "impact", errors, max_length=2000)
    if reason == "":
        errors.add("reason", _("Say why the plan must change."))
    errors.raise_if_any()
    return reason, impact
