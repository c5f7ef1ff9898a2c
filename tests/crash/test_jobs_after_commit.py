"""Background jobs are queued only once their transaction commits, exactly once, never on rollback.

The test process enqueues into a real queue (the SQLite queue file, or Redis in the PostgreSQL
pass) instead of running jobs inline, so what is queued is what a worker would run. Every job
the code base queues goes through transaction.on_commit: notification deliveries
(notifications.services.notify) and alert evaluation after new daily data (alerts.services.after_import).
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import transaction

from campaignflow.metrics import services as metrics
from campaignflow.notifications.models import Delivery, Notification
from campaignflow.notifications.services import notify
from tests.metrics.helpers import csv_bytes
from tests.worker.harness import queued_jobs, real_queue

# Committed for real, so other processes and threads see the rows; data the migrations seed
# (metric definitions, default alert rules) is seeded again before each test (the `seeded` fixture).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]


class Rollback(Exception):
    pass


@pytest.fixture
def queue(tmp_path):
    with real_queue(tmp_path) as huey:
        yield huey


def test_a_notification_whose_transaction_rolls_back_queues_nothing(queue, planner, manager):
    with pytest.raises(Rollback), transaction.atomic():
        notify(event="approval.requested", recipients=[planner, manager], title="Please approve")
        raise Rollback

    assert queued_jobs(queue) == []
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()


def test_a_committed_notification_queues_one_job_per_delivery_after_commit(queue, planner, manager):
    with transaction.atomic():
        notify(event="approval.requested", recipients=[planner, manager], title="Please approve")
        queued_inside = queued_jobs(queue)

    deliveries = sorted(Delivery.objects.values_list("pk", flat=True))
    assert len(deliveries) == 2  # an e-mail to each
    assert queued_inside == []  # nothing while the transaction was open
    jobs = queued_jobs(queue)
    assert sorted(args for _name, args in jobs) == [(pk,) for pk in deliveries]
    assert {name for name, _args in jobs} == {"deliver"}


def test_a_notification_in_a_nested_block_that_rolls_back_queues_nothing(queue, planner, manager):
    with transaction.atomic():
        notify(event="approval.requested", recipients=[planner], title="Kept")
        with pytest.raises(Rollback), transaction.atomic():
            notify(event="approval.requested", recipients=[manager], title="Undone")
            raise Rollback

    kept = Delivery.objects.get()
    assert kept.target == planner.email
    assert [args for _name, args in queued_jobs(queue)] == [(kept.pk,)]


@pytest.fixture
def live(planner, marketing):
    from tests.factories import CampaignFactory, ChannelFactory

    today = dt.date.today()
    ChannelFactory(name="朋友圈", kind="paid_social")
    return CampaignFactory(
        owner=planner,
        department=marketing,
        status="live",
        number="MC-2026-0101",
        start_date=today - dt.timedelta(days=20),
        end_date=today + dt.timedelta(days=10),
    )


def daily_export(*rows) -> io.BytesIO:
    day = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    return io.BytesIO(
        csv_bytes([["日期", "渠道", "点击量", "转化量"], *[[day, "朋友圈", *row] for row in rows]])
    )


def test_an_import_queues_the_alert_evaluation_once_after_commit_and_a_failed_one_none(
    queue, live, admin_user
):
    with pytest.raises(metrics.ImportFailed):
        metrics.daily_metrics_import(
            campaign=live, actor=admin_user, stream=daily_export(["-5", "1"]), filename="daily.csv"
        )
    assert queued_jobs(queue) == []

    metrics.daily_metrics_import(
        campaign=live, actor=admin_user, stream=daily_export(["1000", "20"]), filename="daily.csv"
    )

    assert queued_jobs(queue) == [("evaluate_campaign", (live.pk,))]
