"""Execution pages: task table with inline htmx edits, Gantt, board, RACI, meetings, log, my tasks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from campaignflow.campaigns.models import Campaign, Risk
from campaignflow.execution.models import LogEntry, Meeting, Task, TaskDependency, TaskRaci
from tests.web.helpers import HTMX

from .conftest import make_task

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"execution:{name}", args=args)


@pytest.fixture
def tasks(campaign, planner, doer):
    design = make_task(
        campaign,
        doer,
        name="物料设计定稿",
        start=(2026, 11, 10),
        finish=(2026, 11, 20),
        status="in_progress",
        delay_reason="设计返工",
    )
    launch = make_task(
        campaign, planner, name="活动启动", start=(2026, 12, 1), finish=(2026, 12, 1), is_milestone=True
    )
    TaskDependency.objects.create(task=launch, depends_on=design)
    return design, launch


def test_the_task_table_shows_table_2_with_the_derived_status(client, campaign, planner, tasks):
    client.force_login(planner)

    response = client.get(url("tasks", campaign.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert "物料设计定稿" in html and "设计返工" in html
    assert "Delayed +3 days" in html
    assert 'class="campaign-tabs' in html and ">Gantt</a>" in html
    assert "Add a task" in html


def test_a_viewer_sees_the_table_without_edit_buttons(client, campaign, viewer, tasks):
    client.force_login(viewer)

    html = client.get(url("tasks", campaign.pk)).content.decode()

    assert "物料设计定稿" in html
    assert "Add a task" not in html and "?edit=1" not in html


def test_the_task_owner_edits_progress_inline_with_htmx(client, campaign, doer, tasks):
    design, _launch = tasks
    client.force_login(doer)

    form = client.get(url("task", campaign.pk, design.pk) + "?edit=1", headers=HTMX)
    saved = client.post(
        url("task", campaign.pk, design.pk),
        {
            f"t{design.pk}-status": "done",
            f"t{design.pk}-actual_finish": "2026-11-22",
            f"t{design.pk}-delay_reason": "设计返工",
        },
        headers=HTMX,
    )

    assert f'name="t{design.pk}-planned_start"' not in form.content.decode()  # progress only
    assert saved.status_code == 200
    assert saved.content.decode().lstrip().startswith(f'<tr id="task-{design.pk}"')
    design.refresh_from_db()
    assert (design.status, design.actual_finish) == ("done", dt.date(2026, 11, 22))


def test_a_late_task_without_a_reason_comes_back_with_the_message_under_the_field(
    client, campaign, doer, tasks
):
    design, _launch = tasks
    client.force_login(doer)

    response = client.post(
        url("task", campaign.pk, design.pk),
        {f"t{design.pk}-status": "in_progress", f"t{design.pk}-delay_reason": ""},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert "This task is 3 day(s) late: give a delay reason." in response.content.decode()
    design.refresh_from_db()
    assert design.delay_reason == "设计返工"


def test_a_manager_adds_a_task_and_proposes_the_standard_ones(client, campaign, planner, doer):
    Campaign.objects.filter(pk=campaign.pk).update(template="online_offline")
    client.force_login(planner)

    added = client.post(
        url("tasks", campaign.pk),
        {
            "new-name": "Venue walk-through",
            "new-owner": doer.pk,
            "new-planned_start": "2026-11-25",
            "new-planned_finish": "2026-11-26",
            "new-status": "todo",
        },
    )
    proposed = client.post(url("propose", campaign.pk))

    assert added.status_code == 302
    assert proposed.status_code == 302
    assert Task.objects.filter(campaign=campaign).count() == 10
    assert Task.objects.get(name="Venue walk-through").owner == doer


def test_the_outsider_gets_404_on_every_page(client, campaign, outsider, tasks):
    design, _launch = tasks
    client.force_login(outsider)

    for page in ("tasks", "gantt", "board", "raci", "meetings", "log"):
        assert client.get(url(page, campaign.pk)).status_code == 404, page
    assert (
        client.post(url("task", campaign.pk, design.pk), {f"t{design.pk}-status": "done"}).status_code == 404
    )


def test_the_gantt_page_draws_baseline_planned_actual_and_the_critical_path(client, campaign, planner, tasks):
    client.force_login(planner)

    response = client.get(url("gantt", campaign.pk))

    html = response.content.decode()
    figure = response.context["figure"]
    assert [trace["name"] for trace in figure["data"]] == ["Baseline", "Planned", "Actual", "Milestone"]
    # Design finishes on day 11 but the launch waits for its planned day 22: design has slack.
    assert figure["data"][1]["marker"]["color"] == ["#1f5fbf", "#c0362c"]
    assert response.context["critical_names"] == ["活动启动"]
    assert figure["data"][2]["base"] == ["2026-11-10"]  # actual bar of the task in progress
    assert figure["data"][3]["x"] == ["2026-12-01"]
    assert f'src="/execution/assets/plotly-{__import__("plotly").__version__}.min.js"' in html
    assert 'id="gantt-figure" type="application/json"' in html
    assert "cdn" not in html.lower()


def test_plotly_is_served_from_the_installed_package_with_long_caching(client):
    import plotly

    response = client.get(url("plotly_js", plotly.__version__))
    again = client.get(url("plotly_js", plotly.__version__), headers={"If-None-Match": response["ETag"]})

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.content.startswith(b"/**") and len(response.content) > 1_000_000
    assert again.status_code == 304
    assert client.get(url("plotly_js", "0.0.1")).status_code == 404


def test_the_board_groups_cards_by_status_and_moves_one(client, campaign, planner, tasks):
    _design, launch = tasks
    client.force_login(planner)

    columns = {
        status: [t.name for t in cards]
        for status, _label, cards in client.get(url("board", campaign.pk)).context["columns"]
    }
    moved = client.post(url("board_move", campaign.pk, launch.pk), {"status": "in_progress"})

    assert columns["delayed"] == ["物料设计定稿"] and columns["todo"] == ["活动启动"]
    assert moved.status_code == 302
    assert Task.objects.get(pk=launch.pk).status == "in_progress"


def test_the_raci_matrix_sets_a_cell_in_place(client, campaign, planner, doer, tasks):
    design, _launch = tasks
    client.force_login(planner)

    page = client.get(url("raci", campaign.pk))
    cell = client.post(url("raci_cell", campaign.pk, design.pk, doer.pk), {"role": "R"}, headers=HTMX)

    assert "No one is accountable (A)." in page.content.decode()
    assert cell.status_code == 200
    assert f'id="raci-{design.pk}-{doer.pk}"' in cell.content.decode()
    assert TaskRaci.objects.get(task=design).role == "R"
    client.post(url("raci_cell", campaign.pk, design.pk, doer.pk), {"role": ""}, headers=HTMX)
    assert not TaskRaci.objects.exists()


def test_meetings_and_log_pages(client, campaign, planner, doer, tasks):
    client.force_login(planner)

    preview = client.get(url("meetings", campaign.pk))
    recorded = client.post(
        url("meetings", campaign.pk),
        {"kind": "standup", "date": "2026-11-23", "attendees": [doer.pk], "notes": "ok"},
    )
    meeting = Meeting.objects.get()
    detail = client.get(url("meeting", meeting.pk))
    logged = client.post(url("log", campaign.pk), {"kind": "issue", "description": "Poster misprint"})
    activated = client.post(url("risk_activate", Risk.objects.get(campaign=campaign).pk))

    assert "物料设计定稿" in preview.content.decode()
    assert recorded.status_code == 302
    assert "设计返工" in detail.content.decode()
    assert (logged.status_code, activated.status_code) == (302, 302)
    assert sorted(LogEntry.objects.values_list("kind", flat=True)) == ["contingency_activated", "issue"]


def test_my_tasks_lists_late_first_and_the_calendar_address(client, campaign, doer, tasks):
    client.force_login(doer)

    response = client.get(url("my_tasks"))

    assert [t.name for t in response.context["late"]] == ["物料设计定稿"]
    assert "/execution/calendar/" in response.content.decode()
    assert 'href="/execution/my-tasks/"' in response.content.decode()  # the nav link


@pytest.mark.parametrize(("name", "limit"), [("tasks", 16), ("gantt", 14), ("board", 14)])
def test_pages_take_a_fixed_number_of_queries(
    client, campaign, planner, doer, django_assert_max_num_queries, name, limit
):
    def add(n):
        for i in range(n):
            make_task(campaign, doer if i % 2 else planner, name=f"T{Task.objects.count()}")

    add(3)
    client.force_login(planner)
    client.get(url(name, campaign.pk))
    with django_assert_max_num_queries(limit) as few:
        client.get(url(name, campaign.pk))
    add(30)
    with django_assert_max_num_queries(limit) as many:
        client.get(url(name, campaign.pk))

    assert len(many.captured_queries) == len(few.captured_queries)


def test_my_tasks_page_takes_a_fixed_number_of_queries(client, campaign, doer, django_assert_max_num_queries):
    make_task(campaign, doer)
    client.force_login(doer)
    client.get(url("my_tasks"))
    with django_assert_max_num_queries(10) as few:
        client.get(url("my_tasks"))
    for i in range(20):
        make_task(campaign, doer, name=f"T{i}")
    with django_assert_max_num_queries(10) as many:
        client.get(url("my_tasks"))

    assert len(many.captured_queries) == len(few.captured_queries)


def test_pages_require_sign_in(campaign):
    anonymous = Client()
    for page in ("tasks", "gantt", "board", "raci", "meetings", "log"):
        assert anonymous.get(url(page, campaign.pk)).status_code == 302
    assert anonymous.get(url("my_tasks")).status_code == 302
