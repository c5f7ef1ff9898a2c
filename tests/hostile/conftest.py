"""Shared data for the hostile-input tests (see tests/conftest.py for the personas).

live        live campaign 2024-06-01 – 2024-06-30 owned by the planner, one channel (朋友圈)
signed_in   a test client signed in as the planner (owner: may import, record and edit)
bearer      `Authorization` headers of a token issued to the planner
media       MEDIA_ROOT in the test's temporary directory
demo_world  the demo organization (青岚茶饮), loaded once per module
"""

from __future__ import annotations

import datetime as dt

import pytest

from campaignflow.accounts.services import token_issue
from tests.factories import CampaignFactory, ChannelFactory

START, END = dt.date(2024, 6, 1), dt.date(2024, 6, 30)
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def moments(db):
    return ChannelFactory(name="朋友圈", kind="paid_social")


@pytest.fixture
def live(planner, marketing, moments):
    return CampaignFactory(
        owner=planner,
        department=marketing,
        name="618 tea festival",
        status="live",
        number="MC-2024-0007",
        start_date=START,
        end_date=END,
    )


@pytest.fixture
def signed_in(client, planner):
    client.force_login(planner)
    return client


@pytest.fixture
def bearer(planner):
    _, raw = token_issue(user=planner, name="hostile")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo organization, loaded once for the module inside a transaction rolled back after it.

    Each test still runs in its own savepoint (the `db` fixture), so what it changes is undone.
    Once a test of a module asks for it, the later tests of that module see the demo too: they
    compare counts before and after rather than expect empty tables.
    """
    from django.db import transaction

    from campaignflow.campaigns import demo

    with django_db_blocker.unblock(), transaction.atomic():
        demo.demo_load(today=dt.date(2026, 11, 23))
        yield
        transaction.set_rollback(True)
