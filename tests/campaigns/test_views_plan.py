"""The plan page (Table 1), its action buttons, approvals, registration record and history."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse

from campaignflow.accounts.models import Organization
from campaignflow.audit.models import AuditEvent
from campaignflow.campaigns import services
from campaignflow.campaigns.models import Approval, Milestone
from tests.web.helpers import HTMX, submit

pytestmark = pytest.mark.django_db


def detail(campaign) -> str:
    return reverse("campaigns:detail", args=[campaign.pk])


def act(client, campaign, action, comment="", htmx=True):
    return client.post(
        reverse("campaigns:action", args=[campaign.pk, action]),
        {"comment": comment},
        headers=HTMX if htmx else {},
    )


def actions(response) -> list[str]:
    return [button.action for button in response.context["actions"]]


@pytest.mark.parametrize("persona", ["planner", "dept_head", "manager", "finance", "analyst", "admin_user"])
def test_it_renders_the_plan_page_for_everyone_who_may_see_it(client, campaign, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(detail(campaign)).status_code == 200


def test_it_is_404_for_the_outsider(client, outsider, campaign):
    client.force_login(outsider)

    assert client.get(detail(campaign)).status_code == 404
    assert act(client, campaign, "submit").status_code == 404
    campaign.refresh_from_db()
    assert campaign.status == "draft"


def test_it_lays_the_plan_out_like_table_1(client, planner, campaign):
    Milestone.objects.create(campaign=campaign, name="Materials designed", date=dt.date(2026, 11, 20))
    client.force_login(planner)

    response = client.get(detail(campaign))

    html = response.content.decode()
    for heading in (
        "Campaign name",
        "Campaign number",
        "Plan owner",
        "Planning date",
        "Background and objectives",
        "Target audience",
        "Theme and format",
        "Execution flow and key dates",
        "Budget (CNY)",
        "Risks and responses",
        "Approval",
    ):
        assert heading in html, heading
    assert "Spring tea festival" in html
    assert "100,000.00" in html  # total
    assert "10,000.00" in html  # contingency line
    assert "10.0% of the total budget" in html
    assert html.index("Materials designed") < html.index("Launch")  # flow in date order
    assert "assigned on approval" in html


def test_it_offers_the_planner_submit_and_cancel_on_a_draft(client, planner, campaign):
    client.force_login(planner)

    response = client.get(detail(campaign))

    assert actions(response) == ["submit", "cancel"]
    assert response.context["can_edit"] is True


def test_it_offers_the_approver_of_the_current_level_approve_and_reject(
    client, planner, dept_head, manager, campaign
):
    submit(campaign, planner)

    client.force_login(dept_head)
    assert actions(client.get(detail(campaign))) == ["approve", "reject", "cancel"]

    client.force_login(manager)  # management may cancel, but level 2 is not yet theirs
    assert actions(client.get(detail(campaign))) == ["cancel"]

    client.force_login(planner)
    assert actions(client.get(detail(campaign))) == ["cancel"]


def test_it_offers_nothing_to_a_reader(client, finance, campaign):
    client.force_login(finance)

    response = client.get(detail(campaign))

    assert actions(response) == []
    assert 'id="campaign-actions"' not in response.content.decode()


def test_it_approves_at_both_levels_and_shows_the_registration_record(
    client, planner, dept_head, manager, campaign
):
    submit(campaign, planner)

    client.force_login(dept_head)
    response = act(client, campaign, "approve", "Targets are reasonable")
    assert response.status_code == 200
    assert response["HX-Redirect"] == detail(campaign)

    client.force_login(manager)
    act(client, campaign, "approve", "OK")

    campaign.refresh_from_db()
    assert campaign.status == "approved"
    response = client.get(detail(campaign))
    html = response.content.decode()
    assert response.context["registration"].number == campaign.number
    assert "Registration record" in html
    assert campaign.number in html
    rows = response.context["approval_rows"]
    assert [(row["role"], row["approval"].actor.username, row["approval"].comment) for row in rows] == [
        ("Department head", "dept_head", "Targets are reasonable"),
        ("Management", "manager", "OK"),
    ]
    assert actions(response) == ["cancel"]  # management may cancel; running is the owner's
    client.force_login(planner)
    assert actions(client.get(detail(campaign))) == ["start_preparation", "cancel"]


def test_it_refuses_a_rejection_without_comment_and_changes_nothing(client, planner, dept_head, campaign):
    submit(campaign, planner)
    events_before = AuditEvent.objects.count()
    client.force_login(dept_head)

    response = act(client, campaign, "reject", "")

    assert response.status_code == 422
    assert "Say why the plan is rejected." in response.content.decode()
    campaign.refresh_from_db()
    assert (campaign.status, campaign.approval_level, campaign.revision) == ("in_review", 1, 1)
    assert not Approval.objects.exists()
    assert AuditEvent.objects.count() == events_before


def test_it_rejects_with_a_comment_and_starts_a_new_revision(client, planner, dept_head, campaign):
    submit(campaign, planner)
    client.force_login(dept_head)

    act(client, campaign, "reject", "Explain the contingency")

    campaign.refresh_from_db()
    assert (campaign.status, campaign.revision) == ("draft", 2)
    client.force_login(planner)
    response = client.get(detail(campaign))
    # the approval box shows the current revision only; history keeps the rejection
    assert all(row["approval"] is None for row in response.context["approval_rows"])
    assert [a.comment for a in response.context["approvals"]] == ["Explain the contingency"]
    assert "Explain the contingency" in response.content.decode()


def test_it_requires_a_reason_to_cancel(client, planner, campaign):
    client.force_login(planner)

    refused = act(client, campaign, "cancel", "")
    campaign.refresh_from_db()
    assert (refused.status_code, campaign.status) == (422, "draft")

    act(client, campaign, "cancel", "Budget frozen")
    campaign.refresh_from_db()
    assert (campaign.status, campaign.cancel_reason) == ("cancelled", "Budget frozen")


def test_it_answers_403_to_an_action_the_user_may_not_take(client, finance, campaign):
    client.force_login(finance)

    response = act(client, campaign, "submit")

    assert response.status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == "draft"


def test_it_answers_409_to_an_action_from_the_wrong_state(client, planner, campaign):
    client.force_login(planner)

    response = act(client, campaign, "launch")

    assert response.status_code == 409
    assert "Cannot launch a campaign that is Draft." in response.content.decode()


def test_it_renders_the_error_page_without_htmx(client, planner, campaign):
    client.force_login(planner)

    response = act(client, campaign, "launch", htmx=False)

    assert response.status_code == 409
    assert "<html" in response.content.decode()


def test_it_redirects_to_the_plan_page_with_a_message_without_htmx(client, planner, campaign):
    client.force_login(planner)

    response = act(client, campaign, "submit", htmx=False)

    assert response.status_code == 302
    assert response.url == detail(campaign)
    assert "The plan was submitted for approval." in client.get(response.url).content.decode()


def test_it_is_404_for_an_unknown_action(client, planner, campaign):
    client.force_login(planner)

    assert act(client, campaign, "explode").status_code == 404


def test_it_shows_the_history_in_words_and_in_the_org_timezone(client, planner, dept_head, campaign):
    Organization.objects.update_or_create(
        pk=Organization.current().pk, defaults={"timezone": "America/New_York"}
    )
    services.plan_item_update(
        item=campaign.budget_lines.get(category="promotion"), actor=planner, data={"amount": Decimal("90000")}
    )
    submit(campaign, planner)
    services.campaign_transition(campaign=campaign, actor=dept_head, action="reject", comment="Too vague")
    event = AuditEvent.objects.get(verb="campaign.rejected")
    client.force_login(planner)

    html = client.get(detail(campaign)).content.decode()

    assert "changed a budget line" in html
    assert "submitted the plan for approval" in html
    assert "rejected the plan" in html
    assert "Too vague" in html
    new_york = event.at.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    assert new_york.strftime("%Y-%m-%d %H:%M") in html
