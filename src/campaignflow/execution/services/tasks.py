"""Writes to the task table (Table 2): tasks, dependencies, RACI, template proposals, baseline."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaignflow.accounts.models import Department, Organization
from campaignflow.audit.services import audit_record, snapshot
from campaignflow.campaigns import permissions as campaign_permissions
from campaignflow.campaigns import scenarios
from campaignflow.campaigns.models import Campaign, CampaignMember
from campaignflow.core.errors import FieldError, Forbidden, ValidationFailed, field_error
from campaignflow.notifications.services import notify

from .. import permissions
from ..choices import APPROVED_CAMPAIGN_STATUSES, DisplayStatus, RaciRole, TaskStatus
from ..models import Task, TaskDependency, TaskRaci
from ..schedule import find_path
from ._common import lock, require_manager, require_member, require_open, require_view, validate_model

# Fields a caller may set; baseline dates change only through baseline_freeze.
TASK_FIELDS = (
    "name",
    "owner",
    "collaborating_department",
    "planned_start",
    "planned_finish",
    "actual_finish",
    "status",
    "delay_reason",
    "is_milestone",
    "checklist",
    "order",
    "depends_on",
)
MAX_CHECKLIST_ITEMS = 50


# --- shared rules ---------------------------------------------------------------------------------


def _assign(task: Task, data: dict) -> None:
    unknown = set(data) - set(TASK_FIELDS)
    if unknown:
        raise field_error(sorted(unknown)[0], _("Unknown field."))
    for key, value in data.items():
        if key == "depends_on":
            continue
        if key in ("owner", "collaborating_department"):
            setattr(task, f"{key}_id", getattr(value, "pk", value))
        elif isinstance(value, str):
            setattr(task, key, value.strip())
        else:
            setattr(task, key, value)
    if task.delay_reason is None:
        task.delay_reason = ""


def _clean_checklist(value) -> list[dict]:
    """[{"text", "done"}] with blank items dropped; anything else is a 422."""
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > MAX_CHECKLIST_ITEMS:
        raise field_error("checklist", _("The checklist is a list of at most 50 items."))
    items = []
    for item in value:
        text = str(item.get("text", "") if isinstance(item, dict) else item).strip()
        if len(text) > 200:
            raise field_error("checklist", _("A checklist item has at most 200 characters."))
        if text:
            items.append({"text": text, "done": bool(item.get("done")) if isinstance(item, dict) else False})
    return items


def _settle_progress(task: Task, data: dict, today: dt.date) -> None:
    """Keep status and actual dates consistent: an actual finish means done, and done has one."""
    status_sent = "status" in data and data["status"] is not None
    finish_sent = data.get("actual_finish") is not None
    if data.get("status") == DisplayStatus.DELAYED:
        raise field_error(
            "status",
            _("“Delayed” follows from the dates; set the status the work is in and give a delay reason."),
        )
    if status_sent and finish_sent and task.status != TaskStatus.DONE:
        raise field_error("actual_finish", _("Only a task that is done has an actual finish date."))
    if finish_sent and not status_sent:
        task.status = TaskStatus.DONE
    if task.status != TaskStatus.DONE:
        task.actual_finish = None
    elif task.actual_finish is None:
        task.actual_finish = today
    if task.status in (TaskStatus.IN_PROGRESS, TaskStatus.DONE) and task.actual_start is None:
        task.actual_start = min(today, task.actual_finish or today)
    if task.status == TaskStatus.TODO:
        task.actual_start = None


def _check_task(task: Task, campaign: Campaign, *, today: dt.date, require_reason: bool = True) -> None:
    """Rules across fields: a team member owns it, dates in order, late tasks say why."""
    require_member(campaign, task.owner, "owner")
    if task.planned_start and task.planned_finish and task.planned_finish < task.planned_start:
        raise field_error("planned_finish", _("The planned finish must not be before the planned start."))
    if task.is_milestone and task.planned_start != task.planned_finish:
        raise field_error("planned_finish", _("A milestone starts and finishes on the same day."))
    if require_reason and task.is_late(today) and not task.delay_reason.strip():
        raise field_error(
            "delay_reason",
            _("This task is %(days)d day(s) late: give a delay reason.") % {"days": task.days_late(today)},
        )


def _cycle_text(cycle: list[int], names: dict[int, str]) -> str:
    return " → ".join(names[pk] for pk in cycle)


def _set_dependencies(task: Task, predecessors: list[Task]) -> None:
    """Replace the task's predecessors; same campaign only and never a cycle (422 naming it)."""
    wanted = {}
    for predecessor in predecessors:
        if predecessor.campaign_id != task.campaign_id:
            raise field_error(
                "depends_on",
                _("Task #%(id)d belongs to another campaign; a task can only depend on tasks of its own.")
                % {"id": predecessor.pk},
            )
        wanted[predecessor.pk] = predecessor
    names = dict(Task.objects.filter(campaign_id=task.campaign_id).values_list("pk", "name"))
    if task.pk in wanted:
        raise field_error(
            "depends_on",
            _("These dependencies would form a cycle: %(cycle)s")
            % {"cycle": _cycle_text([task.pk, task.pk], names)},
        )
    successors: dict[int, list[int]] = {}
    links = TaskDependency.objects.filter(task__campaign_id=task.campaign_id).exclude(task=task)
    for after, before in links.values_list("task_id", "depends_on_id"):
        successors.setdefault(before, []).append(after)
    for before in wanted:
        successors.setdefault(before, []).append(task.pk)
    for before in wanted:
        path = find_path(successors, task.pk, before)
        if path is not None:
            raise field_error(
                "depends_on",
                _("These dependencies would form a cycle: %(cycle)s")
                % {"cycle": _cycle_text([before, *path], names)},
            )
    current = set(task.dependency_links.values_list("depends_on_id", flat=True))
    TaskDependency.objects.filter(task=task).exclude(depends_on_id__in=wanted).delete()
    TaskDependency.objects.bulk_create(
        [TaskDependency(task=task, depends_on_id=pk) for pk in wanted if pk not in current]
    )


def _task_url(task: Task) -> str:
    return reverse("execution:tasks", args=[task.campaign_id]) + f"#task-{task.pk}"


def _tell_owner(task: Task, campaign: Campaign, actor) -> None:
    notify(
        event="task.assigned",
        recipients=[task.owner],
        title=gettext_lazy("New task: %(task)s"),
        body=gettext_lazy("%(actor)s gave you “%(task)s” in %(campaign)s, planned %(start)s – %(finish)s."),
        params={
            "task": task.name,
            "actor": str(actor) if actor is not None else "CampaignFlow",
            "campaign": campaign.name,
            "start": task.planned_start.isoformat(),
            "finish": task.planned_finish.isoformat(),
        },
        campaign=campaign,
        url=_task_url(task),
        actor=actor,
    )


def _snapshot(task: Task) -> dict:
    data = snapshot(task, [field for field in TASK_FIELDS if field != "depends_on"])
    data["depends_on"] = sorted(task.dependency_links.values_list("depends_on_id", flat=True))
    return data


def _new_task(*, campaign: Campaign, actor, data: dict, today: dt.date, require_reason: bool = True) -> Task:
    """Create one task inside a caller's transaction, after the caller checked policy and state."""
    data = dict(data)
    if data.get("owner") is None:
        member = CampaignMember.objects.filter(campaign=campaign, user=actor).exists()
        data["owner"] = actor if member else campaign.owner
    if "checklist" in data:
        data["checklist"] = _clean_checklist(data["checklist"])
    task = Task(campaign=campaign)
    _assign(task, {key: value for key, value in data.items() if value is not None})
    _settle_progress(task, data, today)
    validate_model(task, exclude=["campaign", "owner", "collaborating_department"])
    _check_task(task, campaign, today=today, require_reason=require_reason)
    if campaign.status in APPROVED_CAMPAIGN_STATUSES:
        # The plan is approved: the task enters the baseline as planned today.
        task.baseline_start, task.baseline_finish = task.planned_start, task.planned_finish
    if not data.get("order"):
        last = (
            Task.objects.filter(campaign=campaign).order_by("-order").values_list("order", flat=True).first()
        )
        task.order = (last or 0) + 10
    task.save()
    if data.get("depends_on"):
        _set_dependencies(task, list(data["depends_on"]))
    audit_record(
        actor=actor,
        verb="task.created",
        obj=task,
        campaign=campaign,
        after=_snapshot(task),
        revision=campaign.revision,
    )
    _tell_owner(task, campaign, actor)
    return task


# --- tasks --------------------------------------------------------------------------------------------


@transaction.atomic
def task_create(*, campaign: Campaign, actor, data: dict) -> Task:
    """Add a task to the campaign's table. The owner (default: the actor if on the team, else the
    campaign owner) must be a member and is told about it."""
    campaign = lock(campaign)
    require_manager(actor, campaign)
    require_open(campaign)
    return _new_task(campaign=campaign, actor=actor, data=data, today=timezone.localdate())


@transaction.atomic
def task_update(*, task: Task, actor, data: dict) -> Task:
    """Change a task. Owners may report progress on their own; managers change everything."""
    campaign = lock(task.campaign)
    task = Task.objects.select_related("owner").get(pk=task.pk)
    task.campaign = campaign
    require_view(actor, campaign)
    if not permissions.can_update_task(actor, task, data):
        raise Forbidden(
            _(
                "You may report progress on your own tasks only; the campaign owner and project managers change the rest."
            )
            if permissions.can_report_progress(actor, task)
            else _("Only the task owner, the campaign owner and project managers may change this task.")
        )
    require_open(campaign)
    today = timezone.localdate()
    before = _snapshot(task)
    previous_owner = task.owner_id
    data = dict(data)
    if "checklist" in data:
        data["checklist"] = _clean_checklist(data["checklist"])
    if "owner" in data and data["owner"] is None:
        raise field_error("owner", _("Every task has an owner."))
    for key in ("name", "planned_start", "planned_finish", "is_milestone", "order"):
        if key in data and data[key] is None:
            raise field_error(key, _("This field cannot be empty."))
    _assign(task, {key: value for key, value in data.items() if key != "depends_on"})
    _settle_progress(task, data, today)
    validate_model(task, exclude=["campaign", "owner", "collaborating_department"])
    _check_task(task, campaign, today=today)
    task.save()
    if "depends_on" in data:
        _set_dependencies(task, list(data["depends_on"] or []))
    after = _snapshot(task)
    if after != before:
        audit_record(
            actor=actor,
            verb="task.updated",
            obj=task,
            campaign=campaign,
            before={key: value for key, value in before.items() if after.get(key) != value},
            after={key: value for key, value in after.items() if before.get(key) != value},
            revision=campaign.revision,
        )
    if task.owner_id != previous_owner:
        _tell_owner(task, campaign, actor)
    return task


@transaction.atomic
def task_delete(*, task: Task, actor) -> None:
    """Remove a task with its dependencies and RACI; action items that made it keep their text."""
    campaign = lock(task.campaign)
    require_manager(actor, campaign)
    require_open(campaign)
    audit_record(
        actor=actor,
        verb="task.deleted",
        obj=task,
        campaign=campaign,
        before=_snapshot(task),
        revision=campaign.revision,
    )
    task.delete()


# --- dependencies -------------------------------------------------------------------------------------


@transaction.atomic
def dependency_add(*, task: Task, actor, depends_on: Task) -> TaskDependency:
    """`task` cannot start before `depends_on` finishes (finish-to-start)."""
    campaign = lock(task.campaign)
    require_manager(actor, campaign)
    require_open(campaign)
    current = list(Task.objects.filter(successor_links__task=task))
    if depends_on.pk in {t.pk for t in current}:
        raise field_error(
            "depends_on",
            _("“%(task)s” already depends on “%(other)s”.") % {"task": task, "other": depends_on},
        )
    _set_dependencies(task, [*current, depends_on])
    link = TaskDependency.objects.get(task=task, depends_on=depends_on)
    audit_record(
        actor=actor,
        verb="dependency.added",
        obj=task,
        campaign=campaign,
        after={"task": task.pk, "depends_on": depends_on.pk},
        revision=campaign.revision,
    )
    return link


@transaction.atomic
def dependency_remove(*, task: Task, actor, depends_on: Task) -> None:
    campaign = lock(task.campaign)
    require_manager(actor, campaign)
    require_open(campaign)
    deleted, _rows = TaskDependency.objects.filter(task=task, depends_on=depends_on).delete()
    if not deleted:
        raise field_error(
            "depends_on",
            _("“%(task)s” does not depend on “%(other)s”.") % {"task": task, "other": depends_on},
        )
    audit_record(
        actor=actor,
        verb="dependency.removed",
        obj=task,
        campaign=campaign,
        before={"task": task.pk, "depends_on": depends_on.pk},
        revision=campaign.revision,
    )


# --- RACI -------------------------------------------------------------------------------------------------


@transaction.atomic
def raci_set(*, task: Task, actor, user, role: str) -> TaskRaci:
    """Give a team member one RACI role on the task (replacing the role they had)."""
    campaign = lock(task.campaign)
    require_manager(actor, campaign)
    require_open(campaign)
    if role not in RaciRole.values:
        raise field_error("role", _("Choose R, A, C or I."))
    require_member(campaign, user, "user")
    entry = TaskRaci.objects.filter(task=task, user=user).first()
    before = {"user": user.pk, "role": entry.role} if entry else None
    if entry is None:
        entry = TaskRaci.objects.create(task=task, user=user, role=role)
    elif entry.role != role:
        entry.role = role
        entry.save(update_fields=["role"])
    audit_record(
        actor=actor,
        verb="raci.set",
        obj=task,
        campaign=campaign,
        before=before,
        after={"user": user.pk, "role": role},
        revision=campaign.revision,
    )
    return entry


@transaction.atomic
def raci_remove(*, task: Task, actor, user) -> None:
    campaign = lock(task.campaign)
    require_manager(actor, campaign)
    require_open(campaign)
    entry = TaskRaci.objects.filter(task=task, user=user).first()
    if entry is None:
        raise field_error("user", _("%(user)s has no RACI role on this task.") % {"user": user})
    audit_record(
        actor=actor,
        verb="raci.removed",
        obj=task,
        campaign=campaign,
        before={"user": user.pk, "role": entry.role},
        revision=campaign.revision,
    )
    entry.delete()


# --- standard tasks from the scenario template ------------------------------------------------------------


def _template_owner(campaign: Campaign, spec: dict, members: list[CampaignMember]):
    """The first member with the template's role for the task, else the campaign owner."""
    for member in members:
        if member.role == spec.get("role") and member.user.is_active:
            return member.user
    return campaign.owner


def _template_dates(campaign: Campaign, spec: dict) -> tuple[dt.date, dt.date]:
    start = campaign.start_date + dt.timedelta(days=spec["offset_start"])
    if spec.get("offset_finish") == "end":
        finish = campaign.end_date or campaign.start_date
    else:
        finish = campaign.start_date + dt.timedelta(days=spec["offset_finish"])
    return start, max(start, finish)


@transaction.atomic
def tasks_propose_from_template(*, campaign: Campaign, actor) -> list[Task]:
    """Add the scenario template's standard tasks (物料准备, 渠道对接, 内容创作, 人员培训, 现场执行)
    dated from the start date, with their dependencies and RACI (owner R, campaign owner A).

    Idempotent: a template task already in the table is not added again. Returns the new tasks.
    """
    campaign = lock(campaign)
    require_manager(actor, campaign)
    require_open(campaign)
    template = scenarios.get(campaign.template) if campaign.template else None
    if template is None or not template.get("tasks"):
        raise ValidationFailed(
            _("This campaign has no scenario template with standard tasks; add tasks one by one."),
            [FieldError("template", _("No scenario template."))],
            code="no_template",
        )
    if campaign.start_date is None:
        raise field_error(
            "start_date", _("Set the campaign's start date first: standard tasks are dated from it.")
        )
    existing = {
        task.template_key: task for task in Task.objects.filter(campaign=campaign).exclude(template_key="")
    }
    members = list(CampaignMember.objects.filter(campaign=campaign).select_related("user").order_by("id"))
    departments = {department.code: department for department in Department.objects.all()}
    today = timezone.localdate()
    created: list[Task] = []
    for position, spec in enumerate(template["tasks"], start=1):
        if spec["key"] in existing:
            continue
        start, finish = _template_dates(campaign, spec)
        task = _new_task(
            campaign=campaign,
            actor=actor,
            data={
                "name": scenarios.localized(spec["name"]),
                "owner": _template_owner(campaign, spec, members),
                "collaborating_department": departments.get(spec.get("department", "")),
                "planned_start": start,
                "planned_finish": finish,
                "is_milestone": bool(spec.get("milestone")),
                "checklist": [scenarios.localized(item) for item in spec.get("checklist", [])],
                "order": position * 10,
            },
            today=today,
            # Proposed dates may already be past; the owner gives the reason when reporting.
            require_reason=False,
        )
        task.template_key = spec["key"]
        task.save(update_fields=["template_key"])
        existing[spec["key"]] = task
        created.append(task)
    for spec in template["tasks"]:
        task = existing[spec["key"]]
        if task not in created:
            continue
        predecessors = [existing[key] for key in spec.get("depends_on", []) if key in existing]
        if predecessors:
            _set_dependencies(task, predecessors)
        TaskRaci.objects.get_or_create(task=task, user=task.owner, defaults={"role": RaciRole.RESPONSIBLE})
        if task.owner_id == campaign.owner_id:
            TaskRaci.objects.filter(task=task, user=campaign.owner).update(role=RaciRole.ACCOUNTABLE)
        else:
            TaskRaci.objects.get_or_create(
                task=task, user=campaign.owner, defaults={"role": RaciRole.ACCOUNTABLE}
            )
    if created:
        audit_record(
            actor=actor,
            verb="tasks.proposed",
            obj=campaign,
            campaign=campaign,
            after={"template": campaign.template, "tasks": [task.pk for task in created]},
            revision=campaign.revision,
        )
    return created


# --- baseline -------------------------------------------------------------------------------------------------


def can_freeze_baseline(user, campaign: Campaign) -> bool:
    """Managers re-baseline; approvers freeze it when they approve the plan or a change."""
    if permissions.can_manage_tasks(user, campaign):
        return True
    levels = list(Organization.current().approval_levels or [])
    return bool(campaign_permissions.approver_levels(user, campaign, levels))


@transaction.atomic
def baseline_freeze(*, campaign: Campaign, actor, reason: str) -> int:
    """Copy every task's planned dates to its baseline (at approval and at each approved change).

    The previous baseline is kept in the audit event's `before`, task id → [start, finish], so
    the change can be compared later. Returns the number of tasks.
    """
    campaign = lock(campaign)
    require_view(actor, campaign)
    if not can_freeze_baseline(actor, campaign):
        raise Forbidden(_("Only the campaign owner, project managers and approvers may freeze the baseline."))
    require_open(campaign)
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Say why the baseline is frozen (approval, change request …)."))
    return _freeze(campaign=campaign, actor=actor, reason=reason)


def freeze_on_registration(*, campaign: Campaign, actor) -> None:
    """Lifecycle hook: the plan's final approval freezes the dates of tasks planned before it."""
    if Task.objects.filter(campaign=campaign).exists():
        _freeze(campaign=campaign, actor=actor, reason=_("Plan approved and registered"))


def freeze_after_change(*, campaign: Campaign, actor, reason: str) -> None:
    """Change-request hook: an applied change re-freezes the baseline (the approval authorises it)."""
    _freeze(campaign=campaign, actor=actor, reason=reason)


def _freeze(*, campaign: Campaign, actor, reason: str) -> int:
    tasks = Task.objects.filter(campaign=campaign)
    rows = list(
        tasks.values_list("pk", "baseline_start", "baseline_finish", "planned_start", "planned_finish")
    )
    count = tasks.update(baseline_start=F("planned_start"), baseline_finish=F("planned_finish"))
    audit_record(
        actor=actor,
        verb="baseline.frozen",
        obj=campaign,
        campaign=campaign,
        comment=reason,
        before={str(pk): [bs, bf] for pk, bs, bf, _ps, _pf in rows},
        after={str(pk): [ps, pf] for pk, _bs, _bf, ps, pf in rows},
        revision=campaign.revision,
    )
    return count


def member_choices(campaign: Campaign):
    """Team members, for owner and RACI pickers."""
    return (
        CampaignMember.objects.filter(campaign=campaign, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )


__all__ = [
    "TASK_FIELDS",
    "baseline_freeze",
    "can_freeze_baseline",
    "dependency_add",
    "dependency_remove",
    "freeze_after_change",
    "freeze_on_registration",
    "member_choices",
    "raci_remove",
    "raci_set",
    "task_create",
    "task_delete",
    "task_update",
    "tasks_propose_from_template",
]
