"""A starting worker queues one outbox sweep, so a restart resumes sending at once."""

from __future__ import annotations

import threading

import pytest
from django.db import transaction as django_transaction
from huey.contrib.djhuey import HUEY

from campaignflow.notifications import tasks

from .harness import queued_jobs, real_queue


def test_the_startup_hook_is_registered_and_queues_one_sweep_per_process(tmp_path, monkeypatch):
    monkeypatch.setattr(tasks, "_sweep_queued", False)
    assert HUEY._startup["sweep_at_start"] is tasks.sweep_at_start

    with real_queue(tmp_path) as queue:
        # Huey calls startup hooks in every worker thread
        threads = [threading.Thread(target=tasks.sweep_at_start) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert queued_jobs(queue) == [("deliver_due", ())]


@pytest.mark.django_db
def test_the_sweep_sends_a_due_delivery_whose_job_was_lost(manager, mailoutbox, monkeypatch):
    from campaignflow.notifications import services
    from campaignflow.notifications.models import Delivery

    # the queue was down when the transaction committed: no job, only the outbox row
    monkeypatch.setattr(services, "enqueue", lambda delivery_ids: None)
    with django_transaction.atomic():
        services.notify(event="approval.requested", recipients=[manager], title="Please approve")
    assert Delivery.objects.get().status == "pending"

    assert tasks.deliver_due.call_local() == 1  # the job the worker runs every minute and at start

    assert Delivery.objects.get().status == "sent"
    assert [message.to for message in mailoutbox] == [[manager.email]]
