"""`campaignflow outbox`: counts by status, send what is due, revive given-up deliveries."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from campaignflow.notifications.models import Delivery
from campaignflow.notifications.services import notify

from .conftest import make_webhook

pytestmark = pytest.mark.django_db


def outbox(*args) -> str:
    out = StringIO()
    call_command("outbox", *args, stdout=out)
    return out.getvalue()


def test_it_sends_what_is_due_and_shows_the_counts(receiver, campaign):
    make_webhook(url=receiver.url(), campaign=campaign)
    notify(event="approval.decided", recipients=[], title="Decided", campaign=campaign)

    output = outbox("--send")

    assert "sent: 1" in output
    assert "Sent: 1" in output and "Pending: 0" in output
    assert len(receiver.requests) == 1


def test_it_revives_dead_deliveries_after_an_outage(receiver, campaign):
    make_webhook(url=receiver.url(), campaign=campaign)
    notify(event="approval.decided", recipients=[], title="Decided", campaign=campaign)
    Delivery.objects.update(status="dead", attempts=8, last_error="HTTP 503")

    output = outbox("--revive-dead", "--send")

    assert "1 deliveries queued again." in output
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


def test_a_bad_since_is_refused(db):
    with pytest.raises(CommandError, match="--since"):
        outbox("--revive-dead", "--since", "yesterday")
