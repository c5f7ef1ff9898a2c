"""Stand-ups prefilled from the task table, action items that become tasks, the execution log
and activating a risk's contingency plan."""

from __future__ import annotations

import datetime as dt

import pytest

from campaignflow.campaigns.models import Risk
from campaignflow.core.errors import Conflict, Forbidden, ValidationFailed
from campaignflow.execution import services
from campaignflow.execution.models import LogEntry, Meeting, Task

from .conftest import TODAY, make_task

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def table(campaign, planner, doer):
    """Done yesterday, due today, late by 3 with a reason, late by 1 without, and a later one."""
    return {
        "done": make_task(
            campaign,
            doer,
            name="Posters printed",
            finish=(2026, 11, 22),
            status="done",
            actual_finish=D(2026, 11, 22),
        ),
        "due": make_task(campaign, doer, name="Brief the KOLs", finish=(2026, 11, 23), status="in_progress"),
        "late": make_task(
            campaign, planner, name="Book Tmall slots", finish=(2026, 11, 20), delay_reason="平台排期冲突"
        ),
        "late2": make_task(campaign, doer, name="Train staff", finish=(2026, 11, 22)),
        "later": make_task(campaign, doer, name="Open the store", start=(2026, 12, 1), finish=(2026, 12, 2)),
    }


def test_a_standup_is_prefilled_with_done_due_and_late_tasks(campaign, planner, doer, table):
    meeting = services.meeting_create(
        campaign=campaign, actor=planner, attendees=[planner, doer], notes="Slots moved."
    )

    progress = meeting.progress
    assert (meeting.kind, meeting.date, progress["since"]) == ("standup", TODAY, "2026-11-16")
    assert [item["name"] for item in progress["done"]] == ["Posters printed"]
    assert [item["name"] for item in progress["due"]] == ["Brief the KOLs"]
    assert [(item["name"], item["days_late"], item["delay_reason"]) for item in progress["late"]] == [
        ("Book Tmall slots", 3, "平台排期冲突"),
        ("Train staff", 1, ""),
    ]
    assert sorted(meeting.attendees.values_list("username", flat=True)) == ["doer", "planner"]


def test_the_next_standup_reports_what_was_done_since_the_last_one(campaign, planner, table):
    services.meeting_create(campaign=campaign, actor=planner, date=D(2026, 11, 22))

    meeting = services.meeting_create(campaign=campaign, actor=planner, date=TODAY)

    assert meeting.progress["since"] == "2026-11-22"
    assert meeting.progress["done"] == []  # the posters were done on the 22nd, reported then


def test_a_weekly_meeting_looks_a_week_ahead(campaign, planner, table):
    meeting = services.meeting_create(campaign=campaign, actor=planner, kind="weekly")

    assert [item["name"] for item in meeting.progress["due"]] == ["Brief the KOLs"]
    assert meeting.get_kind_display() == "Weekly meeting"


def test_attendees_must_be_on_the_team(campaign, planner, outsider):
    with pytest.raises(ValidationFailed) as refused:
        services.meeting_create(campaign=campaign, actor=planner, attendees=[outsider])

    assert refused.value.errors[0].field == "attendees"
    assert Meeting.objects.count() == 0


def test_an_action_item_becomes_a_task_once(campaign, planner, doer):
    meeting = services.meeting_create(campaign=campaign, actor=planner)
    item = services.action_item_add(
        meeting=meeting,
        actor=planner,
        description="Backup livestream network",
        owner=doer,
        due=D(2026, 11, 26),
    )

    task = services.action_item_to_task(item=item, actor=planner)

    assert (task.name, task.owner, task.planned_start, task.planned_finish) == (
        "Backup livestream network",
        doer,
        TODAY,
        D(2026, 11, 26),
    )
    item.refresh_from_db()
    assert item.task == task
    with pytest.raises(Conflict):
        services.action_item_to_task(item=item, actor=planner)
    assert Task.objects.count() == 1


def test_team_members_write_in_the_log_and_viewers_may_not(campaign, doer, viewer):
    entry = services.log_entry_create(
        campaign=campaign,
        actor=doer,
        data={"kind": "issue", "description": "物料延迟到货", "handling": "启用备用供应商"},
    )

    assert (entry.kind, entry.author, entry.get_kind_display()) == ("issue", doer, "Issue")
    with pytest.raises(Forbidden):
        services.log_entry_create(campaign=campaign, actor=viewer, data={"description": "x"})
    services.log_entry_update(entry=entry, actor=doer, data={"result": "按时到货"})
    entry.refresh_from_db()
    assert entry.result == "按时到货"
    assert LogEntry.objects.count() == 1


def test_a_log_entry_may_only_link_a_risk_of_its_campaign(campaign, doer, marketing, planner):
    from tests.factories import CampaignFactory

    foreign = Risk.objects.create(
        campaign=CampaignFactory(owner=planner, department=marketing), description="x"
    )

    with pytest.raises(ValidationFailed) as refused:
        services.log_entry_create(campaign=campaign, actor=doer, data={"description": "x", "risk": foreign})

    assert refused.value.errors[0].field == "risk"


def test_activating_a_risk_logs_its_response_and_marks_it_occurred(campaign, planner):
    risk = Risk.objects.get(campaign=campaign)

    entry = services.risk_activate(risk=risk, actor=planner, result="Livestream drew 12k viewers")

    risk.refresh_from_db()
    assert risk.status == "occurred"
    assert (entry.kind, entry.risk, entry.description, entry.handling, entry.result) == (
        "contingency_activated",
        risk,
        "Rain cancels the pop-up",
        "Livestream instead",
        "Livestream drew 12k viewers",
    )
    with pytest.raises(Conflict):
        services.risk_activate(risk=risk, actor=planner)
    assert LogEntry.objects.count() == 1


def test_only_managers_activate_a_contingency_plan(campaign, doer):
    risk = Risk.objects.get(campaign=campaign)

    with pytest.raises(Forbidden):
        services.risk_activate(risk=risk, actor=doer)

    risk.refresh_from_db()
    assert (risk.status, LogEntry.objects.count()) == ("open", 0)
