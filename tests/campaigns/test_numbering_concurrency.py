"""Registration numbers stay unique and gapless when approvals race (threads, real transactions)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.utils import timezone

from campaignflow.campaigns.models import Approval, Campaign, RegistrationRecord
from campaignflow.campaigns.services import campaign_transition
from campaignflow.core.errors import ApplicationError
from tests.factories import CampaignFactory, ready_plan

pytestmark = pytest.mark.django_db(transaction=True)


def _race(work: list, actor) -> list:
    """Run each campaign's final approval in its own thread, released at the same instant."""
    barrier = threading.Barrier(len(work))
    outcomes: list = []

    def approve(campaign):
        try:
            barrier.wait()
            campaign_transition(campaign=campaign, actor=actor, action="approve")
            outcomes.append("ok")
        except ApplicationError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(c,)) for c in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _at_level_two(planner, dept_head, marketing, n):
    campaigns = []
    for _ in range(n):
        c = ready_plan(CampaignFactory(owner=planner, department=marketing))
        campaign_transition(campaign=c, actor=planner, action="submit")
        campaign_transition(campaign=c, actor=dept_head, action="approve")
        campaigns.append(c)
    return campaigns


def test_concurrent_final_approvals_get_gapless_unique_numbers(planner, dept_head, manager, marketing):
    campaigns = _at_level_two(planner, dept_head, marketing, 8)

    outcomes = _race(campaigns, manager)

    assert outcomes == ["ok"] * 8
    year = timezone.localdate().year
    numbers = sorted(Campaign.objects.values_list("number", flat=True))
    assert numbers == [f"MC-{year}-{i:04d}" for i in range(1, 9)]
    assert sorted(RegistrationRecord.objects.values_list("sequence", flat=True)) == list(range(1, 9))


def test_two_approvers_acting_at_the_same_instant_give_one_outcome(planner, dept_head, manager, marketing):
    from tests.factories import UserFactory

    second_manager = UserFactory(username="manager2", department=marketing, roles=["management"])
    (campaign,) = _at_level_two(planner, dept_head, marketing, 1)
    barrier = threading.Barrier(2)
    outcomes: list = []

    def approve(actor):
        try:
            barrier.wait()
            campaign_transition(campaign=campaign, actor=actor, action="approve")
            outcomes.append("ok")
        except ApplicationError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(a,)) for a in (manager, second_manager)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["invalid_transition", "ok"]
    assert Approval.objects.filter(campaign=campaign, level=2).count() == 1
    assert RegistrationRecord.objects.count() == 1
