"""Task services: the rules of Table 2, dependencies, RACI, standard tasks and the baseline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import Conflict, ValidationFailed
from campaignflow.execution import services
from campaignflow.execution.models import Task, TaskDependency, TaskRaci
from campaignflow.execution.services import tasks as task_services
from tests.factories import CampaignFactory, UserFactory

from .conftest import TODAY, make_task

pytestmark = pytest.mark.django_db
D = dt.date


def rows() -> tuple:
    """Everything a refused call must leave as it was."""
    return (
        list(Task.objects.order_by("id").values()),
        list(TaskDependency.objects.order_by("id").values()),
        list(TaskRaci.objects.order_by("id").values()),
        AuditEvent.objects.count(),
    )


def set_status(campaign, status):
    Campaign.objects.filter(pk=campaign.pk).update(status=status)
    campaign.refresh_from_db()


@pytest.fixture
def told(monkeypatch):
    """Notifications sent by the task services: (event, recipients, params)."""
    sent = []

    def fake_notify(*, event, recipients, title, body="", params=None, campaign=None, url="", actor=None):
        sent.append((event, [user.username for user in recipients], params))
        return []

    monkeypatch.setattr(task_services, "notify", fake_notify)
    return sent


# --- create --------------------------------------------------------------------------------------


def test_it_adds_a_task_owned_by_a_team_member_and_tells_them(campaign, planner, doer, told):
    task = services.task_create(
        campaign=campaign,
        actor=planner,
        data={
            "name": "物料设计定稿",
            "owner": doer,
            "planned_start": D(2026, 11, 25),
            "planned_finish": D(2026, 12, 5),
        },
    )

    assert (task.name, task.owner, task.status, task.display_status(TODAY)) == (
        "物料设计定稿",
        doer,
        "todo",
        "todo",
    )
    assert (task.baseline_start, task.baseline_finish) == (None, None)  # draft: no approved baseline yet
    assert told == [
        (
            "task.assigned",
            ["doer"],
            {
                "task": "物料设计定稿",
                "actor": "planner",
                "campaign": "Spring tea launch",
                "start": "2026-11-25",
                "finish": "2026-12-05",
            },
        )
    ]
    assert AuditEvent.objects.filter(verb="task.created", object_id=str(task.pk)).count() == 1


def test_a_task_added_after_approval_starts_with_its_planned_dates_as_baseline(campaign, planner):
    set_status(campaign, "preparing")

    task = services.task_create(
        campaign=campaign,
        actor=planner,
        data={"name": "Book slots", "planned_start": D(2026, 11, 24), "planned_finish": D(2026, 11, 28)},
    )

    assert (task.owner, task.baseline_start, task.baseline_finish) == (
        planner,
        D(2026, 11, 24),
        D(2026, 11, 28),
    )


def test_it_refuses_an_owner_who_is_not_on_the_team(campaign, planner, outsider):
    before = rows()

    with pytest.raises(ValidationFailed) as refused:
        services.task_create(
            campaign=campaign,
            actor=planner,
            data={
                "name": "x",
                "owner": outsider,
                "planned_start": D(2026, 11, 24),
                "planned_finish": D(2026, 11, 25),
            },
        )

    assert refused.value.errors[0].field == "owner"
    assert refused.value.message == "outsider is not on the campaign team; add them as a member first."
    assert rows() == before


def test_it_refuses_a_finish_before_the_start(campaign, planner):
    before = rows()

    with pytest.raises(ValidationFailed) as refused:
        services.task_create(
            campaign=campaign,
            actor=planner,
            data={"name": "x", "planned_start": D(2026, 12, 5), "planned_finish": D(2026, 12, 4)},
        )

    assert [e.field for e in refused.value.errors] == ["planned_finish"]
    assert rows() == before


@pytest.mark.parametrize("status", ["archived", "cancelled"])
def test_tasks_are_read_only_once_the_campaign_is_over(campaign, planner, status):
    task = make_task(campaign, planner)
    set_status(campaign, status)
    before = rows()

    with pytest.raises(Conflict) as refused:
        services.task_update(task=task, actor=planner, data={"name": "renamed"})

    assert refused.value.status == 409
    assert rows() == before


# --- delayed is derived ----------------------------------------------------------------------------


def test_an_open_task_past_its_finish_shows_as_delayed_with_days_late(campaign, planner):
    task = make_task(campaign, planner, start=(2026, 11, 10), finish=(2026, 11, 20), status="in_progress")

    assert (task.display_status(TODAY), task.days_late(TODAY)) == ("delayed", 3)


def test_a_task_done_after_its_finish_stays_delayed_and_one_done_on_time_is_done(campaign, planner):
    late = make_task(campaign, planner, finish=(2026, 11, 20), status="done", actual_finish=D(2026, 11, 22))
    on_time = make_task(
        campaign, planner, finish=(2026, 11, 20), status="done", actual_finish=D(2026, 11, 20)
    )

    assert (late.display_status(TODAY), late.days_late(TODAY)) == ("delayed", 2)
    assert (on_time.display_status(TODAY), on_time.days_late(TODAY)) == ("done", 0)


def test_updating_a_late_task_without_a_reason_is_refused_naming_delay_reason(campaign, doer):
    task = make_task(campaign, doer, start=(2026, 11, 10), finish=(2026, 11, 20))
    before = rows()

    with pytest.raises(ValidationFailed) as refused:
        services.task_update(task=task, actor=doer, data={"status": "in_progress"})

    assert [e.field for e in refused.value.errors] == ["delay_reason"]
    assert refused.value.message == "This task is 3 day(s) late: give a delay reason."
    assert rows() == before


def test_finishing_late_needs_a_reason_and_then_records_it(campaign, doer):
    task = make_task(campaign, doer, start=(2026, 11, 10), finish=(2026, 11, 21))
    with pytest.raises(ValidationFailed):
        services.task_update(task=task, actor=doer, data={"status": "done"})

    task = services.task_update(
        task=task, actor=doer, data={"status": "done", "delay_reason": "平台排期冲突"}
    )

    task.refresh_from_db()
    assert (task.status, task.actual_finish, task.delay_reason) == ("done", TODAY, "平台排期冲突")
    assert (task.display_status(TODAY), task.days_late(TODAY)) == ("delayed", 2)


def test_an_actual_finish_means_done_and_reopening_clears_it(campaign, doer):
    task = make_task(campaign, doer)

    services.task_update(task=task, actor=doer, data={"actual_finish": D(2026, 11, 22)})
    task.refresh_from_db()
    assert (task.status, task.actual_start, task.actual_finish) == ("done", D(2026, 11, 22), D(2026, 11, 22))

    services.task_update(task=task, actor=doer, data={"status": "in_progress"})
    task.refresh_from_db()
    assert (task.status, task.actual_finish) == ("in_progress", None)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "delayed"}, "status"),
        ({"status": "in_progress", "actual_finish": D(2026, 11, 22)}, "actual_finish"),
        ({"is_milestone": True}, "planned_finish"),
        ({"owner": None}, "owner"),
        ({"status": "paused"}, "status"),
    ],
)
def test_it_refuses_inconsistent_progress(campaign, planner, data, field):
    task = make_task(campaign, planner)
    before = rows()

    with pytest.raises(ValidationFailed) as refused:
        services.task_update(task=task, actor=planner, data=data)

    assert field in [e.field for e in refused.value.errors]
    assert rows() == before


def test_changing_the_owner_tells_the_new_owner(campaign, planner, doer, pm, told):
    task = make_task(campaign, doer)

    services.task_update(task=task, actor=planner, data={"owner": pm})

    assert [(event, people) for event, people, _params in told] == [("task.assigned", ["pm"])]


# --- dependencies --------------------------------------------------------------------------------


def test_a_dependency_that_closes_a_loop_is_refused_naming_the_cycle(campaign, planner):
    a, b, c = (make_task(campaign, planner, name=name) for name in ("Design", "Print", "Ship"))
    services.dependency_add(task=b, actor=planner, depends_on=a)
    services.dependency_add(task=c, actor=planner, depends_on=b)
    before = rows()

    with pytest.raises(ValidationFailed) as refused:
        services.dependency_add(task=a, actor=planner, depends_on=c)

    assert refused.value.message == "These dependencies would form a cycle: Ship → Design → Print → Ship"
    assert refused.value.errors[0].field == "depends_on"
    assert rows() == before


def test_a_task_cannot_depend_on_itself(campaign, planner):
    task = make_task(campaign, planner, name="Design")

    with pytest.raises(ValidationFailed) as refused:
        services.task_update(task=task, actor=planner, data={"depends_on": [task]})

    assert refused.value.message == "These dependencies would form a cycle: Design → Design"


def test_a_dependency_on_another_campaigns_task_is_refused(campaign, planner, marketing):
    other = CampaignFactory(owner=planner, department=marketing)
    foreign = make_task(other, planner, name="Elsewhere")
    task = make_task(campaign, planner)
    before = rows()

    with pytest.raises(ValidationFailed) as refused:
        services.dependency_add(task=task, actor=planner, depends_on=foreign)

    assert refused.value.message == (
        f"Task #{foreign.pk} belongs to another campaign; a task can only depend on tasks of its own."
    )
    assert rows() == before


def test_setting_dependencies_replaces_them(campaign, planner):
    a, b, c = (make_task(campaign, planner, name=name) for name in ("A", "B", "C"))
    services.task_update(task=c, actor=planner, data={"depends_on": [a, b]})
    services.task_update(task=c, actor=planner, data={"depends_on": [b]})

    assert list(TaskDependency.objects.filter(task=c).values_list("depends_on__name", flat=True)) == ["B"]
    services.dependency_remove(task=c, actor=planner, depends_on=b)
    assert not TaskDependency.objects.filter(task=c).exists()


# --- RACI ------------------------------------------------------------------------------------------------


def test_raci_gives_team_members_one_role_each(campaign, planner, doer, outsider):
    task = make_task(campaign, doer)
    services.raci_set(task=task, actor=planner, user=doer, role="R")
    services.raci_set(task=task, actor=planner, user=planner, role="A")
    services.raci_set(task=task, actor=planner, user=doer, role="C")

    assert set(TaskRaci.objects.filter(task=task).values_list("user__username", "role")) == {
        ("doer", "C"),
        ("planner", "A"),
    }
    with pytest.raises(ValidationFailed) as refused:
        services.raci_set(task=task, actor=planner, user=outsider, role="I")
    assert refused.value.errors[0].field == "user"


# --- standard tasks from the template --------------------------------------------------------------------


def test_it_proposes_the_templates_standard_tasks_once(planner, pm, marketing, sales):
    campaign = CampaignFactory(
        owner=planner,
        department=marketing,
        template="new_product_launch",
        start_date=D(2026, 12, 21),
        end_date=D(2027, 3, 20),
    )
    from campaignflow.campaigns.models import CampaignMember

    CampaignMember.objects.create(campaign=campaign, user=pm, role="project_manager")

    with translation.override("en"):  # task names come in the current language
        created = services.tasks_propose_from_template(campaign=campaign, actor=pm)

    table = {t.template_key: t for t in created}
    assert len(created) == 9
    samples = table["material_samples"]
    assert (samples.name, samples.is_milestone, samples.planned_start, samples.planned_finish) == (
        "Material samples confirmed (T-3)",
        True,
        D(2026, 12, 18),
        D(2026, 12, 18),
    )
    assert (table["onsite_execution"].planned_start, table["onsite_execution"].planned_finish) == (
        D(2026, 12, 21),
        D(2027, 3, 20),
    )
    assert table["onsite_execution"].owner == pm
    assert table["channel_booking"].collaborating_department == sales
    assert sorted(table["launch"].depends_on.values_list("template_key", flat=True)) == [
        "channels_live",
        "material_samples",
        "staff_training",
    ]
    assert set(table["onsite_execution"].raci.values_list("user__username", "role")) == {
        ("pm", "R"),
        ("planner", "A"),
    }
    assert set(table["materials_design"].raci.values_list("user__username", "role")) == {("planner", "A")}
    assert services.tasks_propose_from_template(campaign=campaign, actor=pm) == []
    assert Task.objects.filter(campaign=campaign).count() == 9


def test_without_a_template_there_is_nothing_to_propose(campaign, planner):
    with pytest.raises(ValidationFailed) as refused:
        services.tasks_propose_from_template(campaign=campaign, actor=planner)

    assert refused.value.code == "no_template"
    assert Task.objects.count() == 0


# --- baseline --------------------------------------------------------------------------------------------


def test_freezing_the_baseline_copies_planned_dates_and_keeps_the_previous_one(campaign, planner, manager):
    task = make_task(campaign, planner, start=(2026, 11, 24), finish=(2026, 11, 30))
    services.baseline_freeze(campaign=campaign, actor=planner, reason="Plan approved")
    Task.objects.filter(pk=task.pk).update(planned_finish=D(2026, 12, 3))

    count = services.baseline_freeze(campaign=campaign, actor=manager, reason="Change request #4 applied")

    task.refresh_from_db()
    assert count == 1
    assert (task.baseline_start, task.baseline_finish) == (D(2026, 11, 24), D(2026, 12, 3))
    event = AuditEvent.objects.filter(verb="baseline.frozen").order_by("-id").first()
    assert event.comment == "Change request #4 applied"
    assert event.before == {str(task.pk): ["2026-11-24", "2026-11-30"]}
    assert event.after == {str(task.pk): ["2026-11-24", "2026-12-03"]}


def test_freezing_the_baseline_needs_a_reason(campaign, planner):
    make_task(campaign, planner)

    with pytest.raises(ValidationFailed) as refused:
        services.baseline_freeze(campaign=campaign, actor=planner, reason="  ")

    assert refused.value.errors[0].field == "reason"
    assert Task.objects.get().baseline_start is None


def test_deleting_a_task_removes_its_links(campaign, planner):
    a, b = make_task(campaign, planner, name="A"), make_task(campaign, planner, name="B")
    services.dependency_add(task=b, actor=planner, depends_on=a)

    services.task_delete(task=a, actor=planner)

    assert list(Task.objects.values_list("name", flat=True)) == ["B"]
    assert not TaskDependency.objects.exists()


def test_a_user_from_another_org_unit_is_not_a_valid_owner_even_when_active(campaign, planner):
    stranger = UserFactory(username="stranger")
    with pytest.raises(ValidationFailed):
        services.task_create(
            campaign=campaign,
            actor=planner,
            data={
                "name": "x",
                "owner": stranger,
                "planned_start": D(2026, 11, 24),
                "planned_finish": D(2026, 11, 25),
            },
        )


def test_the_final_approval_freezes_the_baseline_of_tasks_planned_in_the_draft(
    campaign, planner, dept_head, manager
):
    from campaignflow.campaigns import services as campaign_services

    task = services.task_create(
        campaign=campaign,
        actor=planner,
        data={"name": "Book slots", "planned_start": D(2026, 11, 24), "planned_finish": D(2026, 11, 28)},
    )
    campaign_services.campaign_submit(campaign=campaign, actor=planner)
    campaign_services.campaign_approve(campaign=Campaign.objects.get(pk=campaign.pk), actor=dept_head)
    task.refresh_from_db()
    assert task.baseline_start is None  # one level still to decide

    campaign_services.campaign_approve(campaign=Campaign.objects.get(pk=campaign.pk), actor=manager)

    task.refresh_from_db()
    assert (task.baseline_start, task.baseline_finish) == (D(2026, 11, 24), D(2026, 11, 28))
    event = AuditEvent.objects.get(verb="baseline.frozen")
    assert (event.actor, event.comment) == (manager, "Plan approved and registered")


def test_an_applied_change_refreezes_the_baseline_even_when_a_planner_requested_it(
    campaign, planner, dept_head, manager, marketing
):
    from campaignflow.accounts.models import Organization
    from campaignflow.campaigns import changes
    from campaignflow.campaigns import services as campaign_services
    from campaignflow.campaigns.models import CampaignMember

    writer = UserFactory(username="writer", department=marketing, roles=["member"])
    CampaignMember.objects.create(campaign=campaign, user=writer, role="planner")
    campaign_services.campaign_submit(campaign=campaign, actor=planner)
    campaign_services.campaign_approve(campaign=Campaign.objects.get(pk=campaign.pk), actor=dept_head)
    campaign_services.campaign_approve(campaign=Campaign.objects.get(pk=campaign.pk), actor=manager)
    task = make_task(campaign, planner, start=(2026, 11, 24), finish=(2026, 11, 30))
    Task.objects.filter(pk=task.pk).update(planned_finish=D(2026, 12, 4))
    org = Organization.current()
    org.approval_levels = []  # no approval: submitting applies the change at once
    org.save()

    request = changes.change_request_create(
        campaign=Campaign.objects.get(pk=campaign.pk),
        actor=writer,
        kind="dates",
        reason="The gift boxes arrive late.",
        proposed={
            "start_date": campaign.start_date.isoformat(),
            "end_date": (campaign.end_date + dt.timedelta(days=7)).isoformat(),
        },
    )
    changes.change_request_submit(change_request=request, actor=writer)

    task.refresh_from_db()
    assert (task.baseline_start, task.baseline_finish) == (D(2026, 11, 24), D(2026, 12, 4))
    assert AuditEvent.objects.filter(verb="baseline.frozen", actor=writer).exists()
