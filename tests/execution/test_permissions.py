"""Permission matrix per persona for every execution service; a refused call changes nothing."""

from __future__ import annotations

import pytest

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns.models import Campaign, Risk
from campaignflow.core.errors import Forbidden, NotFound
from campaignflow.execution import permissions, services
from campaignflow.execution.models import LogEntry, Meeting, Task, TaskDependency, TaskRaci

from .conftest import make_task

pytestmark = pytest.mark.django_db

PERSONAS = ["planner", "pm", "doer", "viewer", "dept_head", "manager", "outsider", "admin"]
OK, DENY, HIDDEN = "ok", "forbidden", "not_found"
MANAGERS = {"planner", "pm", "admin"}


def _matrix(allowed: set[str]) -> dict[str, str]:
    return {p: OK if p in allowed else (HIDDEN if p == "outsider" else DENY) for p in PERSONAS}


@pytest.fixture
def people(planner, pm, doer, viewer, dept_head, manager, outsider, admin_user):
    return {
        "planner": planner,
        "pm": pm,
        "doer": doer,
        "viewer": viewer,
        "dept_head": dept_head,
        "manager": manager,
        "outsider": outsider,
        "admin": admin_user,
    }


@pytest.fixture
def world(campaign, people):
    """The doer's task, a second task, and the campaign's template for proposals."""
    Campaign.objects.filter(pk=campaign.pk).update(template="holiday_promotion")
    campaign.refresh_from_db()
    return {
        "task": make_task(campaign, people["doer"], name="Poster design"),
        "other": make_task(campaign, people["planner"], name="Book slots"),
        "risk": Risk.objects.get(campaign=campaign),
    }


def _day(n):
    import datetime as dt

    return dt.date(2026, 11, n)


ACTIONS = {
    "create_task": (
        lambda c, w, u: services.task_create(
            campaign=c, actor=u, data={"name": "x", "planned_start": _day(24), "planned_finish": _day(25)}
        ),
        _matrix(MANAGERS),
    ),
    "rename_task": (
        lambda c, w, u: services.task_update(task=w["task"], actor=u, data={"name": "Poster v2"}),
        _matrix(MANAGERS),
    ),
    "report_progress": (
        lambda c, w, u: services.task_update(task=w["task"], actor=u, data={"status": "in_progress"}),
        _matrix(MANAGERS | {"doer"}),
    ),
    "progress_on_someone_elses_task": (
        lambda c, w, u: services.task_update(task=w["other"], actor=u, data={"status": "in_progress"}),
        _matrix(MANAGERS),
    ),
    "delete_task": (lambda c, w, u: services.task_delete(task=w["task"], actor=u), _matrix(MANAGERS)),
    "add_dependency": (
        lambda c, w, u: services.dependency_add(task=w["task"], actor=u, depends_on=w["other"]),
        _matrix(MANAGERS),
    ),
    "set_raci": (
        lambda c, w, u: services.raci_set(task=w["task"], actor=u, user=c.owner, role="A"),
        _matrix(MANAGERS),
    ),
    "propose_tasks": (
        lambda c, w, u: services.tasks_propose_from_template(campaign=c, actor=u),
        _matrix(MANAGERS),
    ),
    "freeze_baseline": (
        lambda c, w, u: services.baseline_freeze(campaign=c, actor=u, reason="approved"),
        _matrix(MANAGERS | {"dept_head", "manager"}),
    ),
    "record_meeting": (lambda c, w, u: services.meeting_create(campaign=c, actor=u), _matrix(MANAGERS)),
    "write_log": (
        lambda c, w, u: services.log_entry_create(campaign=c, actor=u, data={"description": "Rain"}),
        _matrix(MANAGERS | {"doer"}),
    ),
    "activate_risk": (lambda c, w, u: services.risk_activate(risk=w["risk"], actor=u), _matrix(MANAGERS)),
}


def _state():
    return (
        list(Task.objects.order_by("id").values()),
        TaskDependency.objects.count(),
        TaskRaci.objects.count(),
        Meeting.objects.count(),
        LogEntry.objects.count(),
        list(Risk.objects.values_list("status", flat=True)),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_permission_matrix(action, persona, people, campaign, world):
    call, expected = ACTIONS[action]
    before = _state()
    user = people[persona]
    if expected[persona] == OK:
        call(campaign, world, user)
        assert _state() != before
        return
    error = NotFound if expected[persona] == HIDDEN else Forbidden
    with pytest.raises(error):
        call(campaign, world, user)
    assert _state() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_the_tasks(persona, people, campaign):
    assert permissions.can_view(people[persona], campaign) is (persona != "outsider")


def test_the_owner_may_not_move_their_task_or_change_its_dependencies(campaign, people, world):
    doer = people["doer"]

    with pytest.raises(Forbidden) as refused:
        services.task_update(
            task=world["task"], actor=doer, data={"status": "done", "planned_finish": _day(30)}
        )

    assert "own tasks only" in refused.value.message
    assert Task.objects.get(pk=world["task"].pk).status == "todo"
