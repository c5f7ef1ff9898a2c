"""A worker killed while it is sending a notification loses nothing: another worker sends it again.

Real processes: `campaignflow worker` consumes the real queue (SQLite file, or Redis in the
PostgreSQL pass) on the test's database and posts to a webhook receiver on loopback that stalls
the first request. The worker is SIGKILLed while that request is open. Its Huey job is gone with
it; what remains is the outbox row, claimed ("sending") under a lease. Once the lease has run
out, the sweep (every minute, and once when a worker starts) finds the row and a new worker
sends it. Delivery is therefore at least once: the receiver may see a message twice, with the
same delivery id (X-CampaignFlow-Delivery header, `id` in the body) to recognise the repeat by.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from campaignflow.notifications.models import Delivery, Webhook
from campaignflow.notifications.services import notify
from tests.notifications.receiver import Receiver
from tests.worker.harness import Worker, real_queue

# Committed for real, so other processes and threads see the rows; data the migrations seed
# (metric definitions, default alert rules) is seeded again before each test (the `seeded` fixture).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]

STALL = 600.0  # seconds the receiver sits on a request: longer than the test, like a hung server


def test_a_delivery_in_flight_when_its_worker_is_killed_is_sent_by_the_next_worker(tmp_path, manager):
    manager.email = ""  # only the webhook: one delivery
    manager.save()
    receiver = Receiver(default=(200, b'{"ok":true}'), delay=STALL)
    Webhook.objects.create(user=manager, kind="generic", name="Mine", url=receiver.url())
    with real_queue(tmp_path) as queue:
        worker = Worker(tmp_path, queue.name)
        try:
            worker.start(workers=1)
            with transaction.atomic():
                notify(event="approval.requested", recipients=[manager], title="Please approve MC-2026-0001")
            delivery = Delivery.objects.get()
            worker.wait_for(lambda: receiver.requests, seconds=60, what="the first request")
            in_flight = Delivery.objects.get(pk=delivery.pk)

            worker.kill()

            after_kill = Delivery.objects.get(pk=delivery.pk)
            receiver.delay = 0.0  # the receiver is healthy again
            # the lease (delivery.LEASE, 2 minutes) runs out; moved by hand rather than waited for
            Delivery.objects.filter(pk=delivery.pk).update(
                lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
            )
            worker.start(workers=1)
            worker.wait_for(
                lambda: Delivery.objects.get(pk=delivery.pk).status == "sent",
                seconds=90,
                what="the delivery by the second worker",
            )
        finally:
            worker.stop()
            receiver.stop()

    assert (in_flight.status, in_flight.attempts) == ("sending", 1)
    assert (after_kill.status, after_kill.attempts) == ("sending", 1)  # nobody recorded an outcome
    sent = Delivery.objects.get(pk=delivery.pk)
    assert (sent.status, sent.attempts) == ("sent", 2)
    # at least once: the stalled request and the repeat, one message the receiver can dedupe
    assert len(receiver.requests) == 2
    assert {request.headers["X-CampaignFlow-Delivery"] for request in receiver.requests} == {str(sent.uid)}
    assert {request.json["id"] for request in receiver.requests} == {str(sent.uid)}
    assert all(request.json["title"] == "Please approve MC-2026-0001" for request in receiver.requests)
