"""The approval inbox and its inline (htmx) decisions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns.models import Approval, RegistrationRecord
from tests.factories import CampaignFactory, ready_plan
from tests.web.helpers import HTMX, submit

pytestmark = pytest.mark.django_db


def decide(client, campaign, decision, comment="", htmx=True):
    return client.post(
        reverse("web:approval_decide", args=[campaign.pk, decision]),
        {f"c{campaign.pk}-comment": comment},
        headers=HTMX if htmx else {},
    )


def test_it_lists_plans_waiting_for_the_department_head(client, planner, dept_head, campaign):
    submit(campaign, planner)
    client.force_login(dept_head)

    response = client.get(reverse("web:approvals"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Spring tea launch" in html
    assert "100,000.00" in html
    assert "Level 1 · Department head" in html


def test_it_shows_an_empty_inbox_to_the_planner(client, planner, campaign):
    submit(campaign, planner)
    client.force_login(planner)

    response = client.get(reverse("web:approvals"))

    assert response.status_code == 200
    assert response.context["rows"] == []


def test_it_approves_at_both_levels_from_the_inbox(client, planner, dept_head, manager, campaign):
    submit(campaign, planner)

    client.force_login(dept_head)
    response = decide(client, campaign, "approve", "Targets are reasonable")
    assert response.status_code == 200
    assert "forwarded to the next level" in response.content.decode()
    assert 'id="nav-approvals-badge"' in response.content.decode()  # refreshed out of band
    campaign.refresh_from_db()
    assert (campaign.status, campaign.approval_level) == ("in_review", 2)

    client.force_login(manager)
    assert [row["campaign"].pk for row in client.get(reverse("web:approvals")).context["rows"]] == [
        campaign.pk
    ]
    response = decide(client, campaign, "approve")

    assert response.status_code == 200
    campaign.refresh_from_db()
    assert campaign.status == "approved"
    assert campaign.number.startswith("MC-")
    assert f"Approved and registered as {campaign.number}" in response.content.decode()
    assert RegistrationRecord.objects.filter(campaign=campaign).count() == 1
    assert list(
        Approval.objects.filter(campaign=campaign).values_list("level", "actor__username", "comment")
    ) == [
        (1, "dept_head", "Targets are reasonable"),
        (2, "manager", ""),
    ]


def test_it_refuses_a_rejection_without_comment_and_changes_nothing(client, planner, dept_head, campaign):
    submit(campaign, planner)
    events_before = AuditEvent.objects.count()
    client.force_login(dept_head)

    response = decide(client, campaign, "reject", "   ")

    assert response.status_code == 422
    html = response.content.decode()
    assert "Say why the plan is rejected." in html
    assert 'class="field-error"' in html
    campaign.refresh_from_db()
    assert (campaign.status, campaign.approval_level, campaign.revision) == ("in_review", 1, 1)
    assert not Approval.objects.filter(campaign=campaign).exists()
    assert AuditEvent.objects.count() == events_before


def test_it_rejects_with_a_comment_from_the_inbox(client, planner, dept_head, campaign):
    submit(campaign, planner)
    client.force_login(dept_head)

    response = decide(client, campaign, "reject", "Contingency note missing")

    assert response.status_code == 200
    assert "sent back to the planner" in response.content.decode()
    campaign.refresh_from_db()
    assert (campaign.status, campaign.revision) == ("draft", 2)
    assert Approval.objects.get(campaign=campaign).comment == "Contingency note missing"


def test_it_redirects_back_to_the_inbox_without_htmx(client, planner, dept_head, campaign):
    submit(campaign, planner)
    client.force_login(dept_head)

    response = decide(client, campaign, "approve", htmx=False)

    assert response.status_code == 302
    assert response.url == reverse("web:approvals")


def test_it_renders_the_inbox_with_the_error_without_htmx(client, planner, dept_head, campaign):
    submit(campaign, planner)
    client.force_login(dept_head)

    response = decide(client, campaign, "reject", htmx=False)

    assert response.status_code == 422
    assert "Say why the plan is rejected." in response.content.decode()
    assert "<html" in response.content.decode()


def test_it_answers_403_when_the_manager_decides_out_of_turn(client, planner, manager, campaign):
    submit(campaign, planner)
    client.force_login(manager)

    response = decide(client, campaign, "approve")

    assert response.status_code == 403
    assert "waiting for approval level 1" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.approval_level == 1


def test_it_answers_409_for_a_decision_on_a_draft(client, dept_head, campaign):
    client.force_login(dept_head)

    response = decide(client, campaign, "approve")

    assert response.status_code == 409
    campaign.refresh_from_db()
    assert campaign.status == "draft"


def test_it_is_404_for_the_outsider(client, planner, outsider, campaign):
    submit(campaign, planner)
    client.force_login(outsider)

    assert decide(client, campaign, "approve").status_code == 404
    campaign.refresh_from_db()
    assert campaign.approval_level == 1


def test_it_is_404_for_an_unknown_decision(client, planner, dept_head, campaign):
    submit(campaign, planner)
    client.force_login(dept_head)

    assert decide(client, campaign, "launch").status_code == 404


def test_it_only_accepts_posts(client, planner, dept_head, campaign):
    submit(campaign, planner)
    client.force_login(dept_head)

    assert client.get(reverse("web:approval_decide", args=[campaign.pk, "approve"])).status_code == 405


def test_the_inbox_query_count_does_not_grow_with_plans(
    client, planner, dept_head, marketing, django_assert_max_num_queries
):
    submit(ready_plan(CampaignFactory(owner=planner, department=marketing)), planner)
    client.force_login(dept_head)
    client.get(reverse("web:approvals"))

    with django_assert_max_num_queries(11) as few:
        client.get(reverse("web:approvals"))
    for _ in range(6):
        submit(ready_plan(CampaignFactory(owner=planner, department=marketing)), planner)
    with django_assert_max_num_queries(11) as many:
        response = client.get(reverse("web:approvals"))

    assert len(response.context["rows"]) == 7
    assert len(many.captured_queries) == len(few.captured_queries)
