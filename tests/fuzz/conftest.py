"""The world the API is fuzzed against: the demo organization, loaded once per module.

The demo (campaigns in every lifecycle state, tasks, meetings, expenses, experiments, alerts,
reports, knowledge entries …) is built through the services once, inside an outer transaction that
is rolled back when the module is done. Each fuzzed operation runs in its own savepoint (the `db`
fixture), so what one operation creates or deletes never leaks into the next.

Path parameters that Schemathesis generates as integers are mapped onto ids of rows that exist, so
the fuzzing reaches the code behind the 404 as well as the 404 itself.
"""

from __future__ import annotations

import pytest
from django.core import signals
from django.db import close_old_connections, transaction

from campaignflow.accounts.models import User
from campaignflow.accounts.services import token_issue
from campaignflow.campaigns import demo
from tests.fuzz.world import FUZZED, TODAY, World, resource_ids


def pytest_terminal_summary(terminalreporter):
    if FUZZED:
        terminalreporter.write_line(
            f"schemathesis: {sum(FUZZED.values())} cases over {len(FUZZED)} operations"
        )


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """The demo organization and a bearer token of its administrator, rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo.demo_load(today=TODAY)
        admin = User.objects.get(username="admin")
        _, raw = token_issue(user=admin, name="fuzz")
        yield World(token=raw, ids=resource_ids())
        transaction.set_rollback(True)


@pytest.fixture
def in_process():
    """Requests go through the WSGI app in this thread, on the test's connection and transaction.

    Django closes the database connection when a request finishes; like Django's test client, keep
    it open, or the next query would run outside the test's transaction (or on a closed handle).
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def no_outbound_http(monkeypatch):
    """Webhook tests would reach out to the receiver's URL: answer as a receiver that is down."""
    from campaignflow.notifications import delivery

    def refuse(**kwargs):
        raise delivery.DeliveryError("fuzzing: no network")

    monkeypatch.setattr(delivery, "send_webhook", refuse)
