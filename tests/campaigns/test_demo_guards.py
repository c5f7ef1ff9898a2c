"""The demo on a database of its own: what it does when a guard refuses a step or an admin exists.

These build the demo themselves, so they live apart from the modules that share one demo build.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import authenticate

from campaignflow.accounts.models import Organization, User
from campaignflow.campaigns import demo, readiness
from campaignflow.campaigns.lifecycle import GUARDS
from campaignflow.campaigns.models import Campaign

TODAY = dt.date(2026, 11, 23)
LIVE = "2026年秋季新品上市：桂花乌龙"


def by_name(name: str) -> Campaign:
    return Campaign.objects.get(name=name)


def test_a_refused_transition_leaves_the_campaign_where_it_got_to(db, monkeypatch):
    # Later apps add guards (the readiness checklist before launch); the demo must not crash then.
    monkeypatch.setitem(GUARDS, "launch", [lambda campaign: ["readiness checklist incomplete"]])

    result = demo.demo_load(today=TODAY)

    assert by_name("2026年秋季新品上市：桂花乌龙").status == "preparing"
    assert by_name("2026年618年中大促").status == "preparing"
    assert len(result.warnings) == 4
    assert "readiness checklist incomplete" in result.warnings[0]
    assert Organization.current().name == demo.ORG_NAME


def test_an_existing_admin_is_kept_as_it_is(admin_user):
    demo.demo_load(today=TODAY)

    admin = User.objects.get(username="admin")
    assert admin.pk == admin_user.pk
    assert authenticate(username="admin", password=demo.DEMO_PASSWORD) is None
    assert User.objects.filter(username="zhang.planner").exists()


def test_the_hooks_leave_launch_to_its_guards(db, monkeypatch):
    # given another app's guard that blocks every launch
    monkeypatch.setitem(GUARDS, "launch", [lambda campaign: ["tasks missing"]])

    result = demo.demo_load(today=TODAY)

    # then only that guard is reported, and the live campaign's checklist and change were still made
    assert len(result.warnings) == 4
    assert all("tasks missing" in warning for warning in result.warnings)
    campaign = Campaign.objects.get(name=LIVE)
    assert campaign.status == "preparing"
    assert campaign.change_requests.get().status == "applied"
    assert readiness.readiness_guard(campaign) == []
