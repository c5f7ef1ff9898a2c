"""The task breakdown item of the readiness checklist, read from the tasks and the RACI matrix."""

from __future__ import annotations

from campaignflow.campaigns import readiness
from campaignflow.execution import services

from .conftest import make_task


def problems(campaign) -> list[str]:
    row = next(row for row in readiness.evaluate(campaign) if row.key == "task_breakdown")
    return row.problems


def test_a_campaign_without_tasks_is_not_ready(campaign):
    assert problems(campaign) == ["No tasks yet: break the campaign into tasks on the Tasks tab."]


def test_each_task_needs_someone_accountable_and_the_plan_its_milestones(campaign, planner, doer):
    posters = make_task(campaign, doer, name="Print posters")
    stores = make_task(campaign, doer, name="Brief the stores")
    services.raci_set(task=posters, actor=planner, user=planner, role="A")
    campaign.milestones.all().delete()

    assert problems(campaign) == [
        "Nobody is accountable (A) for “Brief the stores” in the RACI matrix.",
        "The plan has no milestones: add the approval and launch timeline.",
    ]

    services.raci_set(task=stores, actor=planner, user=doer, role="A")
    campaign.milestones.create(name="Launch", date=campaign.start_date)
    assert problems(campaign) == []


def test_launch_is_refused_while_the_task_breakdown_is_incomplete(campaign, planner, doer):
    make_task(campaign, doer, name="Print posters")

    assert (
        "Tasks with someone accountable (Nobody is accountable (A) for “Print posters” in the RACI matrix)"
        in (readiness.readiness_guard(campaign))
    )
