"""Web pages of stage 2: the task table (Table 2) with inline htmx edits, the Gantt chart, the
kanban board, the RACI matrix, stand-ups and meetings, the execution log, my tasks, calendar
feeds and plotly.js served from the installed plotly package.

Views parse input with forms, call one service or selector and render; errors from services are
rendered by campaignflow.web.errors. htmx requests get partials from the same views.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache
from pathlib import Path

import plotly
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html_join
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from campaignflow.campaigns import permissions as campaign_permissions
from campaignflow.campaigns import selectors as campaign_selectors
from campaignflow.campaigns.choices import RiskStatus
from campaignflow.campaigns.models import Campaign, Risk
from campaignflow.core.errors import Forbidden, field_error
from campaignflow.web.errors import call_service, web_view

from . import export, feeds, permissions, selectors, services
from .choices import DisplayStatus, RaciRole, TaskStatus
from .forms import (
    ActionItemForm,
    BaselineForm,
    LogEntryForm,
    MeetingForm,
    ProgressForm,
    StatusForm,
    TaskForm,
)
from .models import ActionItem, CalendarToken, Task

MANAGE_TASKS = gettext_lazy("Only the campaign owner and project managers may manage tasks.")
CHANGE_TASK = gettext_lazy(
    "Only the task owner, the campaign owner and project managers may change this task."
)

DAY_MS = 86_400_000
BOARD_COLUMNS = (
    DisplayStatus.TODO,
    DisplayStatus.IN_PROGRESS,
    DisplayStatus.BLOCKED,
    DisplayStatus.DELAYED,
    DisplayStatus.DONE,
)


# --- helpers -------------------------------------------------------------------------------------


def _require(allowed: bool, message) -> None:
    """Refuse (403) before reading the form: who may not act learns nothing from its errors."""
    if not allowed:
        raise Forbidden(message)


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return campaign_selectors.campaign_get(user=request.user, pk=pk)


def _task(campaign: Campaign, task_pk: int) -> Task:
    task = get_object_or_404(
        Task.objects.select_related("owner", "collaborating_department"), pk=task_pk, campaign=campaign
    )
    task.campaign = campaign  # keep the instance whose member roles are already cached
    task.predecessor_ids = sorted(task.dependency_links.values_list("depends_on_id", flat=True))
    return task


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _page(campaign: Campaign, user, **extra) -> dict:
    """What every campaign page of this app shows: the campaign and whether the user manages it."""
    return {
        "campaign": campaign,
        "can_manage": permissions.can_manage_tasks(user, campaign),
        "is_open": campaign.status not in ("archived", "cancelled"),
        **extra,
    }


def _edit_form(request: HttpRequest, campaign: Campaign, task: Task, data=None):
    """The form a user edits this task with: everything for managers, progress for its owner."""
    prefix = f"t{task.pk}"
    if permissions.can_manage_tasks(request.user, campaign):
        return TaskForm(data, instance=task, campaign=campaign, prefix=prefix)
    if permissions.can_report_progress(request.user, task):
        initial = {
            "status": task.status,
            "actual_finish": task.actual_finish,
            "delay_reason": task.delay_reason,
        }
        return ProgressForm(data, initial=initial, prefix=prefix)
    return None


# --- task table (Table 2) -----------------------------------------------------------------------------


def _table_context(request: HttpRequest, campaign: Campaign, **extra) -> dict:
    tasks = selectors.tasks_for(campaign=campaign)
    today = timezone.localdate()
    names = {task.pk: task.name for task in tasks}
    for task in tasks:
        task.predecessor_names = [names[pk] for pk in task.predecessor_ids if pk in names]
        task.can_edit = permissions.can_report_progress(request.user, task)
    context = _page(
        campaign,
        request.user,
        tasks=tasks,
        today=today,
        counts=[
            (status, DisplayStatus(status).label, count)
            for status, count in selectors.status_counts(tasks, today).items()
        ],
        has_template=bool(campaign.template),
        **extra,
    )
    if context["can_manage"] and "add_form" not in context:
        context["add_form"] = TaskForm(
            campaign=campaign, prefix="new", initial={"planned_start": today, "planned_finish": today}
        )
    return context


@web_view
def task_table(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the task table. POST: add a task (managers)."""
    campaign = _campaign(request, pk)
    if request.method != "POST":
        return render(request, "execution/tasks.html", _table_context(request, campaign))
    _require(permissions.can_manage_tasks(request.user, campaign), MANAGE_TASKS)
    form = TaskForm(request.POST, campaign=campaign, prefix="new")
    outcome = call_service(
        services.task_create, form=form, campaign=campaign, actor=request.user, data=form.service_data()
    )
    if outcome.ok:
        messages.success(request, _("Task “%(task)s” added.") % {"task": outcome.value.name})
        return _redirect(
            request, reverse("execution:tasks", args=[campaign.pk]) + f"#task-{outcome.value.pk}"
        )
    context = _table_context(request, campaign, add_form=form, add_error=outcome.error, add_open=True)
    return render(request, "execution/tasks.html", context, status=outcome.status)


def _row(
    request: HttpRequest,
    campaign: Campaign,
    task: Task,
    *,
    form=None,
    error=None,
    status: int = 200,
    editing=False,
):
    names = dict(Task.objects.filter(campaign=campaign).values_list("pk", "name"))
    task.predecessor_names = [names[pk] for pk in task.predecessor_ids if pk in names]
    task.can_edit = permissions.can_report_progress(request.user, task)
    context = _page(campaign, request.user, task=task, form=form, error=error, today=timezone.localdate())
    template = "execution/partials/task_row_form.html" if editing else "execution/partials/task_row.html"
    return render(request, template, context, status=status)


@web_view
def task_row(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    """GET: the row (or ?edit=1 its inline form). POST: save the row's form."""
    campaign = _campaign(request, pk)
    task = _task(campaign, task_pk)
    if request.method != "POST":
        form = _edit_form(request, campaign, task) if request.GET.get("edit") else None
        if not request.htmx:
            return redirect(reverse("execution:tasks", args=[campaign.pk]) + f"#task-{task.pk}")
        return _row(request, campaign, task, form=form, editing=form is not None)
    _require(permissions.can_report_progress(request.user, task), CHANGE_TASK)
    form = _edit_form(request, campaign, task, request.POST)
    if form is None:
        form = ProgressForm(request.POST, prefix=f"t{task.pk}")
    outcome = call_service(
        services.task_update, form=form, task=task, actor=request.user, data=form.service_data()
    )
    if not request.htmx:
        if outcome.ok:
            messages.success(request, _("Task “%(task)s” saved.") % {"task": task.name})
            return redirect(reverse("execution:tasks", args=[campaign.pk]) + f"#task-{task.pk}")
        context = _table_context(request, campaign)
        context["row_errors"] = {task.pk: outcome.error}
        return render(request, "execution/tasks.html", context, status=outcome.status)
    if outcome.ok:
        return _row(request, campaign, _task(campaign, task.pk))
    task = _task(campaign, task.pk)
    return _row(request, campaign, task, form=form, error=outcome.error, status=outcome.status, editing=True)


@require_POST
@web_view
def task_delete(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    task = _task(campaign, task_pk)
    services.task_delete(task=task, actor=request.user)
    if request.htmx:
        return HttpResponse("")
    messages.success(request, _("Task “%(task)s” removed.") % {"task": task.name})
    return redirect("execution:tasks", pk=campaign.pk)


@require_POST
@web_view
def tasks_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the scenario template's standard tasks."""
    campaign = _campaign(request, pk)
    created = services.tasks_propose_from_template(campaign=campaign, actor=request.user)
    if created:
        messages.success(
            request, _("%(n)d standard tasks added from the scenario template.") % {"n": len(created)}
        )
    else:
        messages.info(request, _("The standard tasks are already in the table."))
    return _redirect(request, reverse("execution:tasks", args=[campaign.pk]))


@web_view
def tasks_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Table 2 as an XLSX file in the page's language."""
    campaign = _campaign(request, pk)
    content = export.tasks_xlsx(
        campaign=campaign, tasks=selectors.tasks_for(campaign=campaign), language=get_language()
    )
    response = HttpResponse(content, content_type=export.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{export.filename(campaign)}"'
    return response


# --- Gantt -------------------------------------------------------------------------------------------


def _span(start: dt.date, finish: dt.date) -> tuple[str, int]:
    """A bar from the first to the last day, both included: plotly's base and length in ms."""
    return start.isoformat(), ((finish - start).days + 1) * DAY_MS


def gantt_figure(plan: selectors.Gantt) -> dict:
    """The plotly figure as plain JSON-ready data: baseline, planned (critical path in red) and
    actual bars per task, milestones as diamonds and a line for today. Built by hand rather than
    with plotly's Python objects, which validate every property and cost far more for 500 tasks."""
    rows = plan.rows
    labels = [row.task.name for row in rows]
    owner_label, planned_label, slack_label = _("Owner"), _("Planned"), _("Slack")
    status_labels = {status: str(status.label) for status in DisplayStatus}
    y = list(range(len(rows)))
    planned = {"base": [], "x": [], "color": [], "text": []}
    baseline = {"base": [], "x": [], "y": []}
    actual = {"base": [], "x": [], "y": [], "color": []}
    milestones = {"x": [], "y": [], "color": [], "text": []}
    for index, row in enumerate(rows):
        task = row.task
        status = status_labels[task.display_status(plan.today)]
        # Plotly renders hover text as HTML: the names are escaped.
        hover = (
            f"<b>{escape(task.name)}</b><br>{owner_label}: {escape(str(task.owner))}<br>"
            f"{planned_label}: {task.planned_start:%Y-%m-%d} – {task.planned_finish:%Y-%m-%d}<br>"
            f"{slack_label}: {row.slack_days} · {status}"
        )
        color = "#c0362c" if row.critical else "#1f5fbf"
        if task.is_milestone:
            milestones["x"].append(task.planned_start.isoformat())
            milestones["y"].append(index)
            milestones["color"].append(color)
            milestones["text"].append(hover)
            base, length = task.planned_start.isoformat(), 0
        else:
            base, length = _span(task.planned_start, task.planned_finish)
        planned["base"].append(base)
        planned["x"].append(length)
        planned["color"].append(color)
        planned["text"].append(hover)
        if task.baseline_start and task.baseline_finish:
            base, length = _span(task.baseline_start, task.baseline_finish)
            baseline["base"].append(base)
            baseline["x"].append(length)
            baseline["y"].append(index)
        if task.actual_start or task.actual_finish or task.status == TaskStatus.IN_PROGRESS:
            finish = task.actual_finish or plan.today
            start = min(task.actual_start or task.planned_start, finish)
            base, length = _span(start, finish)
            actual["base"].append(base)
            actual["x"].append(length)
            actual["y"].append(index)
            actual["color"].append("#1a7f45" if task.status == TaskStatus.DONE else "#d08a00")
    bar = {"type": "bar", "orientation": "h", "hoverinfo": "text"}
    data = [
        {
            **bar,
            "name": pgettext("schedule", "Baseline"),
            "y": baseline["y"],
            "x": baseline["x"],
            "base": baseline["base"],
            "width": 0.2,
            "offset": -0.45,
            "marker": {"color": "#9aa5b4"},
            "hoverinfo": "skip",
        },
        {
            **bar,
            "name": _("Planned"),
            "y": y,
            "x": planned["x"],
            "base": planned["base"],
            "width": 0.45,
            "offset": -0.22,
            "marker": {"color": planned["color"]},
            "hovertext": planned["text"],
        },
        {
            **bar,
            "name": _("Actual"),
            "y": actual["y"],
            "x": actual["x"],
            "base": actual["base"],
            "width": 0.2,
            "offset": 0.25,
            "marker": {"color": actual["color"]},
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": _("Milestone"),
            "x": milestones["x"],
            "y": milestones["y"],
            "marker": {"symbol": "diamond", "size": 12, "color": milestones["color"]},
            "hoverinfo": "text",
            "hovertext": milestones["text"],
        },
    ]
    today = plan.today.isoformat()
    layout = {
        "barmode": "overlay",
        "height": max(260, 28 * len(rows) + 110),
        "margin": {"l": 10, "r": 10, "t": 30, "b": 40},
        "xaxis": {"type": "date", "gridcolor": "#eef1f5"},
        "yaxis": {
            "tickmode": "array",
            "tickvals": y,
            "ticktext": labels,
            "autorange": "reversed",
            "automargin": True,
        },
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom"},
        "shapes": [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": today,
                "x1": today,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#a15c00", "dash": "dot", "width": 1},
            }
        ],
        "annotations": [
            {
                "x": today,
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "text": _("Today"),
                "showarrow": False,
                "yanchor": "bottom",
                "font": {"size": 11, "color": "#a15c00"},
            }
        ],
    }
    return {"data": data, "layout": layout}


def _md(day: dt.date | None) -> str:
    return f"{day:%m-%d}" if day else "—"


def cpm_table_rows(plan: selectors.Gantt) -> str:
    """The CPM table's rows as HTML, built here rather than in a template loop: for 500 tasks
    the template engine alone took most of the page's time budget."""
    labels = {status: str(status.label) for status in DisplayStatus}
    rows = []
    for row in plan.rows:
        task = row.task
        status = task.display_status(plan.today)
        late = task.days_late(plan.today)
        baseline = f"{_md(task.baseline_start)} – {_md(task.baseline_finish)}" if task.baseline_start else "—"
        rows.append(
            (
                "critical" if row.critical else "",
                "strong" if row.critical else "span",
                task.name,
                "strong" if row.critical else "span",
                f"{_md(task.planned_start)} – {_md(task.planned_finish)}",
                baseline,
                _md(row.earliest_start),
                _md(row.earliest_finish),
                _md(row.latest_start),
                _md(row.latest_finish),
                row.slack_days,
                status,
                labels[status] + (f" +{late}" if late else ""),
            )
        )
    return format_html_join(
        "\n",
        '<tr class="{}"><td><{}>{}</{}></td><td class="nowrap">{}</td><td class="nowrap">{}</td>'
        '<td class="nowrap">{}</td><td class="nowrap">{}</td><td class="nowrap">{}</td>'
        '<td class="nowrap">{}</td><td class="num">{}</td>'
        '<td><span class="badge task-badge task-{}">{}</span></td></tr>',
        rows,
    )


@web_view
def gantt(request: HttpRequest, pk: int) -> HttpResponse:
    """Baseline vs planned vs actual bars with the critical path highlighted, and the CPM table."""
    campaign = _campaign(request, pk)
    plan = selectors.gantt(campaign=campaign)
    names = {row.task.pk: row.task.name for row in plan.rows}
    context = _page(
        campaign,
        request.user,
        plan=plan,
        figure=gantt_figure(plan),
        critical_names=[names[pk] for pk in plan.critical_path],
        cpm_rows=cpm_table_rows(plan),
        plotly_url=reverse("execution:plotly_js", args=[plotly_version()]),
        baseline_form=BaselineForm(),
        can_freeze=services.can_freeze_baseline(request.user, campaign),
    )
    return render(request, "execution/gantt.html", context)


@require_POST
@web_view
def baseline_freeze(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    _require(
        services.can_freeze_baseline(request.user, campaign),
        _("Only the campaign owner, project managers and approvers may freeze the baseline."),
    )
    form = BaselineForm(request.POST)
    if not form.is_valid():
        raise field_error("reason", form.errors["reason"][0])
    count = services.baseline_freeze(
        campaign=campaign, actor=request.user, reason=form.cleaned_data["reason"]
    )
    messages.success(request, _("Baseline frozen for %(n)d tasks.") % {"n": count})
    return _redirect(request, reverse("execution:gantt", args=[campaign.pk]))


@cache
def plotly_version() -> str:
    return plotly.__version__


@cache
def _plotly_bundle() -> tuple[bytes, str]:
    path = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    content = path.read_bytes()
    return content, hashlib.sha256(content).hexdigest()[:16]


def plotly_js(request: HttpRequest, version: str) -> HttpResponse:
    """plotly.min.js as shipped inside the installed plotly package: no CDN, no copy in the repo.
    The URL carries the version, so browsers may keep it for a year."""
    if version != plotly_version():
        raise Http404
    content, etag = _plotly_bundle()
    if request.headers.get("If-None-Match") == f'"{etag}"':
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(content, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["ETag"] = f'"{etag}"'
    return response


# --- kanban board ---------------------------------------------------------------------------------


@web_view
def board(request: HttpRequest, pk: int) -> HttpResponse:
    """Tasks in columns by status (delayed as its own column)."""
    campaign = _campaign(request, pk)
    tasks = selectors.tasks_for(campaign=campaign)
    today = timezone.localdate()
    columns = {status: [] for status in BOARD_COLUMNS}
    for task in tasks:
        task.can_edit = permissions.can_report_progress(request.user, task)
        columns[DisplayStatus(task.display_status(today))].append(task)
    context = _page(
        campaign,
        request.user,
        columns=[(status, status.label, columns[status]) for status in BOARD_COLUMNS],
        statuses=TaskStatus.choices,
        today=today,
    )
    return render(request, "execution/board.html", context)


@require_POST
@web_view
def board_move(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    """Move a card: set the task's status; a late task needs its delay reason in the table."""
    campaign = _campaign(request, pk)
    task = _task(campaign, task_pk)
    _require(permissions.can_report_progress(request.user, task), CHANGE_TASK)
    form = StatusForm(request.POST)
    if not form.is_valid():
        raise field_error("status", form.errors["status"][0])
    services.task_update(task=task, actor=request.user, data={"status": form.cleaned_data["status"]})
    return _redirect(request, reverse("execution:board", args=[campaign.pk]))


# --- RACI matrix -----------------------------------------------------------------------------------


@web_view
def raci(request: HttpRequest, pk: int) -> HttpResponse:
    """Tasks × people with each one's R, A, C or I; managers change a cell in place."""
    campaign = _campaign(request, pk)
    people, rows = selectors.raci_matrix(campaign=campaign)
    member_ids = set(campaign.members.values_list("user_id", flat=True))
    context = _page(
        campaign, request.user, people=people, rows=rows, roles=RaciRole.choices, member_ids=member_ids
    )
    return render(request, "execution/raci.html", context)


@require_POST
@web_view
def raci_cell(request: HttpRequest, pk: int, task_pk: int, user_pk: int) -> HttpResponse:
    """Set (or with an empty role, remove) one person's role on one task."""
    campaign = _campaign(request, pk)
    task = _task(campaign, task_pk)
    person = get_object_or_404(campaign.members.select_related("user"), user_id=user_pk).user
    role = request.POST.get("role", "")
    if role:
        services.raci_set(task=task, actor=request.user, user=person, role=role)
    elif task.raci.filter(user=person).exists():
        services.raci_remove(task=task, actor=request.user, user=person)
    if not request.htmx:
        return redirect("execution:raci", pk=campaign.pk)
    row = selectors.RaciRow(task, dict(task.raci.values_list("user_id", "role")))
    member_ids = set(campaign.members.values_list("user_id", flat=True))
    context = _page(
        campaign, request.user, row=row, person=person, roles=RaciRole.choices, member_ids=member_ids
    )
    return render(request, "execution/partials/raci_cell_response.html", context)


# --- meetings ------------------------------------------------------------------------------------------


@web_view
def meetings(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: meetings, newest first, and a preview of today's stand-up. POST: record a meeting."""
    campaign = _campaign(request, pk)
    form = MeetingForm(request.POST or None, campaign=campaign, initial={"date": timezone.localdate()})
    status, error = 200, None
    if request.method == "POST":
        _require(permissions.can_manage_tasks(request.user, campaign), MANAGE_TASKS)
        data = form.service_data()
        outcome = call_service(
            services.meeting_create,
            form=form,
            campaign=campaign,
            actor=request.user,
            kind=data.get("kind"),
            date=data.get("date"),
            attendees=list(data.get("attendees") or []),
            notes=data.get("notes") or "",
            decisions=data.get("decisions") or "",
        )
        if outcome.ok:
            messages.success(request, _("Meeting recorded."))
            return _redirect(request, reverse("execution:meeting", args=[outcome.value.pk]))
        status, error = outcome.status, outcome.error
    context = _page(
        campaign,
        request.user,
        meetings=list(selectors.meetings_for(campaign=campaign)),
        preview=selectors.meeting_progress(campaign=campaign, kind="standup", date=timezone.localdate()),
        form=form,
        error=error,
    )
    return render(request, "execution/meetings.html", context, status=status)


def _meeting_context(request: HttpRequest, meeting, **extra) -> dict:
    campaign = meeting.campaign
    return _page(
        campaign,
        request.user,
        meeting=meeting,
        attendees=list(meeting.attendees.all()),
        items=list(meeting.action_items.select_related("owner", "task")),
        item_form=extra.pop("item_form", None) or ActionItemForm(campaign=campaign),
        **extra,
    )


@web_view
def meeting_detail(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    """GET: the meeting record. POST: add an action item."""
    meeting = selectors.meeting_get(user=request.user, pk=meeting_pk)
    meeting.campaign = campaign_selectors.campaign_get(user=request.user, pk=meeting.campaign_id)
    if request.method != "POST":
        return render(request, "execution/meeting.html", _meeting_context(request, meeting))
    _require(permissions.can_manage_tasks(request.user, meeting.campaign), MANAGE_TASKS)
    form = ActionItemForm(request.POST, campaign=meeting.campaign)
    data = form.service_data()
    outcome = call_service(
        services.action_item_add,
        form=form,
        meeting=meeting,
        actor=request.user,
        description=data.get("description") or "",
        owner=data.get("owner"),
        due=data.get("due"),
    )
    if outcome.ok:
        return _redirect(request, reverse("execution:meeting", args=[meeting.pk]) + "#action-items")
    context = _meeting_context(request, meeting, item_form=form, item_error=outcome.error)
    return render(request, "execution/meeting.html", context, status=outcome.status)


@require_POST
@web_view
def action_item_task(request: HttpRequest, item_pk: int) -> HttpResponse:
    item = get_object_or_404(ActionItem.objects.select_related("meeting"), pk=item_pk)
    meeting = selectors.meeting_get(user=request.user, pk=item.meeting_id)
    item.meeting = meeting
    task = services.action_item_to_task(item=item, actor=request.user)
    messages.success(request, _("Task “%(task)s” added to the table.") % {"task": task.name})
    return _redirect(request, reverse("execution:meeting", args=[meeting.pk]) + "#action-items")


# --- execution log ----------------------------------------------------------------------------------------


@web_view
def log(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the execution log and the risks whose response can be activated. POST: add an entry."""
    campaign = _campaign(request, pk)
    form = LogEntryForm(request.POST or None, campaign=campaign)
    status, error = 200, None
    if request.method == "POST":
        _require(
            permissions.can_write_log(request.user, campaign),
            _("Only the campaign team may write in the execution log."),
        )
        data = {
            key: value
            for key, value in form.service_data().items()
            if value not in (None, "") or key == "risk"
        }
        outcome = call_service(
            services.log_entry_create, form=form, campaign=campaign, actor=request.user, data=data
        )
        if outcome.ok:
            messages.success(request, _("Log entry added."))
            return _redirect(request, reverse("execution:log", args=[campaign.pk]))
        status, error = outcome.status, outcome.error
    context = _page(
        campaign,
        request.user,
        entries=list(selectors.log_for(campaign=campaign)),
        risks=list(Risk.objects.filter(campaign=campaign).select_related("owner")),
        can_write=permissions.can_write_log(request.user, campaign),
        open_risk_statuses=(RiskStatus.OPEN, RiskStatus.MITIGATED),
        form=form,
        error=error,
    )
    return render(request, "execution/log.html", context, status=status)


@require_POST
@web_view
def risk_activate(request: HttpRequest, risk_pk: int) -> HttpResponse:
    risk = get_object_or_404(Risk, pk=risk_pk)
    campaign = _campaign(request, risk.campaign_id)
    risk.campaign = campaign
    services.risk_activate(risk=risk, actor=request.user, result=request.POST.get("result", "")[:2000])
    messages.success(request, _("Contingency plan activated and logged."))
    return _redirect(request, reverse("execution:log", args=[campaign.pk]))


# --- my tasks and calendar feeds -----------------------------------------------------------------------


@web_view
def my_tasks(request: HttpRequest) -> HttpResponse:
    """The tasks I own in every campaign, late first, with my private calendar feed."""
    include_done = request.GET.get("done") == "1"
    tasks = selectors.my_tasks(user=request.user, include_done=include_done)
    today = timezone.localdate()
    late = [task for task in tasks if task.is_late(today)]
    others = [task for task in tasks if not task.is_late(today)]
    token = services.calendar_token_get(user=request.user).token
    context = {
        "late": sorted(late, key=lambda task: -task.days_late(today)),
        "upcoming": others,
        "include_done": include_done,
        "today": today,
        "calendar_url": request.build_absolute_uri(reverse("execution:calendar_personal", args=[token])),
        "token": token,
    }
    return render(request, "execution/my_tasks.html", context)


@require_POST
@web_view
def calendar_reset(request: HttpRequest) -> HttpResponse:
    services.calendar_token_reset(user=request.user)
    messages.success(request, _("Your calendar address was changed; subscribe again with the new one."))
    return redirect("execution:my_tasks")


def _feed_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def _token_user(token: str):
    """The active user whose calendar token this is; 404 for anything else (never says which)."""
    row = CalendarToken.objects.select_related("user").filter(token=token).first()
    if row is None or not row.user.is_active:
        raise Http404
    return row.user


def calendar_personal(request: HttpRequest, token: str) -> HttpResponse:
    """My tasks and the dates of my campaigns; the token in the URL is the only credential."""
    user = _token_user(token)
    campaigns = list(campaign_permissions.visible_campaigns(user).filter(members__user=user).distinct())
    return _feed_response(feeds.personal_feed(user=user, campaigns=campaigns), "campaignflow")


def calendar_campaign(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    """Every task, milestone and date of one campaign the token's user may see."""
    user = _token_user(token)
    campaign = Campaign.objects.filter(pk=pk).first()
    if campaign is None or not campaign_permissions.can_view(user, campaign):
        raise Http404
    return _feed_response(
        feeds.campaign_feed(campaign=campaign), campaign.number or f"campaign-{campaign.pk}"
    )
