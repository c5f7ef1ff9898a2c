"""The outbox worker: retries with backoff, a receiver that comes back, killed workers, no double sends."""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connections, transaction

from campaignflow.notifications import delivery as outbox
from campaignflow.notifications import services, tasks
from campaignflow.notifications.delivery import (
    LEASE,
    MAX_ATTEMPTS,
    backoff_delay,
    deliveries_due,
    delivery_attempt,
    delivery_claim,
    retry_due,
)
from campaignflow.notifications.models import Delivery, Notification
from campaignflow.notifications.services import notify
from tests.factories import UserFactory

from .conftest import make_webhook
from .receiver import Receiver, free_port

pytestmark = pytest.mark.django_db


def team_event(campaign, title="Plan approved: Spring tea launch"):
    notify(event="approval.decided", recipients=[], title=title, campaign=campaign)


def test_backoff_doubles_from_30_seconds_with_jitter_and_is_capped():
    rng = random.Random(7)
    for attempts in range(1, 9):
        base = 30 * 2 ** (attempts - 1)
        delay = backoff_delay(attempts, rng=rng).total_seconds()
        assert base * 0.75 <= delay <= base * 1.25
    assert backoff_delay(20, rng=rng) <= dt.timedelta(hours=2, minutes=30)
    # the jitter really varies: many messages to one receiver do not retry in lockstep
    assert len({backoff_delay(3, rng=rng) for _ in range(10)}) > 1


def test_a_receiver_that_is_down_gets_the_message_when_it_comes_back(campaign, t0):
    # given a team webhook whose receiver is not running (connection refused)
    port = free_port()
    webhook = make_webhook(url=f"http://127.0.0.1:{port}/hook", campaign=campaign)
    team_event(campaign)
    delivery = Delivery.objects.get(webhook=webhook)

    # when the worker attempts it
    assert delivery_attempt(delivery.pk, now=t0) == "failed"

    # then it is kept, with the reason, and due again after the first backoff (30 s ± 25 %)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "Cannot reach the receiver" in delivery.last_error
    assert t0 + dt.timedelta(seconds=22.5) <= delivery.next_attempt_at <= t0 + dt.timedelta(seconds=37.5)
    assert deliveries_due(now=t0 + dt.timedelta(seconds=20)) == []
    webhook.refresh_from_db()
    assert webhook.is_failing

    # when the receiver starts but answers 500 at first
    receiver = Receiver(port=port)
    try:
        receiver.answer(500, b"temporarily broken")
        assert retry_due(now=delivery.next_attempt_at) == {"failed": 1}
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("failed", 2)
        assert delivery.last_error.startswith("HTTP 500")
        assert "temporarily broken" in delivery.last_error
        first_retry_at = delivery.next_attempt_at

        # then the next sweep after the (doubled) backoff delivers it: nothing lost, sent once
        assert retry_due(now=first_retry_at) == {"sent": 1}
    finally:
        receiver.stop()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 3, "")
    assert delivery.sent_at == first_retry_at
    assert [r.json["id"] for r in receiver.requests] == [str(delivery.uid)] * 2
    webhook.refresh_from_db()
    assert webhook.last_sent_at == first_retry_at
    assert not webhook.is_failing


def test_it_gives_up_after_the_last_attempt_and_keeps_the_error(receiver, campaign, t0):
    receiver.default = (503, b"down for maintenance")
    webhook = make_webhook(url=receiver.url(), campaign=campaign)
    team_event(campaign)
    delivery = Delivery.objects.get(webhook=webhook)

    now = t0
    for _ in range(MAX_ATTEMPTS):
        assert deliveries_due(now=now) == [delivery.pk]
        delivery_attempt(delivery.pk, now=now)
        delivery.refresh_from_db()
        now = delivery.next_attempt_at

    assert (delivery.status, delivery.attempts) == ("dead", MAX_ATTEMPTS)
    assert "HTTP 503" in delivery.last_error
    assert len(receiver.requests) == MAX_ATTEMPTS
    assert deliveries_due(now=now + dt.timedelta(days=1)) == []


def test_a_delivery_claimed_by_a_killed_worker_is_retried_after_its_lease(receiver, campaign, t0):
    # given a worker that claimed the delivery and was killed before sending it
    webhook = make_webhook(url=receiver.url(), campaign=campaign)
    team_event(campaign)
    delivery = Delivery.objects.get(webhook=webhook)
    assert delivery_claim(delivery.pk, now=t0) is not None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sending", 1)

    # then no one touches it while the lease runs ...
    assert deliveries_due(now=t0 + LEASE - dt.timedelta(seconds=1)) == []
    assert delivery_attempt(delivery.pk, now=t0 + dt.timedelta(seconds=30)) == "skipped"
    assert receiver.requests == []

    # ... and the sweep after it delivers it
    assert retry_due(now=t0 + LEASE + dt.timedelta(seconds=1)) == {"sent": 1}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert len(receiver.requests) == 1


def test_a_worker_killed_during_the_last_attempt_leaves_a_dead_row_not_a_stuck_one(receiver, campaign, t0):
    webhook = make_webhook(url=receiver.url(), campaign=campaign)
    team_event(campaign)
    delivery = Delivery.objects.get(webhook=webhook)
    Delivery.objects.filter(pk=delivery.pk).update(attempts=MAX_ATTEMPTS - 1)
    assert delivery_claim(delivery.pk, now=t0) is not None

    assert deliveries_due(now=t0 + LEASE + dt.timedelta(seconds=1)) == []

    delivery.refresh_from_db()
    assert delivery.status == "dead"
    assert "stopped during the last attempt" in delivery.last_error


def test_a_sent_delivery_is_never_sent_again(receiver, campaign, t0):
    webhook = make_webhook(url=receiver.url(), campaign=campaign)
    team_event(campaign)
    delivery = Delivery.objects.get(webhook=webhook)
    assert delivery_attempt(delivery.pk, now=t0) == "sent"

    assert delivery_attempt(delivery.pk, now=t0 + dt.timedelta(hours=1)) == "skipped"
    assert tasks.deliver.call_local(delivery.pk) == "skipped"

    assert len(receiver.requests) == 1
    assert deliveries_due(now=t0 + dt.timedelta(days=1)) == []


def test_only_one_of_two_claims_wins(campaign, t0):
    webhook = make_webhook(url="http://127.0.0.1:9/never", campaign=campaign)
    team_event(campaign)
    delivery = Delivery.objects.get(webhook=webhook)

    first = delivery_claim(delivery.pk, now=t0)
    second = delivery_claim(delivery.pk, now=t0)

    assert first is not None and second is None


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_delivery_send_it_once(campaign, monkeypatch):
    # given a slow receiver and two workers that start on the same delivery at the same instant
    # (as when the sweep re-queues a delivery whose first job is still waiting in the queue)
    monkeypatch.setattr(services, "enqueue", lambda ids: None)
    receiver = Receiver(delay=0.5)
    try:
        webhook = make_webhook(url=receiver.url(), campaign=campaign)
        team_event(campaign)
        delivery = Delivery.objects.get(webhook=webhook)
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def work():
            try:
                barrier.wait()
                outcomes.append(delivery_attempt(delivery.pk))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        receiver.stop()

    # then exactly one sent it
    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(receiver.requests) == 1
    assert Delivery.objects.get(pk=delivery.pk).attempts == 1


def test_a_removed_webhook_gives_up_its_pending_deliveries(receiver, campaign, t0):
    webhook = make_webhook(url=receiver.url(), campaign=campaign)
    team_event(campaign)
    delivery = Delivery.objects.get(webhook=webhook)
    webhook.delete()

    assert delivery_attempt(delivery.pk, now=t0) == "dead"

    delivery.refresh_from_db()
    assert delivery.last_error == "The webhook was removed."
    assert receiver.requests == []


def test_a_switched_off_webhook_gets_nothing_more(receiver, campaign, t0):
    webhook = make_webhook(url=receiver.url(), campaign=campaign)
    team_event(campaign)
    webhook.active = False
    webhook.save()

    assert retry_due(now=t0) == {"dead": 1}
    assert receiver.requests == []


def test_e_mail_goes_out_through_djangos_backend(planner, dept_head, campaign, t0, settings):
    settings.CAMPAIGNFLOW_BASE_URL = "https://campaigns.example.com"
    notify(
        event="approval.requested",
        recipients=[dept_head],
        title="Approval requested: Spring tea launch",
        body="Planner submitted revision 1.",
        campaign=campaign,
        actor=planner,
    )
    delivery = Delivery.objects.get(channel="email")

    assert delivery_attempt(delivery.pk, now=t0) == "sent"

    (message,) = mail.outbox
    assert message.to == ["dept_head@example.com"]
    assert message.subject == "[CampaignFlow] Approval requested: Spring tea launch"
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.body.startswith(
        f"Planner submitted revision 1.\n\nhttps://campaigns.example.com/campaigns/{campaign.pk}/\n\n-- \n"
    )
    assert "https://campaigns.example.com/notifications/settings/" in message.body


class BrokenMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server down")


def test_an_e_mail_server_that_is_down_is_retried(dept_head, campaign, t0, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.BrokenMailServer"
    notify(event="approval.requested", recipients=[dept_head], title="Approval requested", campaign=campaign)
    delivery = Delivery.objects.get(channel="email")

    assert delivery_attempt(delivery.pk, now=t0) == "failed"
    assert "SMTP server down" in Delivery.objects.get(pk=delivery.pk).last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert retry_due(now=t0 + dt.timedelta(minutes=1)) == {"sent": 1}
    assert len(mail.outbox) == 1


def test_after_commit_the_worker_delivers_at_once(
    receiver, planner, campaign, django_capture_on_commit_callbacks
):
    # given a team webhook; Huey runs jobs inline under the tests (immediate mode)
    make_webhook(url=receiver.url(), campaign=campaign)

    # when the business transaction that notifies commits
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            team_event(campaign)
        assert receiver.requests == []  # nothing leaves before the commit

    # then the delivery job ran once and the receiver has the message
    assert len(callbacks) == 1
    assert len(receiver.requests) == 1
    assert Delivery.objects.get().status == "sent"


def test_nothing_is_sent_when_the_business_transaction_rolls_back(
    receiver, planner, dept_head, campaign, django_capture_on_commit_callbacks
):
    make_webhook(url=receiver.url(), campaign=campaign)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(
            event="approval.requested",
            recipients=[dept_head],
            title="Approval requested",
            campaign=campaign,
            actor=planner,
        )
        raise RuntimeError("the business write failed")

    assert callbacks == []
    assert Notification.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert receiver.requests == []
    assert mail.outbox == []


def test_a_queue_that_is_down_at_commit_loses_nothing(
    receiver, campaign, t0, monkeypatch, django_capture_on_commit_callbacks
):
    # given a queue that refuses jobs when the business transaction commits
    make_webhook(url=receiver.url(), campaign=campaign)

    def queue_down(*args):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(tasks, "deliver", queue_down)
    with django_capture_on_commit_callbacks(execute=True):
        team_event(campaign)  # does not raise
    assert Delivery.objects.get().status == "pending"
    monkeypatch.undo()

    # when the periodic sweep runs
    assert tasks.deliver_due.call_local() == 1

    # then the message went out
    assert Delivery.objects.get().status == "sent"
    assert len(receiver.requests) == 1


def test_an_unexpected_error_while_sending_is_recorded_not_raised(campaign, t0, monkeypatch):
    make_webhook(url="http://127.0.0.1:9/", campaign=campaign)
    team_event(campaign)

    def explode(delivery):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(outbox, "send", explode)
    assert delivery_attempt(Delivery.objects.get().pk, now=t0) == "failed"
    assert Delivery.objects.get().last_error == "ZeroDivisionError: bug"


def test_a_user_without_e_mail_address_gets_no_e_mail(campaign):
    silent = UserFactory(username="silent", email="")
    notify(event="task.assigned", recipients=[silent], title="Task assigned", campaign=campaign)

    assert Notification.objects.filter(recipient=silent).count() == 1
    assert not Delivery.objects.filter(channel="email").exists()
