"""The execution API: tasks, dependencies, RACI, Gantt, my tasks, meetings, log and the export."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from openpyxl import load_workbook

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns.models import Campaign, Risk
from campaignflow.execution.models import Task, TaskDependency
from tests.factories import CampaignFactory

from .conftest import make_task

pytestmark = pytest.mark.django_db
JSON = "application/json"


def post(client, url, body=None):
    return client.post(url, body or {}, content_type=JSON)


def patch(client, url, body):
    return client.patch(url, body, content_type=JSON)


# --- tasks --------------------------------------------------------------------------------------


def test_it_lists_tasks_with_the_contract_fields_and_derived_status(
    client, campaign, planner, doer, marketing
):
    task = make_task(
        campaign,
        doer,
        name="物料设计定稿",
        start=(2026, 11, 10),
        finish=(2026, 11, 20),
        status="in_progress",
        delay_reason="设计返工",
        collaborating_department=marketing,
    )
    client.force_login(planner)

    response = client.get(f"/api/v1/campaigns/{campaign.pk}/tasks")

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": task.pk,
            "campaign": campaign.pk,
            "name": "物料设计定稿",
            "owner": doer.pk,
            "owner_name": "doer",
            "collaborating_department": marketing.pk,
            "collaborating_department_name": "Marketing",
            "planned_start": "2026-11-10",
            "planned_finish": "2026-11-20",
            "actual_start": None,
            "actual_finish": None,
            "baseline_start": None,
            "baseline_finish": None,
            "status": "delayed",
            "status_label": "Delayed",
            "work_status": "in_progress",
            "days_late": 3,
            "delay_reason": "设计返工",
            "is_milestone": False,
            "checklist": [],
            "order": 0,
            "depends_on": [],
        }
    ]


def test_it_creates_a_task_with_dependencies_and_a_checklist(client, campaign, planner, doer):
    design = make_task(campaign, doer, name="Design")
    client.force_login(planner)

    response = post(
        client,
        f"/api/v1/campaigns/{campaign.pk}/tasks",
        {
            "name": "Print posters",
            "owner": doer.pk,
            "planned_start": "2026-11-25",
            "planned_finish": "2026-11-28",
            "depends_on": [design.pk],
            "checklist": [{"text": "Proof signed"}, {"text": "  "}],
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["depends_on"], body["checklist"]) == (
        "todo",
        [design.pk],
        [{"text": "Proof signed", "done": False}],
    )
    assert Task.objects.get(pk=body["id"]).order == 10


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"owner": "outsider"}, "owner"),
        ({"planned_finish": "2026-11-20"}, "planned_finish"),
        ({"planned_start": "someday"}, "planned_start"),
        ({"name": ""}, "name"),
        ({"status": "delayed"}, "status"),
        ({"depends_on": [987654]}, "depends_on"),
        ({"collaborating_department": 987654}, "collaborating_department"),
    ],
)
def test_it_refuses_a_bad_task_and_writes_nothing(client, campaign, planner, outsider, body, field):
    client.force_login(planner)
    if body.get("owner") == "outsider":
        body = {"owner": outsider.pk}
    events = AuditEvent.objects.count()

    response = post(
        client,
        f"/api/v1/campaigns/{campaign.pk}/tasks",
        {"name": "x", "planned_start": "2026-11-24", "planned_finish": "2026-11-25"} | body,
    )

    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    assert (Task.objects.count(), AuditEvent.objects.count()) == (0, events)


def test_a_dependency_cycle_is_a_422_naming_it(client, campaign, planner):
    a, b = make_task(campaign, planner, name="A"), make_task(campaign, planner, name="B")
    TaskDependency.objects.create(task=b, depends_on=a)
    client.force_login(planner)

    response = post(client, f"/api/v1/tasks/{a.pk}/dependencies", {"depends_on": b.pk})

    assert response.status_code == 422
    assert response.json()["detail"] == "These dependencies would form a cycle: B → A → B"
    assert TaskDependency.objects.count() == 1


def test_a_dependency_on_another_campaign_is_a_422(client, campaign, planner, marketing):
    foreign = make_task(CampaignFactory(owner=planner, department=marketing), planner)
    task = make_task(campaign, planner)
    client.force_login(planner)

    response = patch(client, f"/api/v1/tasks/{task.pk}", {"depends_on": [foreign.pk]})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "depends_on"


def test_dependencies_are_listed_added_and_removed(client, campaign, planner):
    a, b = make_task(campaign, planner, name="A"), make_task(campaign, planner, name="B")
    client.force_login(planner)

    assert post(client, f"/api/v1/tasks/{b.pk}/dependencies", {"depends_on": a.pk}).status_code == 201
    assert client.get(f"/api/v1/tasks/{b.pk}/dependencies").json() == [
        {"task": b.pk, "depends_on": a.pk, "depends_on_name": "A"}
    ]
    assert client.delete(f"/api/v1/tasks/{b.pk}/dependencies/{a.pk}").status_code == 204
    assert TaskDependency.objects.count() == 0


def test_the_task_owner_reports_progress_but_cannot_reschedule(client, campaign, doer):
    task = make_task(campaign, doer, finish=(2026, 11, 20))
    client.force_login(doer)

    late = patch(client, f"/api/v1/tasks/{task.pk}", {"status": "done"})
    done = patch(client, f"/api/v1/tasks/{task.pk}", {"status": "done", "delay_reason": "打样返工"})
    moved = patch(client, f"/api/v1/tasks/{task.pk}", {"planned_finish": "2026-12-20"})

    assert (late.status_code, late.json()["errors"][0]["field"]) == (422, "delay_reason")
    assert done.status_code == 200
    assert (
        done.json()["status"],
        done.json()["work_status"],
        done.json()["actual_finish"],
        done.json()["days_late"],
    ) == (
        "delayed",
        "done",
        "2026-11-23",
        3,
    )
    assert moved.status_code == 403
    assert Task.objects.get(pk=task.pk).planned_finish == dt.date(2026, 11, 20)


def test_an_outsider_gets_404_for_everything(client, campaign, planner, outsider):
    task = make_task(campaign, planner)
    client.force_login(outsider)

    for url in (
        f"/api/v1/campaigns/{campaign.pk}/tasks",
        f"/api/v1/tasks/{task.pk}",
        f"/api/v1/campaigns/{campaign.pk}/gantt",
        f"/api/v1/tasks/{task.pk}/raci",
        f"/api/v1/campaigns/{campaign.pk}/meetings",
        f"/api/v1/campaigns/{campaign.pk}/log",
        f"/api/v1/campaigns/{campaign.pk}/reports/tasks?format=xlsx",
    ):
        assert client.get(url).status_code == 404, url
    assert patch(client, f"/api/v1/tasks/{task.pk}", {"name": "mine"}).status_code == 404
    assert client.delete(f"/api/v1/tasks/{task.pk}").status_code == 404
    assert Task.objects.get().name == "Poster design"


def test_an_archived_campaign_is_409(client, campaign, planner):
    task = make_task(campaign, planner)
    Campaign.objects.filter(pk=campaign.pk).update(status="archived")
    client.force_login(planner)

    response = patch(client, f"/api/v1/tasks/{task.pk}", {"name": "late change"})

    assert response.status_code == 409
    assert response.json()["code"] == "campaign_closed"


def test_it_proposes_the_standard_tasks(client, campaign, planner):
    Campaign.objects.filter(pk=campaign.pk).update(template="holiday_promotion")
    client.force_login(planner)

    first = post(client, f"/api/v1/campaigns/{campaign.pk}/tasks/propose")
    second = post(client, f"/api/v1/campaigns/{campaign.pk}/tasks/propose")

    assert first.status_code == 201
    names = [task["name"] for task in first.json()["created"]]
    assert "Material samples confirmed (T-3)" in names
    assert len(names) == 9
    assert second.json() == {"created": []}


def test_raci_warns_unless_exactly_one_person_is_accountable(client, campaign, planner, doer):
    task = make_task(campaign, doer)
    client.force_login(planner)

    post(client, f"/api/v1/tasks/{task.pk}/raci", {"user": doer.pk, "role": "R"})
    without = client.get(f"/api/v1/tasks/{task.pk}/raci").json()
    post(client, f"/api/v1/tasks/{task.pk}/raci", {"user": planner.pk, "role": "A"})
    with_a = client.get(f"/api/v1/tasks/{task.pk}/raci").json()

    assert without["warning"] == "No one is accountable (A)."
    assert with_a == {
        "task": task.pk,
        "entries": [
            {"user": planner.pk, "username": "planner", "user_name": "planner", "role": "A"},
            {"user": doer.pk, "username": "doer", "user_name": "doer", "role": "R"},
        ],
        "warning": "",
    }
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/raci").json() == [with_a]


# --- Gantt --------------------------------------------------------------------------------------


def test_the_gantt_gives_cpm_dates_slack_and_the_critical_path(client, campaign, planner):
    design = make_task(campaign, planner, name="Design", start=(2026, 12, 1), finish=(2026, 12, 3))  # 3 days
    copy = make_task(campaign, planner, name="Copy", start=(2026, 12, 1), finish=(2026, 12, 1))  # 1 day
    launch = make_task(
        campaign,
        planner,
        name="Launch",
        start=(2026, 12, 4),
        finish=(2026, 12, 4),
        is_milestone=True,
        baseline_start=dt.date(2026, 12, 3),
        baseline_finish=dt.date(2026, 12, 3),
    )
    TaskDependency.objects.create(task=launch, depends_on=design)
    TaskDependency.objects.create(task=launch, depends_on=copy)
    client.force_login(planner)

    body = client.get(f"/api/v1/campaigns/{campaign.pk}/gantt").json()

    assert (body["project_start"], body["project_finish"], body["duration_days"]) == (
        "2026-12-01",
        "2026-12-03",
        3,
    )
    assert body["critical_path"] == [design.pk, launch.pk]
    rows = {row["name"]: row for row in body["tasks"]}
    assert {
        name: (
            r["earliest_start"],
            r["earliest_finish"],
            r["latest_start"],
            r["latest_finish"],
            r["slack_days"],
            r["critical"],
        )
        for name, r in rows.items()
    } == {
        "Design": ("2026-12-01", "2026-12-03", "2026-12-01", "2026-12-03", 0, True),
        "Copy": ("2026-12-01", "2026-12-01", "2026-12-03", "2026-12-03", 2, False),
        "Launch": ("2026-12-04", "2026-12-04", "2026-12-04", "2026-12-04", 0, True),
    }
    assert (rows["Launch"]["baseline_start"], rows["Launch"]["depends_on"]) == (
        "2026-12-03",
        sorted([design.pk, copy.pk]),
    )


def _add_tasks(campaign, owner, n):
    previous = None
    for i in range(n):
        task = make_task(campaign, owner, name=f"T{i}")
        if previous:
            TaskDependency.objects.create(task=task, depends_on=previous)
        previous = task


@pytest.mark.parametrize(
    "url", ["/api/v1/campaigns/{pk}/tasks", "/api/v1/campaigns/{pk}/gantt", "/api/v1/me/tasks"]
)
def test_list_apis_take_a_fixed_number_of_queries(
    client, campaign, planner, django_assert_max_num_queries, url
):
    url = url.format(pk=campaign.pk)
    _add_tasks(campaign, planner, 3)
    client.force_login(planner)
    client.get(url)

    with django_assert_max_num_queries(8) as few:
        client.get(url)
    _add_tasks(campaign, planner, 30)
    with django_assert_max_num_queries(8) as many:
        response = client.get(url)

    assert len(response.json() if "gantt" not in url else response.json()["tasks"]) == 33
    assert len(many.captured_queries) == len(few.captured_queries)


def test_my_tasks_spans_campaigns_and_leaves_out_done_ones(client, campaign, planner, doer, marketing):
    other = CampaignFactory(owner=planner, department=marketing, name="Autumn")
    from campaignflow.campaigns.models import CampaignMember

    CampaignMember.objects.create(campaign=other, user=doer, role="member")
    make_task(campaign, doer, name="Late one", finish=(2026, 11, 21))
    make_task(other, doer, name="Next week", finish=(2026, 11, 30))
    make_task(other, doer, name="Finished", status="done", actual_finish=dt.date(2026, 11, 22))
    make_task(campaign, planner, name="Not mine")
    client.force_login(doer)

    open_ones = client.get("/api/v1/me/tasks").json()
    everything = client.get("/api/v1/me/tasks?include_done=true").json()

    assert [(t["name"], t["campaign_name"], t["status"]) for t in open_ones] == [
        ("Late one", "Spring tea launch", "delayed"),
        ("Next week", "Autumn", "todo"),
    ]
    assert len(everything) == 3


# --- meetings, log, export ----------------------------------------------------------------------------


def test_a_standup_is_recorded_with_its_prefill_and_an_action_item_becomes_a_task(
    client, campaign, planner, doer
):
    make_task(campaign, doer, name="Book slots", finish=(2026, 11, 21), delay_reason="排期冲突")
    client.force_login(planner)

    created = post(
        client, f"/api/v1/campaigns/{campaign.pk}/meetings", {"attendees": [doer.pk], "notes": "Slots late"}
    )
    meeting = created.json()
    item = post(
        client,
        f"/api/v1/meetings/{meeting['id']}/action-items",
        {"description": "Call the platform", "owner": doer.pk},
    )
    task = post(client, f"/api/v1/action-items/{item.json()['id']}/task")

    assert created.status_code == 201
    assert (meeting["kind"], meeting["date"], meeting["attendees"]) == ("standup", "2026-11-23", [doer.pk])
    assert [(i["name"], i["days_late"], i["delay_reason"]) for i in meeting["progress"]["late"]] == [
        ("Book slots", 2, "排期冲突")
    ]
    assert task.status_code == 201
    assert (task.json()["name"], task.json()["owner"]) == ("Call the platform", doer.pk)
    assert (
        client.get(f"/api/v1/meetings/{meeting['id']}").json()["action_items"][0]["task"] == task.json()["id"]
    )


def test_the_log_and_risk_activation(client, campaign, planner):
    risk = Risk.objects.get(campaign=campaign)
    client.force_login(planner)

    entry = post(
        client,
        f"/api/v1/campaigns/{campaign.pk}/log",
        {"kind": "decision", "description": "Move budget to Douyin"},
    )
    activated = post(client, f"/api/v1/risks/{risk.pk}/activate", {"result": "Livestream ran"})
    again = post(client, f"/api/v1/risks/{risk.pk}/activate")

    assert entry.status_code == 201
    assert (activated.status_code, activated.json()["kind"], activated.json()["risk"]) == (
        201,
        "contingency_activated",
        risk.pk,
    )
    assert again.status_code == 409
    assert [e["kind"] for e in client.get(f"/api/v1/campaigns/{campaign.pk}/log").json()] == [
        "contingency_activated",
        "decision",
    ]
    assert patch(client, f"/api/v1/log/{entry.json()['id']}", {"result": "Done"}).json()["result"] == "Done"


def test_the_table_2_report_comes_as_json_or_xlsx(client, campaign, planner):
    make_task(campaign, planner, name="Design")
    client.force_login(planner)

    as_json = client.get(f"/api/v1/campaigns/{campaign.pk}/reports/tasks")
    as_xlsx = client.get(f"/api/v1/campaigns/{campaign.pk}/reports/tasks?format=xlsx")
    as_pdf = client.get(f"/api/v1/campaigns/{campaign.pk}/reports/tasks?format=pdf")
    bad = client.get(f"/api/v1/campaigns/{campaign.pk}/reports/tasks?format=docx")

    [table] = as_json.json()["sections"][0]["tables"]
    first_column = table["columns"][0]["key"]
    assert [row[first_column] for row in table["rows"]] == ["Design"]
    assert as_xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(BytesIO(as_xlsx.content)).active["A3"].value == "Design"  # the seed form's layout
    assert as_pdf["Content-Type"] == "application/pdf" and as_pdf.content.startswith(b"%PDF")
    assert bad.status_code == 422


def test_my_calendar_urls_are_private_and_work(client, planner):
    client.force_login(planner)

    body = client.get("/api/v1/me/calendar").json()

    assert body["personal_url"].startswith("http://testserver/execution/calendar/")
    assert client.get(body["personal_url"].replace("http://testserver", "")).status_code == 200
