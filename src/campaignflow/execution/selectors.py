"""Reads of the execution app, shared by the API, the pages, the calendar feeds and the export."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from campaignflow.campaigns import permissions as campaign_permissions
from campaignflow.campaigns.models import Campaign, CampaignMember
from campaignflow.core.errors import NotFound

from . import permissions, schedule
from .choices import DisplayStatus, MeetingKind, RaciRole, TaskStatus
from .models import ActionItem, LogEntry, Meeting, Task, TaskDependency, TaskRaci

# --- tasks --------------------------------------------------------------------------------------------


def tasks_for(*, campaign: Campaign, raci: bool = False) -> list[Task]:
    """The campaign's tasks in table order with owner, department and predecessor ids loaded
    (three queries whatever the number of tasks; four with RACI)."""
    links = Prefetch("dependency_links", queryset=TaskDependency.objects.only("task_id", "depends_on_id"))
    qs = (
        Task.objects.filter(campaign=campaign)
        .select_related("owner", "collaborating_department")
        .prefetch_related(links)
    )
    if raci:
        qs = qs.prefetch_related(Prefetch("raci", queryset=TaskRaci.objects.select_related("user")))
    tasks = list(qs)
    for task in tasks:
        task.campaign = campaign
        task.predecessor_ids = sorted(link.depends_on_id for link in task.dependency_links.all())
    return tasks


def task_get(*, user, pk) -> Task:
    """One task whose campaign the user may see; NotFound otherwise (missing and hidden alike)."""
    try:
        task = Task.objects.select_related("campaign", "owner", "collaborating_department").get(pk=int(pk))
    except (Task.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Task not found."))
    if not permissions.can_view(user, task.campaign):
        raise NotFound(_("Task not found."))
    task.predecessor_ids = sorted(task.dependency_links.values_list("depends_on_id", flat=True))
    return task


def my_tasks(*, user, include_done: bool = False) -> list[Task]:
    """Tasks the user owns across the campaigns they may see, most urgent first."""
    qs = (
        Task.objects.filter(owner=user, campaign__in=campaign_permissions.visible_campaigns(user))
        .select_related("campaign", "collaborating_department", "owner")
        .order_by("planned_finish", "campaign_id", "order", "id")
    )
    if not include_done:
        qs = qs.exclude(status=TaskStatus.DONE)
    return list(qs)


def status_counts(tasks: list[Task], today: dt.date | None = None) -> dict[str, int]:
    counts = dict.fromkeys(DisplayStatus.values, 0)
    for task in tasks:
        counts[task.display_status(today)] += 1
    return counts


# --- schedule -------------------------------------------------------------------------------------------


@dataclass
class ScheduledTask:
    """A task with its critical-path dates (inclusive calendar days) and slack."""

    task: Task
    earliest_start: dt.date
    earliest_finish: dt.date
    latest_start: dt.date
    latest_finish: dt.date
    slack_days: int
    critical: bool


@dataclass
class Gantt:
    campaign: Campaign
    rows: list[ScheduledTask] = field(default_factory=list)
    project_start: dt.date | None = None
    project_finish: dt.date | None = None
    duration_days: int = 0
    critical_path: list[int] = field(default_factory=list)
    today: dt.date | None = None


def _inclusive(start: dt.date, offset: int, duration: int, finish: bool) -> dt.date:
    """Day offsets (finish exclusive) as calendar dates (finish inclusive)."""
    if finish and duration > 0:
        return start + dt.timedelta(days=offset - 1)
    return start + dt.timedelta(days=offset)


def gantt(*, campaign: Campaign, tasks: list[Task] | None = None) -> Gantt:
    """The critical path over the campaign's tasks: each task starts no earlier than planned and
    after its predecessors finish; slack is how far it may slip without moving the last finish."""
    tasks = tasks_for(campaign=campaign) if tasks is None else tasks
    result = Gantt(campaign=campaign, today=timezone.localdate())
    if not tasks:
        return result
    start = min(task.planned_start for task in tasks)
    plan = schedule.critical_path(
        {task.pk: task.duration_days for task in tasks},
        [(before, task.pk) for task in tasks for before in task.predecessor_ids],
        release={task.pk: (task.planned_start - start).days for task in tasks},
    )
    for task in tasks:
        timing = plan.timings[task.pk]
        days = task.duration_days
        result.rows.append(
            ScheduledTask(
                task=task,
                earliest_start=_inclusive(start, timing.es, days, False),
                earliest_finish=_inclusive(start, timing.ef, days, True),
                latest_start=_inclusive(start, timing.ls, days, False),
                latest_finish=_inclusive(start, timing.lf, days, True),
                slack_days=timing.slack,
                critical=timing.critical,
            )
        )
    result.project_start = start
    result.project_finish = start + dt.timedelta(days=max(plan.duration - 1, 0))
    result.duration_days = plan.duration
    result.critical_path = list(plan.path)
    return result


# --- RACI -----------------------------------------------------------------------------------------------


@dataclass
class RaciRow:
    task: Task
    roles: dict[int, str]  # user id -> R/A/C/I

    @property
    def accountable_count(self) -> int:
        return sum(1 for role in self.roles.values() if role == RaciRole.ACCOUNTABLE)

    @property
    def warning(self) -> str:
        if self.accountable_count == 1:
            return ""
        if self.accountable_count == 0:
            return _("No one is accountable (A).")
        return _("%(n)d people are accountable; one is recommended.") % {"n": self.accountable_count}


def raci_warning(task: Task) -> str:
    return RaciRow(task, {entry.user_id: entry.role for entry in task.raci.all()}).warning


def raci_matrix(*, campaign: Campaign) -> tuple[list, list[RaciRow]]:
    """People (the team, then anyone else holding a role) × tasks, with each person's role."""
    tasks = tasks_for(campaign=campaign, raci=True)
    people = [
        member.user
        for member in CampaignMember.objects.filter(campaign=campaign).select_related("user").order_by("id")
    ]
    known = {person.pk for person in people}
    rows = []
    for task in tasks:
        roles = {}
        for entry in task.raci.all():
            roles[entry.user_id] = entry.role
            if entry.user_id not in known:
                known.add(entry.user_id)
                people.append(entry.user)
        rows.append(RaciRow(task, roles))
    return people, rows


# --- meetings -----------------------------------------------------------------------------------------


def _progress_item(task: Task, today: dt.date) -> dict:
    return {
        "task": task.pk,
        "name": task.name,
        "owner": str(task.owner),
        "planned_finish": task.planned_finish.isoformat(),
        "actual_finish": task.actual_finish.isoformat() if task.actual_finish else None,
        "days_late": task.days_late(today),
        "delay_reason": task.delay_reason,
    }


def meeting_progress(*, campaign: Campaign, kind: str, date: dt.date) -> dict:
    """What a meeting on `date` reviews: done since the previous meeting of its kind (or the last
    week), due today (a stand-up) or within the week (other meetings), and late with reasons."""
    previous = (
        Meeting.objects.filter(campaign=campaign, kind=kind, date__lt=date)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    since = previous or date - dt.timedelta(days=7)
    horizon = date if kind == MeetingKind.STANDUP else date + dt.timedelta(days=6)
    done, due, late = [], [], []
    for task in (
        Task.objects.filter(campaign=campaign)
        .select_related("owner")
        .order_by("planned_finish", "order", "id")
    ):
        if task.status == TaskStatus.DONE:
            if task.actual_finish and since < task.actual_finish <= date:
                done.append(_progress_item(task, date))
        elif task.planned_finish < date:
            late.append(_progress_item(task, date))
        elif task.planned_finish <= horizon:
            due.append(_progress_item(task, date))
    late.sort(key=lambda item: -item["days_late"])
    return {"since": since.isoformat(), "date": date.isoformat(), "done": done, "due": due, "late": late}


def meetings_for(*, campaign: Campaign) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(campaign=campaign)
        .select_related("created_by")
        .prefetch_related(
            "attendees", Prefetch("action_items", queryset=ActionItem.objects.select_related("owner", "task"))
        )
    )


def meeting_get(*, user, pk) -> Meeting:
    try:
        meeting = Meeting.objects.select_related("campaign", "created_by").get(pk=int(pk))
    except (Meeting.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Meeting not found."))
    if not permissions.can_view(user, meeting.campaign):
        raise NotFound(_("Meeting not found."))
    return meeting


def log_for(*, campaign: Campaign) -> QuerySet[LogEntry]:
    return LogEntry.objects.filter(campaign=campaign).select_related("author", "risk")


def log_entry_get(*, user, pk) -> LogEntry:
    try:
        entry = LogEntry.objects.select_related("campaign", "author", "risk").get(pk=int(pk))
    except (LogEntry.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Log entry not found."))
    if not permissions.can_view(user, entry.campaign):
        raise NotFound(_("Log entry not found."))
    return entry
