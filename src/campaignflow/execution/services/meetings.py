"""Writes for stand-ups and meetings, their action items, the execution log and contingencies."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaignflow.audit.services import audit_record, snapshot
from campaignflow.campaigns.choices import RiskStatus
from campaignflow.campaigns.models import Campaign, Risk
from campaignflow.core.errors import Conflict, Forbidden, field_error

from .. import permissions, selectors
from ..choices import LogKind, MeetingKind
from ..models import ActionItem, LogEntry, Meeting, Task
from ._common import lock, require_manager, require_member, require_open, require_view, validate_model
from .tasks import _new_task

MEETING_FIELDS = ("kind", "date", "notes", "decisions", "attendees")
LOG_FIELDS = ("kind", "at", "description", "handling", "result", "risk")


# --- meetings -----------------------------------------------------------------------------------------


def _set_attendees(meeting: Meeting, campaign: Campaign, attendees) -> None:
    people = list(attendees or [])
    for person in people:
        require_member(campaign, person, "attendees")
    meeting.attendees.set(people)


def _meeting_snapshot(meeting: Meeting) -> dict:
    data = snapshot(meeting, ["kind", "date", "notes", "decisions"])
    data["attendees"] = sorted(meeting.attendees.values_list("pk", flat=True))
    return data


@transaction.atomic
def meeting_create(
    *,
    campaign: Campaign,
    actor,
    kind: str = MeetingKind.STANDUP,
    date: dt.date | None = None,
    attendees=(),
    notes: str = "",
    decisions: str = "",
) -> Meeting:
    """Record a stand-up (or weekly meeting, interim review) prefilled from the task table:
    what was done since the last meeting of its kind, what is due, and what is late and why."""
    campaign = lock(campaign)
    require_manager(actor, campaign)
    require_open(campaign)
    date = date or timezone.localdate()
    meeting = Meeting(
        campaign=campaign,
        kind=kind or MeetingKind.STANDUP,
        date=date,
        notes=(notes or "").strip(),
        decisions=(decisions or "").strip(),
        created_by=actor,
    )
    validate_model(meeting, exclude=["campaign", "created_by"])
    meeting.progress = selectors.meeting_progress(campaign=campaign, kind=meeting.kind, date=date)
    meeting.save()
    _set_attendees(meeting, campaign, attendees)
    audit_record(
        actor=actor,
        verb="meeting.created",
        obj=meeting,
        campaign=campaign,
        after=_meeting_snapshot(meeting),
        revision=campaign.revision,
    )
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, actor, data: dict) -> Meeting:
    """Change notes, decisions, attendees, kind or date; the progress snapshot stays as recorded."""
    campaign = lock(meeting.campaign)
    require_manager(actor, campaign)
    require_open(campaign)
    unknown = set(data) - set(MEETING_FIELDS)
    if unknown:
        raise field_error(sorted(unknown)[0], _("Unknown field."))
    before = _meeting_snapshot(meeting)
    for key, value in data.items():
        if key == "attendees":
            continue
        if key in ("kind", "date") and value is None:
            raise field_error(key, _("This field cannot be empty."))
        setattr(meeting, key, (value or "").strip() if key in ("notes", "decisions") else value)
    validate_model(meeting, exclude=["campaign", "created_by"])
    meeting.save()
    if "attendees" in data:
        _set_attendees(meeting, campaign, data["attendees"])
    audit_record(
        actor=actor,
        verb="meeting.updated",
        obj=meeting,
        campaign=campaign,
        before=before,
        after=_meeting_snapshot(meeting),
        revision=campaign.revision,
    )
    return meeting


@transaction.atomic
def meeting_delete(*, meeting: Meeting, actor) -> None:
    campaign = lock(meeting.campaign)
    require_manager(actor, campaign)
    require_open(campaign)
    audit_record(
        actor=actor,
        verb="meeting.deleted",
        obj=meeting,
        campaign=campaign,
        before=_meeting_snapshot(meeting),
        revision=campaign.revision,
    )
    meeting.delete()


@transaction.atomic
def action_item_add(
    *, meeting: Meeting, actor, description: str, owner=None, due: dt.date | None = None
) -> ActionItem:
    """Note an action item of the meeting; its owner, if any, must be on the team."""
    campaign = lock(meeting.campaign)
    require_manager(actor, campaign)
    require_open(campaign)
    item = ActionItem(meeting=meeting, description=(description or "").strip(), owner=owner, due=due)
    validate_model(item, exclude=["meeting", "owner", "task"])
    if owner is not None:
        require_member(campaign, owner, "owner")
    item.save()
    audit_record(
        actor=actor,
        verb="action_item.added",
        obj=item,
        campaign=campaign,
        after=snapshot(item),
        revision=campaign.revision,
    )
    return item


@transaction.atomic
def action_item_to_task(*, item: ActionItem, actor) -> Task:
    """Turn an action item into a task owned by its owner (or the campaign owner), due when it is due."""
    meeting = item.meeting
    campaign = lock(meeting.campaign)
    require_manager(actor, campaign)
    require_open(campaign)
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    if item.task_id is not None:
        raise Conflict(_("This action item is already a task."), code="already_a_task")
    today = timezone.localdate()
    finish = item.due or max(today, meeting.date)
    start = min(max(today, meeting.date), finish)
    task = _new_task(
        campaign=campaign,
        actor=actor,
        data={
            "name": item.description[:200],
            "owner": item.owner,
            "planned_start": start,
            "planned_finish": finish,
        },
        today=today,
        # An item due in the past is late from the start; its owner says why when reporting.
        require_reason=False,
    )
    item.task = task
    item.save(update_fields=["task"])
    return task


# --- execution log ------------------------------------------------------------------------------------


def _check_risk(risk, campaign: Campaign) -> None:
    if risk is not None and getattr(risk, "campaign_id", None) != campaign.pk:
        raise field_error("risk", _("The risk must belong to this campaign."))


@transaction.atomic
def log_entry_create(*, campaign: Campaign, actor, data: dict) -> LogEntry:
    """Write an entry in the execution log (活动执行日志); team members except viewers may."""
    campaign = lock(campaign)
    require_view(actor, campaign)
    if not permissions.can_write_log(actor, campaign):
        raise Forbidden(_("Only the campaign team may write in the execution log."))
    require_open(campaign)
    unknown = set(data) - set(LOG_FIELDS)
    if unknown:
        raise field_error(sorted(unknown)[0], _("Unknown field."))
    entry = LogEntry(campaign=campaign, author=actor)
    for key, value in data.items():
        if value is not None:
            setattr(entry, key, value.strip() if isinstance(value, str) else value)
    _check_risk(entry.risk if entry.risk_id else None, campaign)
    validate_model(entry, exclude=["campaign", "author", "risk"])
    entry.save()
    audit_record(
        actor=actor,
        verb="log.created",
        obj=entry,
        campaign=campaign,
        after=snapshot(entry),
        revision=campaign.revision,
    )
    return entry


@transaction.atomic
def log_entry_update(*, entry: LogEntry, actor, data: dict) -> LogEntry:
    """Add the handling and result as the issue develops; the author or a manager may."""
    campaign = lock(entry.campaign)
    require_view(actor, campaign)
    if not permissions.can_change_log_entry(actor, entry):
        raise Forbidden(_("Only the author and the campaign's managers may change this entry."))
    require_open(campaign)
    unknown = set(data) - set(LOG_FIELDS)
    if unknown:
        raise field_error(sorted(unknown)[0], _("Unknown field."))
    before = snapshot(entry)
    for key, value in data.items():
        if key in ("kind", "at", "description") and value is None:
            raise field_error(key, _("This field cannot be empty."))
        setattr(entry, key, value.strip() if isinstance(value, str) else value)
    _check_risk(entry.risk if entry.risk_id else None, campaign)
    validate_model(entry, exclude=["campaign", "author", "risk"])
    entry.save()
    audit_record(
        actor=actor,
        verb="log.updated",
        obj=entry,
        campaign=campaign,
        before=before,
        after=snapshot(entry),
        revision=campaign.revision,
    )
    return entry


@transaction.atomic
def log_entry_delete(*, entry: LogEntry, actor) -> None:
    campaign = lock(entry.campaign)
    require_view(actor, campaign)
    if not permissions.can_change_log_entry(actor, entry):
        raise Forbidden(_("Only the author and the campaign's managers may change this entry."))
    require_open(campaign)
    audit_record(
        actor=actor,
        verb="log.deleted",
        obj=entry,
        campaign=campaign,
        before=snapshot(entry),
        revision=campaign.revision,
    )
    entry.delete()


@transaction.atomic
def risk_activate(
    *, risk: Risk, actor, description: str = "", handling: str = "", result: str = ""
) -> LogEntry:
    """The foreseen risk happened: log its response as an activated contingency plan, linked to
    the risk, and mark the risk as occurred."""
    campaign = lock(risk.campaign)
    require_manager(actor, campaign)
    require_open(campaign)
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    if risk.status in (RiskStatus.OCCURRED, RiskStatus.CLOSED):
        raise Conflict(
            _("This risk is already %(status)s.") % {"status": risk.get_status_display()},
            code="risk_not_open",
        )
    entry = LogEntry(
        campaign=campaign,
        author=actor,
        kind=LogKind.CONTINGENCY,
        description=(description or "").strip() or risk.description,
        handling=(handling or "").strip() or risk.response,
        result=(result or "").strip(),
        risk=risk,
    )
    validate_model(entry, exclude=["campaign", "author", "risk"])
    entry.save()
    before = {"status": risk.status}
    risk.status = RiskStatus.OCCURRED
    risk.save(update_fields=["status"])
    audit_record(
        actor=actor,
        verb="risk.activated",
        obj=risk,
        campaign=campaign,
        before=before,
        after={"status": risk.status, "log_entry": entry.pk},
        revision=campaign.revision,
    )
    return entry
