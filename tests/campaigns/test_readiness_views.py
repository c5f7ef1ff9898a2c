"""The Readiness tab: automatic items live, manual items ticked and waived with htmx."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaignflow.campaigns import readiness
from campaignflow.campaigns.models import CampaignMember, ReadinessItem
from campaignflow.campaigns.services import campaign_transition
from tests.factories import UserFactory
from tests.web.helpers import HTMX

pytestmark = pytest.mark.django_db
SEED_ITEMS = (
    "smart_goals",
    "budget",
    "team",
    "target_audience",
    "journey_content",
    "tools_tracking",
    "raci_timeline",
    "kpis",
)


@pytest.fixture(autouse=True)
def seed_items_only(monkeypatch):
    monkeypatch.setattr(readiness, "CHECKS", {key: readiness.CHECKS[key] for key in SEED_ITEMS})


@pytest.fixture
def pm(marketing, campaign):
    user = UserFactory(username="pm", department=marketing, roles=["member"])
    CampaignMember.objects.create(campaign=campaign, user=user, role="project_manager")
    return user


@pytest.fixture
def preparing(campaign, planner, dept_head, manager):
    campaign_transition(campaign=campaign, actor=planner, action="submit")
    campaign_transition(campaign=campaign, actor=dept_head, action="approve")
    campaign_transition(campaign=campaign, actor=manager, action="approve")
    campaign_transition(campaign=campaign, actor=planner, action="start_preparation")
    return campaign


def page(campaign) -> str:
    return reverse("campaigns:readiness", args=[campaign.pk])


def press(client, campaign, key, op, htmx=True, **data):
    return client.post(
        reverse("campaigns:readiness_item", args=[campaign.pk, key]),
        {"op": op, **data},
        headers=HTMX if htmx else {},
    )


def test_the_tab_shows_every_item_with_its_live_state(client, preparing, pm):
    client.force_login(pm)

    response = client.get(page(preparing))

    assert response.status_code == 200
    assert [(row.key, row.state) for row in response.context["rows"]] == [
        ("smart_goals", "done"),
        ("budget", "done"),
        ("team", "open"),
        ("target_audience", "done"),
        ("journey_content", "open"),
        ("tools_tracking", "open"),
        ("raci_timeline", "open"),
        ("kpis", "done"),
    ]
    html = response.content.decode()
    assert 'aria-current="page">Readiness</a>' in html
    assert "4 items open" in html
    assert "No team member with a group" in html
    assert response.context["can_tick"] is True
    assert response.context["can_waive"] is False


def test_ticking_an_item_refreshes_the_checklist_and_its_summary(client, preparing, pm):
    client.force_login(pm)

    response = press(client, preparing, "journey_content", "check", note="Content plan v3")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<div id="readiness-body">' in html and "<html" not in html
    assert '<tr id="readiness-journey_content" class="readiness-done">' in html
    assert "Content plan v3" in html
    assert "3 items open" in html
    item = ReadinessItem.objects.get(key="journey_content")
    assert (item.checked_by, item.note) == (pm, "Content plan v3")


def test_a_waiver_by_the_project_manager_is_refused_in_the_row(client, preparing, pm):
    client.force_login(pm)

    response = press(client, preparing, "journey_content", "waive", reason="no time")

    assert response.status_code == 403
    assert "Only the campaign owner may waive a checklist item." in response.content.decode()
    assert not ReadinessItem.objects.exists()


def test_the_owner_waives_with_a_reason(client, preparing, planner):
    client.force_login(planner)

    response = press(client, preparing, "tools_tracking", "waive", reason="")
    assert response.status_code == 422
    assert not ReadinessItem.objects.filter(waived=True).exists()

    response = press(client, preparing, "tools_tracking", "waive", htmx=False, reason="QR codes on site")
    assert response.status_code == 302
    item = ReadinessItem.objects.get(key="tools_tracking")
    assert (item.waived, item.waived_by, item.waiver_reason) == (True, planner, "QR codes on site")


def test_launch_from_the_tab_reports_what_is_missing(client, preparing, planner):
    client.force_login(planner)

    response = client.post(reverse("campaigns:action", args=[preparing.pk, "launch"]), {}, headers=HTMX)

    assert response.status_code == 409
    assert "Cannot launch yet" in response.content.decode()
    preparing.refresh_from_db()
    assert preparing.status == "preparing"


def test_an_outsider_gets_404(client, preparing, outsider):
    client.force_login(outsider)

    assert client.get(page(preparing)).status_code == 404
    assert press(client, preparing, "journey_content", "check").status_code == 404
    assert not ReadinessItem.objects.exists()
