"""Web pages: the bell, the notification list (htmx), personal settings and the campaign's Integrations tab."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaignflow.campaigns.models import CampaignMember
from campaignflow.notifications.models import Notification, NotificationPreference, Webhook
from campaignflow.notifications.services import notify
from tests.factories import UserFactory
from tests.web.helpers import HTMX

from .conftest import make_webhook

pytestmark = pytest.mark.django_db

SLACK_URL = "https://hooks.slack.com/services/T000/B000/XXXXsecretTOKEN"


def tell(user, title="Approval requested: Spring tea launch", **kwargs):
    return notify(event="approval.requested", recipients=[user], title=title, **kwargs)[0]


def test_every_page_has_the_bell_which_loads_its_count_without_slowing_the_page(client, dept_head, campaign):
    tell(dept_head, campaign=campaign)
    tell(dept_head, title="Second")
    client.force_login(dept_head)

    page = client.get(reverse("web:dashboard")).content.decode()
    bell = client.get(reverse("notifications:bell"), headers=HTMX).content.decode()

    assert 'id="nav-bell"' in page
    assert 'hx-trigger="load"' in page
    assert '<span class="count-badge" hidden></span>' in page
    assert '<span class="count-badge">2</span>' in bell
    assert 'hx-trigger="every 60s"' in bell
    assert 'aria-label="Notifications: 2 unread"' in bell


def test_the_bell_is_hidden_when_nothing_is_unread(client, dept_head):
    client.force_login(dept_head)

    html = client.get(reverse("notifications:bell")).content.decode()

    assert '<span class="count-badge" hidden>0</span>' in html


def test_the_list_shows_my_notifications_only(client, dept_head, planner, campaign):
    tell(dept_head, campaign=campaign)
    tell(planner, title="For the planner")
    client.force_login(dept_head)

    html = client.get(reverse("notifications:inbox")).content.decode()

    assert "Approval requested: Spring tea launch" in html
    assert "For the planner" not in html


def test_marking_one_read_swaps_the_item_and_updates_the_bell(client, dept_head):
    notification = tell(dept_head)
    tell(dept_head, title="Still unread")
    client.force_login(dept_head)

    response = client.post(reverse("notifications:read", args=[notification.pk]), headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="notification-{notification.pk}" class="notification"' in html
    assert 'hx-swap-oob="true"' in html
    assert '<span class="count-badge">1</span>' in html
    assert Notification.objects.get(pk=notification.pk).read_at is not None


def test_someone_elses_notification_is_a_404(client, dept_head, planner):
    notification = tell(planner)
    client.force_login(dept_head)

    assert client.post(reverse("notifications:read", args=[notification.pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_mark_all_read(client, dept_head):
    tell(dept_head)
    tell(dept_head, title="Second")
    client.force_login(dept_head)

    response = client.post(reverse("notifications:read_all"), headers=HTMX)

    assert response.status_code == 200
    assert '<span class="count-badge" hidden>0</span>' in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, dept_head, campaign):
    notification = tell(dept_head, campaign=campaign)
    client.force_login(dept_head)

    response = client.get(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{campaign.pk}/"
    assert Notification.objects.get(pk=notification.pk).read_at is not None


def test_a_link_to_another_site_is_not_followed(client, dept_head):
    notification = tell(dept_head, url="https://evil.example/phish")
    client.force_login(dept_head)

    response = client.get(reverse("notifications:open", args=[notification.pk]))

    assert response["Location"] == reverse("notifications:inbox")


def test_the_settings_page_saves_e_mail_preferences(client, dept_head):
    client.force_login(dept_head)
    keep = ["task.assigned", "task.due_soon", "task.overdue", "approval.decided"]

    response = client.post(reverse("notifications:settings"), {"form": "preferences", "email-email_on": keep})

    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=dept_head).email_off == [
        "approval.requested",
        "change_request.requested",
        "change_request.decided",
        "alert.opened",
        "alert.escalated",
        "alert.acknowledged",
        "report.daily",
        "budget.overspent",
    ]
    html = client.get(reverse("notifications:settings")).content.decode()
    assert 'value="approval.requested" class="wide" id="id_email-email_on_3">' in html
    assert 'value="task.assigned" class="wide" id="id_email-email_on_0" checked>' in html


def test_a_user_adds_a_personal_webhook_from_the_settings_page(client, dept_head):
    client.force_login(dept_head)

    response = client.post(
        reverse("notifications:settings"),
        {
            "form": "webhook",
            "webhook-kind": "slack",
            "webhook-name": "My Slack",
            "webhook-url": SLACK_URL,
            "webhook-active": "on",
        },
    )

    assert response.status_code == 302
    webhook = Webhook.objects.get()
    assert (webhook.user, webhook.kind, webhook.url, webhook.active) == (dept_head, "slack", SLACK_URL, True)
    html = client.get(reverse("notifications:settings")).content.decode()
    assert "My Slack" in html
    assert "secretTOKEN" not in html
    assert "https://hooks.slack.com/••••OKEN" in html


def test_a_bad_webhook_url_is_shown_beside_the_field(client, dept_head):
    client.force_login(dept_head)

    response = client.post(
        reverse("notifications:settings"),
        {"form": "webhook", "webhook-kind": "slack", "webhook-name": "x", "webhook-url": "not a url"},
    )

    assert response.status_code == 422
    assert "Enter the webhook&#x27;s full http:// or https:// address." in response.content.decode()
    assert not Webhook.objects.exists()


def test_the_integrations_tab_is_for_those_who_run_the_campaign(client, planner, campaign):
    member = UserFactory(username="member", department=campaign.department)
    CampaignMember.objects.create(campaign=campaign, user=member, role="member")
    tab = reverse("notifications:campaign_webhooks", args=[campaign.pk])

    client.force_login(planner)
    assert tab in client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert client.get(tab).status_code == 200

    client.force_login(member)
    assert tab not in client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert client.get(tab).status_code == 403


def test_an_outsider_gets_a_404_for_the_integrations_tab(client, outsider, campaign):
    client.force_login(outsider)

    assert client.get(reverse("notifications:campaign_webhooks", args=[campaign.pk])).status_code == 404


def test_the_owner_adds_a_team_webhook_and_sends_a_test_message(client, planner, campaign, receiver):
    client.force_login(planner)
    page = reverse("notifications:campaign_webhooks", args=[campaign.pk])

    response = client.post(
        page,
        {
            "webhook-kind": "generic",
            "webhook-name": "Ops endpoint",
            "webhook-url": receiver.url(),
            "webhook-secret": "a-shared-secret-123456",
            "webhook-events": ["approval.requested"],
            "webhook-active": "on",
        },
    )
    assert response.status_code == 302
    webhook = Webhook.objects.get()
    assert (webhook.campaign, webhook.events, webhook.secret) == (
        campaign,
        ["approval.requested"],
        "a-shared-secret-123456",
    )

    tested = client.post(reverse("notifications:webhook_test", args=[webhook.pk]), headers=HTMX)

    assert "Delivered." in tested.content.decode()
    assert receiver.requests[0].json["event"] == "webhook.test"
    assert "X-CampaignFlow-Signature" in receiver.requests[0].headers


def test_the_edit_page_never_shows_the_url_or_the_secret_and_keeps_them(client, planner, campaign):
    webhook = make_webhook(url=SLACK_URL, kind="slack", campaign=campaign, secret="do-not-show-this-secret")
    client.force_login(planner)
    edit = reverse("notifications:webhook_edit", args=[webhook.pk])

    html = client.get(edit).content.decode()
    assert "secretTOKEN" not in html and "do-not-show-this-secret" not in html

    response = client.post(edit, {"webhook-kind": "slack", "webhook-name": "Renamed", "webhook-url": ""})

    assert response.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.name, webhook.url, webhook.secret, webhook.active) == (
        "Renamed",
        SLACK_URL,
        "do-not-show-this-secret",
        False,
    )


def test_removing_a_webhook(client, planner, campaign):
    webhook = make_webhook(url=SLACK_URL, kind="slack", campaign=campaign)
    client.force_login(planner)

    response = client.post(reverse("notifications:webhook_delete", args=[webhook.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:campaign_webhooks", args=[campaign.pk])
    assert not Webhook.objects.exists()


def test_the_list_page_costs_a_fixed_number_of_queries(
    client, dept_head, campaign, django_assert_max_num_queries
):
    for index in range(20):
        tell(dept_head, title=f"Item {index}", campaign=campaign)
    client.force_login(dept_head)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("notifications:inbox"))

    assert response.content.decode().count('class="notification unread"') == 20
