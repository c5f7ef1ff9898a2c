"""notify(): who is told, in which language, through which channels; rows only, nothing sent yet."""

from __future__ import annotations

import pytest
from django.utils.translation import gettext_lazy

from campaignflow.campaigns.choices import CampaignStatus
from campaignflow.notifications.models import Delivery, Notification, NotificationOnce
from campaignflow.notifications.services import notify, notify_once, preferences_update
from tests.factories import UserFactory

from .conftest import make_webhook

pytestmark = pytest.mark.django_db


def test_it_tells_each_recipient_once_and_never_the_actor_or_an_inactive_user(
    planner, dept_head, manager, campaign
):
    # given a list with a duplicate, the actor, an inactive user and a gap
    gone = UserFactory(username="gone", is_active=False)

    # when the planner's action notifies them
    result = notify(
        event="approval.requested",
        recipients=[dept_head, manager, dept_head, planner, gone, None],
        title="Approval requested",
        campaign=campaign,
        actor=planner,
    )

    # then only the department head and management hear about it, once each
    assert [n.recipient for n in result] == [dept_head, manager]
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == [
        "dept_head",
        "manager",
    ]
    assert sorted(Delivery.objects.filter(channel="email").values_list("target", flat=True)) == [
        "dept_head@example.com",
        "manager@example.com",
    ]
    notification = Notification.objects.get(recipient=dept_head)
    assert notification.actor == planner
    assert notification.campaign == campaign
    assert notification.url == f"/campaigns/{campaign.pk}/"
    assert notification.read_at is None


def test_titles_are_rendered_in_each_recipients_language(planner, dept_head, manager, campaign):
    # given a department head who reads Simplified Chinese and a manager who reads English
    dept_head.language = "zh-hans"
    dept_head.save()

    # when both are told, with a translated parameter
    notify(
        event="approval.decided",
        recipients=[dept_head, manager],
        title=gettext_lazy("Approvals"),
        body=gettext_lazy("Approved; forwarded to the next level."),
        params={"status": CampaignStatus.APPROVED.label},
        campaign=campaign,
        actor=planner,
    )

    # then each reads it in their own language, in the bell and in the e-mail
    zh = Notification.objects.get(recipient=dept_head)
    en = Notification.objects.get(recipient=manager)
    assert (zh.title, zh.body) == ("审批", "已批准，已转交下一级审批。")
    assert (en.title, en.body) == ("Approvals", "Approved; forwarded to the next level.")
    zh_mail = Delivery.objects.get(target=dept_head.email)
    assert (zh_mail.payload["title"], zh_mail.payload["language"]) == ("审批", "zh-hans")
    assert Delivery.objects.get(target=manager.email).payload["language"] == "en"


def test_params_fill_the_placeholders_and_lazy_params_are_translated_too(planner, dept_head, campaign):
    dept_head.language = "zh-hans"
    dept_head.save()

    notify(
        event="approval.decided",
        recipients=[dept_head],
        title="%(campaign)s: %(status)s",
        params={"campaign": "Spring tea launch", "status": gettext_lazy("Approvals")},
        campaign=campaign,
    )

    assert Notification.objects.get().title == "Spring tea launch: 审批"


def test_a_text_that_does_not_match_its_params_is_kept_not_raised(dept_head, campaign):
    notify(event="task.assigned", recipients=[dept_head], title="Task %(task)s", params={"other": 1})

    assert Notification.objects.get().title == "Task %(task)s"


def test_an_event_switched_off_for_e_mail_still_reaches_the_bell(planner, dept_head, campaign):
    preferences_update(user=dept_head, email_off=["approval.requested"])

    notify(event="approval.requested", recipients=[dept_head], title="Approval requested", campaign=campaign)
    notify(event="approval.decided", recipients=[dept_head], title="Approval decided", campaign=campaign)

    assert Notification.objects.filter(recipient=dept_head).count() == 2
    assert list(Delivery.objects.filter(channel="email").values_list("event", flat=True)) == [
        "approval.decided"
    ]


def test_a_campaign_webhook_hears_each_event_once_whatever_the_number_of_recipients(
    planner, dept_head, manager, finance, campaign
):
    # given a team webhook listening to everything, one listening only to decisions, and one off
    everything = make_webhook(url="http://127.0.0.1:9/all", campaign=campaign)
    decisions = make_webhook(url="http://127.0.0.1:9/decided", campaign=campaign, events=["approval.decided"])
    make_webhook(url="http://127.0.0.1:9/off", campaign=campaign, active=False)

    # when an approval request goes to three people
    notify(
        event="approval.requested",
        recipients=[dept_head, manager, finance],
        title="Approval requested",
        campaign=campaign,
        actor=planner,
    )

    # then the team hears it once, through the webhook that listens to it
    team = Delivery.objects.filter(channel="webhook")
    assert [d.webhook for d in team] == [everything]
    assert team.get().notification is None
    assert team.get().payload["campaign"] == {"id": campaign.pk, "number": None, "name": "Spring tea launch"}
    assert not Delivery.objects.filter(webhook=decisions).exists()


def test_a_team_webhook_hears_the_event_even_when_no_person_is_told(planner, campaign):
    webhook = make_webhook(url="http://127.0.0.1:9/all", campaign=campaign, language="zh-hans")

    notify(
        event="approval.decided",
        recipients=[planner],
        title=gettext_lazy("Approvals"),
        campaign=campaign,
        actor=planner,
    )

    assert Notification.objects.count() == 0
    delivery = Delivery.objects.get(webhook=webhook)
    assert (delivery.payload["title"], delivery.payload["language"]) == ("审批", "zh-hans")


def test_personal_webhooks_hear_only_their_owners_events(planner, dept_head, manager, campaign):
    mine = make_webhook(url="http://127.0.0.1:9/mine", user=dept_head, kind="dingtalk")
    make_webhook(url="http://127.0.0.1:9/tasks", user=dept_head, events=["task.assigned"])
    make_webhook(url="http://127.0.0.1:9/other", user=UserFactory(username="someone_else"))

    notify(
        event="approval.requested",
        recipients=[dept_head, manager],
        title="Approval requested",
        campaign=campaign,
        actor=planner,
    )

    personal = Delivery.objects.filter(channel="webhook")
    assert [d.webhook for d in personal] == [mine]
    assert personal.get().notification == Notification.objects.get(recipient=dept_head)


def test_no_campaign_means_no_team_webhook_and_no_link(dept_head, campaign):
    make_webhook(url="http://127.0.0.1:9/all", campaign=campaign)

    notify(event="task.overdue", recipients=[dept_head], title="Overdue")

    assert not Delivery.objects.filter(channel="webhook").exists()
    assert Notification.objects.get().url == ""


def test_notify_once_sends_a_reminder_only_once_per_key(dept_head, campaign):
    key = "task.due_soon:17:2026-12-01"

    first = notify_once(key=key, event="task.due_soon", recipients=[dept_head], title="Due soon")
    again = notify_once(key=key, event="task.due_soon", recipients=[dept_head], title="Due soon")

    assert len(first) == 1
    assert again == []
    assert Notification.objects.count() == 1
    assert NotificationOnce.objects.get().key == key
