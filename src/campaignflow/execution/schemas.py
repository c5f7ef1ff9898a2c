"""API shapes of the execution app (DESIGN §5 task fields: id, name, owner, collaborating_department,
planned_start, planned_finish, actual_finish, status, delay_reason, depends_on; never renamed).

`status` is what a reader sees, with "delayed" derived from the dates; `work_status` is what the
owner last reported (todo, in_progress, done, blocked).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema

from campaignflow.campaigns.schemas import MAX_ID, InputSchema, ObjectId, PersonOut

from .choices import LogKind, MeetingKind, RaciRole, TaskStatus

TaskId = Annotated[int, Field(ge=1, le=MAX_ID)]


class ChecklistItem(Schema):
    text: str = Field(max_length=200)
    done: bool = False


# --- tasks ----------------------------------------------------------------------------------------


class TaskIn(InputSchema):
    name: str = Field(max_length=200, min_length=1)
    owner: ObjectId | None = None
    collaborating_department: ObjectId | None = None
    planned_start: dt.date
    planned_finish: dt.date
    actual_finish: dt.date | None = None
    status: TaskStatus = TaskStatus.TODO
    delay_reason: str = Field("", max_length=1000)
    is_milestone: bool = False
    checklist: list[ChecklistItem] = Field(default_factory=list, max_length=50)
    order: int | None = Field(None, ge=0, le=1_000_000)
    depends_on: list[TaskId] = Field(default_factory=list, max_length=500)


class TaskPatch(InputSchema):
    """Only the fields sent change. Task owners may send status, actual_finish, delay_reason and
    checklist for their own tasks; everything else is for the campaign's managers."""

    name: str = Field(None, max_length=200, min_length=1)
    owner: ObjectId = None
    collaborating_department: ObjectId | None = None
    planned_start: dt.date = None
    planned_finish: dt.date = None
    actual_finish: dt.date | None = None
    status: str = Field(None, max_length=20)
    delay_reason: str = Field(None, max_length=1000)
    is_milestone: bool = None
    checklist: list[ChecklistItem] = Field(None, max_length=50)
    order: int = Field(None, ge=0, le=1_000_000)
    depends_on: list[TaskId] = Field(None, max_length=500)


class TaskOut(Schema):
    id: int
    campaign: int
    name: str
    owner: int
    owner_name: str
    collaborating_department: int | None
    collaborating_department_name: str | None
    planned_start: dt.date
    planned_finish: dt.date
    actual_start: dt.date | None
    actual_finish: dt.date | None
    baseline_start: dt.date | None
    baseline_finish: dt.date | None
    status: str
    status_label: str
    work_status: str
    days_late: int
    delay_reason: str
    is_milestone: bool
    checklist: list[dict]
    order: int
    depends_on: list[int]

    @staticmethod
    def resolve_campaign(obj) -> int:
        return obj.campaign_id

    @staticmethod
    def resolve_owner(obj) -> int:
        return obj.owner_id

    @staticmethod
    def resolve_owner_name(obj) -> str:
        return str(obj.owner)

    @staticmethod
    def resolve_collaborating_department(obj) -> int | None:
        return obj.collaborating_department_id

    @staticmethod
    def resolve_collaborating_department_name(obj) -> str | None:
        return obj.collaborating_department.name if obj.collaborating_department_id else None

    @staticmethod
    def resolve_status(obj) -> str:
        return obj.display_status()

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_shown_status_display())

    @staticmethod
    def resolve_work_status(obj) -> str:
        return obj.status

    @staticmethod
    def resolve_days_late(obj) -> int:
        return obj.days_late()

    @staticmethod
    def resolve_depends_on(obj) -> list[int]:
        return obj.predecessor_ids


class MyTaskOut(TaskOut):
    campaign_name: str
    campaign_number: str | None

    @staticmethod
    def resolve_campaign_name(obj) -> str:
        return obj.campaign.name

    @staticmethod
    def resolve_campaign_number(obj) -> str | None:
        return obj.campaign.number


class DependencyIn(InputSchema):
    depends_on: TaskId


class DependencyOut(Schema):
    task: int
    depends_on: int
    depends_on_name: str


class RaciIn(InputSchema):
    user: ObjectId
    role: RaciRole


class RaciOut(PersonOut):
    role: str


class TaskRaciOut(Schema):
    task: int
    entries: list[RaciOut]
    warning: str = ""


class ProposeOut(Schema):
    created: list[TaskOut]


class BaselineIn(InputSchema):
    reason: str = Field(max_length=2000)


class BaselineOut(Schema):
    tasks: int


# --- Gantt --------------------------------------------------------------------------------------------


class GanttTaskOut(TaskOut):
    earliest_start: dt.date
    earliest_finish: dt.date
    latest_start: dt.date
    latest_finish: dt.date
    slack_days: int
    critical: bool


class GanttOut(Schema):
    campaign: int
    project_start: dt.date | None
    project_finish: dt.date | None
    duration_days: int
    critical_path: list[int]
    today: dt.date
    tasks: list[GanttTaskOut]


# --- meetings ------------------------------------------------------------------------------------------


class MeetingIn(InputSchema):
    kind: MeetingKind = MeetingKind.STANDUP
    date: dt.date | None = None
    attendees: list[ObjectId] = Field(default_factory=list, max_length=200)
    notes: str = Field("", max_length=5000)
    decisions: str = Field("", max_length=5000)


class MeetingPatch(InputSchema):
    kind: MeetingKind = None
    date: dt.date = None
    attendees: list[ObjectId] = Field(None, max_length=200)
    notes: str = Field(None, max_length=5000)
    decisions: str = Field(None, max_length=5000)


class ActionItemIn(InputSchema):
    description: str = Field(max_length=300, min_length=1)
    owner: ObjectId | None = None
    due: dt.date | None = None


class ActionItemOut(Schema):
    id: int
    description: str
    owner: int | None
    owner_name: str | None
    due: dt.date | None
    task: int | None

    @staticmethod
    def resolve_owner(obj) -> int | None:
        return obj.owner_id

    @staticmethod
    def resolve_owner_name(obj) -> str | None:
        return str(obj.owner) if obj.owner_id else None

    @staticmethod
    def resolve_task(obj) -> int | None:
        return obj.task_id


class MeetingOut(Schema):
    id: int
    campaign: int
    kind: str
    kind_label: str
    date: dt.date
    attendees: list[int]
    notes: str
    decisions: str
    progress: dict
    action_items: list[ActionItemOut]
    created_by: int
    created_at: dt.datetime

    @staticmethod
    def resolve_campaign(obj) -> int:
        return obj.campaign_id

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_attendees(obj) -> list[int]:
        return sorted(person.pk for person in obj.attendees.all())

    @staticmethod
    def resolve_action_items(obj) -> list:
        return list(obj.action_items.all())

    @staticmethod
    def resolve_created_by(obj) -> int:
        return obj.created_by_id


# --- execution log -------------------------------------------------------------------------------------


class LogEntryIn(InputSchema):
    kind: LogKind = LogKind.ISSUE
    at: dt.datetime | None = None
    description: str = Field(max_length=2000, min_length=1)
    handling: str = Field("", max_length=2000)
    result: str = Field("", max_length=2000)
    risk: ObjectId | None = None


class LogEntryPatch(InputSchema):
    kind: LogKind = None
    at: dt.datetime = None
    description: str = Field(None, max_length=2000, min_length=1)
    handling: str = Field(None, max_length=2000)
    result: str = Field(None, max_length=2000)
    risk: ObjectId | None = None


class LogEntryOut(Schema):
    id: int
    campaign: int
    at: dt.datetime
    kind: str
    kind_label: str
    description: str
    handling: str
    result: str
    risk: int | None
    author: int
    author_name: str

    @staticmethod
    def resolve_campaign(obj) -> int:
        return obj.campaign_id

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_risk(obj) -> int | None:
        return obj.risk_id

    @staticmethod
    def resolve_author(obj) -> int:
        return obj.author_id

    @staticmethod
    def resolve_author_name(obj) -> str:
        return str(obj.author)


class RiskActivateIn(InputSchema):
    description: str = Field("", max_length=2000)
    handling: str = Field("", max_length=2000)
    result: str = Field("", max_length=2000)


class CalendarOut(Schema):
    personal_url: str
    campaign_url_template: str
