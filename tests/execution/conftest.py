"""Personas for the execution tests, on top of tests/conftest.py.

planner     owner of the campaign (campaign-level role owner): manages tasks
pm          project manager of the campaign: manages tasks
doer        team member (物料组) who owns a task: reports progress on it only
viewer      campaign viewer: reads
dept_head   head of Marketing, not on the team: reads
outsider    Sales, not on the team: sees nothing (404)
"""

from __future__ import annotations

import datetime as dt

import pytest

from campaignflow.campaigns.models import CampaignMember
from campaignflow.execution.models import Task
from tests.factories import UserFactory

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """Freeze "today" (timezone.localdate) so late and due are exact in every test."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture
def pm(marketing, campaign):
    user = UserFactory(username="pm", department=marketing, roles=["member"])
    CampaignMember.objects.create(campaign=campaign, user=user, role="project_manager")
    return user


@pytest.fixture
def doer(marketing, campaign):
    user = UserFactory(username="doer", department=marketing, roles=["member"])
    CampaignMember.objects.create(campaign=campaign, user=user, role="member", group="物料组")
    return user


@pytest.fixture
def viewer(sales, campaign):
    user = UserFactory(username="viewer", department=sales, roles=["member"])
    CampaignMember.objects.create(campaign=campaign, user=user, role="viewer")
    return user


def make_task(
    campaign, owner, name="Poster design", start=(2026, 11, 20), finish=(2026, 11, 30), **extra
) -> Task:
    """A task written straight to the database (tests of reads and rules set up with it)."""
    return Task.objects.create(
        campaign=campaign,
        owner=owner,
        name=name,
        planned_start=dt.date(*start),
        planned_finish=dt.date(*finish),
        **extra,
    )
