"""Webhooks reach public addresses only: no loopback, private, link-local or metadata addresses."""

from __future__ import annotations

import pytest

from campaignflow.core.errors import ValidationFailed
from campaignflow.notifications import services
from campaignflow.notifications.addresses import blocked_address
from campaignflow.notifications.delivery import delivery_attempt
from campaignflow.notifications.models import Delivery
from campaignflow.notifications.services import notify

from .conftest import make_webhook


@pytest.fixture
def public_only(settings):
    settings.CAMPAIGNFLOW_WEBHOOK_ALLOW_PRIVATE = False


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1:6379/", "127.0.0.1"),  # the server's own Redis
        ("http://localhost:8000/admin/", "127.0.0.1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),  # cloud metadata
        ("https://10.1.2.3/hook", "10.1.2.3"),
        ("https://192.168.0.10/hook", "192.168.0.10"),
        ("http://[::1]:8080/", "::1"),
        ("http://[::ffff:10.0.0.1]/", "10.0.0.1"),
        ("http://100.64.0.1/", "100.64.0.1"),  # carrier-grade NAT
        ("http://0.0.0.0:5432/", "0.0.0.0"),
    ],
)
def test_an_address_inside_a_private_network_is_refused_when_the_webhook_is_saved(
    public_only, dept_head, url, address
):
    with pytest.raises(ValidationFailed) as refused:
        services.webhook_create(actor=dept_head, data={"kind": "generic", "name": "Inside", "url": url})

    assert refused.value.errors[0].field == "url"
    assert address in refused.value.errors[0].message
    assert "CAMPAIGNFLOW_WEBHOOK_ALLOW_PRIVATE" in refused.value.errors[0].message


def test_a_public_address_is_accepted(public_only):
    assert blocked_address("https://93.184.216.34/robot/send") is None


def test_a_delivery_to_a_private_address_saved_earlier_is_never_sent(public_only, receiver, campaign, t0):
    # saved while private addresses were allowed, or a public name that now resolves inside
    webhook = make_webhook(url=receiver.url(), campaign=campaign)
    notify(
        event="approval.decided",
        recipients=[],
        title="Plan approved",
        body="",
        campaign=campaign,
        url="/",
    )
    delivery = Delivery.objects.get(webhook=webhook)

    delivery_attempt(delivery.pk, now=t0)

    delivery.refresh_from_db()
    assert delivery.status == "dead" and "private network" in delivery.last_error
    assert receiver.requests == []


def test_the_administrator_may_allow_private_addresses(settings, dept_head):
    settings.CAMPAIGNFLOW_WEBHOOK_ALLOW_PRIVATE = True

    webhook = services.webhook_create(
        actor=dept_head, data={"kind": "generic", "name": "Gateway", "url": "http://10.1.2.3/hook"}
    )

    assert webhook.url == "http://10.1.2.3/hook"
