"""API routes of the execution app: tasks (Table 2), dependencies, RACI, the Gantt schedule, my
tasks, meetings, the execution log, contingency activation and the Table 2 export (DESIGN §5).

Each route parses input, turns ids into objects, calls one service or selector and renders; the
rules live in services/, selectors.py and permissions.py, shared with the web pages.
"""

from enum import Enum

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router

from campaignflow.accounts.models import Department, User
from campaignflow.campaigns import selectors as campaign_selectors
from campaignflow.campaigns.models import Campaign, Risk
from campaignflow.campaigns.schemas import MAX_ID
from campaignflow.core.errors import NotFound, field_error

from . import permissions, selectors, services
from .choices import MeetingKind
from .models import ActionItem, Task, TaskRaci
from .schemas import (
    ActionItemIn,
    ActionItemOut,
    BaselineIn,
    BaselineOut,
    CalendarOut,
    DependencyIn,
    DependencyOut,
    GanttOut,
    LogEntryIn,
    LogEntryOut,
    LogEntryPatch,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    MyTaskOut,
    ProposeOut,
    RaciIn,
    RaciOut,
    RiskActivateIn,
    TaskIn,
    TaskOut,
    TaskPatch,
    TaskRaciOut,
)

router = Router(tags=["execution"])

CAMPAIGN = "/campaigns/{int:campaign_id}"
TASK = "/tasks/{int:task_id}"


# --- lookups ------------------------------------------------------------------------------------


def _campaign(request, campaign_id: int) -> Campaign:
    if campaign_id > MAX_ID:
        raise NotFound(_("Campaign not found."))
    return campaign_selectors.campaign_get(user=request.user, pk=campaign_id)


def _task(request, task_id: int) -> Task:
    if task_id > MAX_ID:
        raise NotFound(_("Task not found."))
    return selectors.task_get(user=request.user, pk=task_id)


def _user(field: str, pk: int) -> User:
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise field_error(field, _("Unknown or inactive user."))
    return user


def _department(field: str, pk: int) -> Department:
    department = Department.objects.filter(pk=pk).first()
    if department is None:
        raise field_error(field, _("Unknown department."))
    return department


def _tasks(field: str, pks: list[int], campaign: Campaign) -> list[Task]:
    found = {task.pk: task for task in Task.objects.filter(pk__in=pks)}
    missing = [pk for pk in pks if pk not in found]
    if missing:
        raise field_error(field, _("Unknown task #%(id)d.") % {"id": missing[0]})
    return [found[pk] for pk in dict.fromkeys(pks)]


def _risk(field: str, pk: int, campaign: Campaign) -> Risk:
    risk = Risk.objects.filter(pk=pk, campaign=campaign).first()
    if risk is None:
        raise field_error(field, _("The risk must belong to this campaign."))
    return risk


def _task_data(data: dict, campaign: Campaign) -> dict:
    """Plain values for the service: enums as strings, referenced ids as objects (422 if unknown)."""
    resolved = {}
    for key, value in data.items():
        if isinstance(value, Enum):
            value = value.value
        if value is not None:
            if key == "owner":
                value = _user(key, value)
            elif key == "collaborating_department":
                value = _department(key, value)
            elif key == "depends_on":
                value = _tasks(key, value, campaign)
        resolved[key] = value
    return resolved


def _with_predecessors(task: Task) -> Task:
    task.predecessor_ids = sorted(task.dependency_links.values_list("depends_on_id", flat=True))
    return task


# --- tasks --------------------------------------------------------------------------------------


@router.get(f"{CAMPAIGN}/tasks", response=list[TaskOut], tags=["tasks"])
def list_tasks(request, campaign_id: int):
    """The task assignment table (Table 2) in order; `status` is "delayed" when a task is late."""
    return selectors.tasks_for(campaign=_campaign(request, campaign_id))


@router.post(f"{CAMPAIGN}/tasks", response={201: TaskOut}, tags=["tasks"])
def create_task(request, campaign_id: int, payload: TaskIn):
    """Add a task (campaign owner, project managers). The owner must be on the team."""
    campaign = _campaign(request, campaign_id)
    data = _task_data(payload.dict(), campaign)
    return _with_predecessors(services.task_create(campaign=campaign, actor=request.user, data=data))


@router.post(f"{CAMPAIGN}/tasks/propose", response={201: ProposeOut}, tags=["tasks"])
def propose_tasks(request, campaign_id: int):
    """Add the scenario template's standard tasks; those already added are skipped."""
    campaign = _campaign(request, campaign_id)
    created = services.tasks_propose_from_template(campaign=campaign, actor=request.user)
    return {"created": [_with_predecessors(task) for task in created]}


@router.post(f"{CAMPAIGN}/baseline", response=BaselineOut, tags=["tasks"])
def freeze_baseline(request, campaign_id: int, payload: BaselineIn):
    """Copy every task's planned dates to its baseline, with the reason."""
    campaign = _campaign(request, campaign_id)
    return {"tasks": services.baseline_freeze(campaign=campaign, actor=request.user, reason=payload.reason)}


@router.get(TASK, response=TaskOut, tags=["tasks"])
def get_task(request, task_id: int):
    return _task(request, task_id)


@router.patch(TASK, response=TaskOut, tags=["tasks"])
def update_task(request, task_id: int, payload: TaskPatch):
    """Change the fields sent. A task's owner may send status, actual_finish, delay_reason and
    checklist; a late task needs a delay_reason."""
    task = _task(request, task_id)
    data = _task_data(payload.dict(exclude_unset=True), task.campaign)
    return _with_predecessors(services.task_update(task=task, actor=request.user, data=data))


@router.delete(TASK, response={204: None}, tags=["tasks"])
def delete_task(request, task_id: int):
    services.task_delete(task=_task(request, task_id), actor=request.user)


@router.get(f"{TASK}/dependencies", response=list[DependencyOut], tags=["tasks"])
def list_dependencies(request, task_id: int):
    """The tasks this one waits for (finish-to-start)."""
    task = _task(request, task_id)
    return [
        {"task": task.pk, "depends_on": other.pk, "depends_on_name": other.name}
        for other in Task.objects.filter(successor_links__task=task).order_by("order", "id")
    ]


@router.post(f"{TASK}/dependencies", response={201: DependencyOut}, tags=["tasks"])
def add_dependency(request, task_id: int, payload: DependencyIn):
    """This task cannot start before `depends_on` finishes; a cycle is a 422 naming it."""
    task = _task(request, task_id)
    [other] = _tasks("depends_on", [payload.depends_on], task.campaign)
    services.dependency_add(task=task, actor=request.user, depends_on=other)
    return {"task": task.pk, "depends_on": other.pk, "depends_on_name": other.name}


@router.delete(f"{TASK}/dependencies/{{int:depends_on_id}}", response={204: None}, tags=["tasks"])
def remove_dependency(request, task_id: int, depends_on_id: int):
    task = _task(request, task_id)
    [other] = _tasks("depends_on", [min(depends_on_id, MAX_ID)], task.campaign)
    services.dependency_remove(task=task, actor=request.user, depends_on=other)


def _raci_out(task: Task) -> dict:
    entries = list(TaskRaci.objects.filter(task=task).select_related("user"))
    task._prefetched_objects_cache = {"raci": entries}
    return {"task": task.pk, "entries": entries, "warning": selectors.raci_warning(task)}


@router.get(f"{TASK}/raci", response=TaskRaciOut, tags=["raci"])
def get_raci(request, task_id: int):
    """Who is responsible, accountable, consulted and informed; warns unless exactly one A."""
    return _raci_out(_task(request, task_id))


@router.post(f"{TASK}/raci", response={201: RaciOut}, tags=["raci"])
def set_raci(request, task_id: int, payload: RaciIn):
    """Give a team member a RACI role on the task (replaces their previous role)."""
    task = _task(request, task_id)
    return services.raci_set(
        task=task, actor=request.user, user=_user("user", payload.user), role=payload.role.value
    )


@router.delete(f"{TASK}/raci/{{int:user_id}}", response={204: None}, tags=["raci"])
def remove_raci(request, task_id: int, user_id: int):
    task = _task(request, task_id)
    user = User.objects.filter(pk=min(user_id, MAX_ID)).first()
    if user is None:
        raise field_error("user", _("Unknown or inactive user."))
    services.raci_remove(task=task, actor=request.user, user=user)


@router.get(f"{CAMPAIGN}/raci", response=list[TaskRaciOut], tags=["raci"])
def raci_matrix(request, campaign_id: int):
    """The RACI matrix: every task with its people and roles."""
    _people, rows = selectors.raci_matrix(campaign=_campaign(request, campaign_id))
    return [
        {"task": row.task.pk, "entries": list(row.task.raci.all()), "warning": row.warning} for row in rows
    ]


@router.get(f"{CAMPAIGN}/gantt", response=GanttOut, tags=["tasks"])
def gantt(request, campaign_id: int):
    """Tasks with planned, baseline and actual dates, earliest/latest start and finish, slack and
    the critical flag; `critical_path` lists task ids from the first critical task to the last."""
    plan = selectors.gantt(campaign=_campaign(request, campaign_id))
    tasks = []
    for row in plan.rows:
        task = row.task
        for name in (
            "earliest_start",
            "earliest_finish",
            "latest_start",
            "latest_finish",
            "slack_days",
            "critical",
        ):
            setattr(task, name, getattr(row, name))
        tasks.append(task)
    return {
        "campaign": plan.campaign.pk,
        "project_start": plan.project_start,
        "project_finish": plan.project_finish,
        "duration_days": plan.duration_days,
        "critical_path": plan.critical_path,
        "today": plan.today,
        "tasks": tasks,
    }


@router.get("/me/tasks", response=list[MyTaskOut], tags=["tasks"])
def my_tasks(request, include_done: bool = False):
    """The tasks I own across every campaign, most urgent first; done ones on request."""
    tasks = selectors.my_tasks(user=request.user, include_done=include_done)
    ids = [task.pk for task in tasks]
    predecessors: dict[int, list[int]] = {pk: [] for pk in ids}
    for after, before in Task.depends_on.through.objects.filter(task_id__in=ids).values_list(
        "task_id", "depends_on_id"
    ):
        predecessors[after].append(before)
    for task in tasks:
        task.predecessor_ids = sorted(predecessors[task.pk])
    return tasks


@router.get("/me/calendar", response=CalendarOut, tags=["calendar"])
def my_calendar(request):
    """My private iCalendar feed URLs (keep them secret; reset them on the My tasks page)."""
    token = services.calendar_token_get(user=request.user).token
    personal = request.build_absolute_uri(reverse("execution:calendar_personal", args=[token]))
    template = request.build_absolute_uri(reverse("execution:calendar_campaign", args=[token, 0]))
    return {
        "personal_url": personal,
        "campaign_url_template": template.replace("/0.ics", "/{campaign_id}.ics"),
    }


# --- meetings ------------------------------------------------------------------------------------


def _members(field: str, pks: list[int]) -> list[User]:
    return [_user(field, pk) for pk in dict.fromkeys(pks)]


def _meeting(request, meeting_id: int):
    if meeting_id > MAX_ID:
        raise NotFound(_("Meeting not found."))
    return selectors.meeting_get(user=request.user, pk=meeting_id)


def _meeting_out(meeting):
    return selectors.meetings_for(campaign=meeting.campaign).get(pk=meeting.pk)


@router.get(f"{CAMPAIGN}/meetings", response=list[MeetingOut], tags=["meetings"])
def list_meetings(request, campaign_id: int):
    """Stand-ups, weekly meetings and interim reviews, newest first."""
    return selectors.meetings_for(campaign=_campaign(request, campaign_id))


@router.get(f"{CAMPAIGN}/meetings/prefill", response=dict, tags=["meetings"])
def meeting_prefill(
    request, campaign_id: int, kind: MeetingKind = MeetingKind.STANDUP, date: str | None = None
):
    """What a meeting today (or on `date`) would review: done, due and late tasks."""
    import datetime as dt

    from django.utils import timezone

    campaign = _campaign(request, campaign_id)
    try:
        day = dt.date.fromisoformat(date) if date else timezone.localdate()
    except ValueError:
        raise field_error("date", _("Enter a valid date."))
    return selectors.meeting_progress(campaign=campaign, kind=kind.value, date=day)


@router.post(f"{CAMPAIGN}/meetings", response={201: MeetingOut}, tags=["meetings"])
def create_meeting(request, campaign_id: int, payload: MeetingIn):
    """Record a meeting; its progress section is prefilled from the task table."""
    campaign = _campaign(request, campaign_id)
    meeting = services.meeting_create(
        campaign=campaign,
        actor=request.user,
        kind=payload.kind.value,
        date=payload.date,
        attendees=_members("attendees", payload.attendees),
        notes=payload.notes,
        decisions=payload.decisions,
    )
    return _meeting_out(meeting)


@router.get("/meetings/{int:meeting_id}", response=MeetingOut, tags=["meetings"])
def get_meeting(request, meeting_id: int):
    return _meeting_out(_meeting(request, meeting_id))


@router.patch("/meetings/{int:meeting_id}", response=MeetingOut, tags=["meetings"])
def update_meeting(request, meeting_id: int, payload: MeetingPatch):
    meeting = _meeting(request, meeting_id)
    data = payload.dict(exclude_unset=True)
    if isinstance(data.get("kind"), Enum):
        data["kind"] = data["kind"].value
    if data.get("attendees") is not None:
        data["attendees"] = _members("attendees", data["attendees"])
    services.meeting_update(meeting=meeting, actor=request.user, data=data)
    return _meeting_out(meeting)


@router.delete("/meetings/{int:meeting_id}", response={204: None}, tags=["meetings"])
def delete_meeting(request, meeting_id: int):
    services.meeting_delete(meeting=_meeting(request, meeting_id), actor=request.user)


@router.post("/meetings/{int:meeting_id}/action-items", response={201: ActionItemOut}, tags=["meetings"])
def add_action_item(request, meeting_id: int, payload: ActionItemIn):
    meeting = _meeting(request, meeting_id)
    owner = _user("owner", payload.owner) if payload.owner else None
    return services.action_item_add(
        meeting=meeting, actor=request.user, description=payload.description, owner=owner, due=payload.due
    )


@router.post("/action-items/{int:item_id}/task", response={201: TaskOut}, tags=["meetings"])
def action_item_to_task(request, item_id: int):
    """Turn the action item into a task of the campaign's table."""
    item = ActionItem.objects.select_related("meeting__campaign").filter(pk=min(item_id, MAX_ID)).first()
    if item is None or not permissions.can_view(request.user, item.meeting.campaign):
        raise NotFound(_("Action item not found."))
    return _with_predecessors(services.action_item_to_task(item=item, actor=request.user))


# --- execution log ----------------------------------------------------------------------------------


def _log_data(data: dict, campaign: Campaign) -> dict:
    resolved = {}
    for key, value in data.items():
        if isinstance(value, Enum):
            value = value.value
        if key == "risk" and value is not None:
            value = _risk(key, value, campaign)
        resolved[key] = value
    return resolved


def _entry(request, entry_id: int):
    if entry_id > MAX_ID:
        raise NotFound(_("Log entry not found."))
    return selectors.log_entry_get(user=request.user, pk=entry_id)


@router.get(f"{CAMPAIGN}/log", response=list[LogEntryOut], tags=["log"])
def list_log(request, campaign_id: int):
    """The execution log (活动执行日志), newest first."""
    return selectors.log_for(campaign=_campaign(request, campaign_id))


@router.post(f"{CAMPAIGN}/log", response={201: LogEntryOut}, tags=["log"])
def create_log_entry(request, campaign_id: int, payload: LogEntryIn):
    campaign = _campaign(request, campaign_id)
    data = _log_data(payload.dict(exclude_unset=True), campaign)
    return services.log_entry_create(campaign=campaign, actor=request.user, data=data)


@router.get("/log/{int:entry_id}", response=LogEntryOut, tags=["log"])
def get_log_entry(request, entry_id: int):
    return _entry(request, entry_id)


@router.patch("/log/{int:entry_id}", response=LogEntryOut, tags=["log"])
def update_log_entry(request, entry_id: int, payload: LogEntryPatch):
    entry = _entry(request, entry_id)
    data = _log_data(payload.dict(exclude_unset=True), entry.campaign)
    return services.log_entry_update(entry=entry, actor=request.user, data=data)


@router.delete("/log/{int:entry_id}", response={204: None}, tags=["log"])
def delete_log_entry(request, entry_id: int):
    services.log_entry_delete(entry=_entry(request, entry_id), actor=request.user)


@router.post("/risks/{int:risk_id}/activate", response={201: LogEntryOut}, tags=["log"])
def activate_risk(request, risk_id: int, payload: RiskActivateIn = None):
    """The risk happened: its response is logged as an activated contingency plan (risk → occurred)."""
    risk = Risk.objects.select_related("campaign").filter(pk=min(risk_id, MAX_ID)).first()
    if risk is None or not permissions.can_view(request.user, risk.campaign):
        raise NotFound(_("Risk not found."))
    data = payload.dict() if payload is not None else {}
    return services.risk_activate(risk=risk, actor=request.user, **data)
