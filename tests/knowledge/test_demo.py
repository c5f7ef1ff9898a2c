"""The demo's knowledge base: the archived campaign's entry and the synthetic history, once."""

from __future__ import annotations

import pytest

from campaignflow.campaigns.choices import CampaignStatus
from campaignflow.campaigns.models import Campaign
from campaignflow.knowledge import demo, selectors
from campaignflow.knowledge.models import KnowledgeEntry

pytestmark = pytest.mark.django_db


def test_the_hook_freezes_archived_campaigns_and_loads_history_once(bank_campaign, planner, analyst):
    Campaign.objects.filter(pk=bank_campaign.pk).update(status=CampaignStatus.ARCHIVED)
    users = {"zhang.planner": planner}

    demo.before_action(campaign=bank_campaign, action="submit", users=users)
    demo.before_action(campaign=bank_campaign, action="launch", users=users)

    assert KnowledgeEntry.objects.filter(campaign=bank_campaign).count() == 1
    history = KnowledgeEntry.objects.filter(is_history=True)
    assert history.count() == len(demo.HISTORY)
    assert all(entry.snapshot["history"] is True and entry.campaign is None for entry in history)
    assert [e.name for e in selectors.entry_search(user=analyst, query="双十一").entries] == [
        "2024年双十一大促"
    ]
    benchmarks = {b.channel: b for b in selectors.channel_benchmarks(user=analyst)}
    assert benchmarks["天猫旗舰店"].campaigns == 3


def test_the_hook_does_nothing_without_the_demo_users(bank_campaign):
    demo.before_action(campaign=bank_campaign, action="submit", users={})
    assert not KnowledgeEntry.objects.exists()
