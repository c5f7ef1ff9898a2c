"""Fixtures of the notification tests: a live HTTP receiver, a fixed clock and webhook factories."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from campaignflow.notifications.models import Webhook

from .receiver import Receiver


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def t0():
    """A fixed instant the tests move forward by hand."""
    return timezone.now().replace(microsecond=0) + dt.timedelta(seconds=5)


def make_webhook(*, url: str, kind: str = "generic", campaign=None, user=None, **fields) -> Webhook:
    return Webhook.objects.create(
        campaign=campaign,
        user=user,
        kind=kind,
        name=fields.pop("name", f"{kind} hook"),
        url=url,
        **fields,
    )
