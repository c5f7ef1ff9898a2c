"""Personas shared by all tests (STYLE §9): one organization, two departments.

planner       member of Marketing, owner of the campaigns made with `campaign`
dept_head     department head of Marketing (level-1 approver)
manager       management (level-2 approver)
finance       finance, sees every campaign, approves nothing in the plan
analyst       data analyst, sees every campaign
outsider      member of Sales, no membership: sees nothing of Marketing's
admin         administrator
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import translation

from tests.factories import CampaignFactory, DepartmentFactory, UserFactory, ready_plan


@pytest.fixture(autouse=True)
def _default_language():
    """A request in Chinese leaves its language active in the thread; start each test in English."""
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _empty_cache():
    """The cache outlives a test (sign-in failure counts, for one): start each test without it."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def marketing(db):
    return DepartmentFactory(name="Marketing", code="marketing")


@pytest.fixture
def sales(db):
    return DepartmentFactory(name="Sales", code="sales")


@pytest.fixture
def planner(marketing):
    return UserFactory(username="planner", department=marketing, roles=["member"])


@pytest.fixture
def dept_head(marketing):
    return UserFactory(username="dept_head", department=marketing, roles=["department_head"])


@pytest.fixture
def manager(marketing):
    return UserFactory(username="manager", department=marketing, roles=["management"])


@pytest.fixture
def finance(db):
    return UserFactory(
        username="finance", department=DepartmentFactory(name="Finance", code="finance"), roles=["finance"]
    )


@pytest.fixture
def analyst(marketing):
    return UserFactory(username="analyst", department=marketing, roles=["data_analyst"])


@pytest.fixture
def outsider(sales):
    return UserFactory(username="outsider", department=sales, roles=["member"])


@pytest.fixture
def admin_user(marketing):
    return UserFactory(username="admin", department=marketing, roles=["admin"])


@pytest.fixture
def campaign(planner, marketing):
    """A draft campaign owned by the planner whose plan is ready to submit."""
    return ready_plan(CampaignFactory(owner=planner, department=marketing, name="Spring tea launch"))


def module_demo(today, *localdate_targets: str):
    """A module-scoped fixture: the demo organization built once for a whole test module.

    Building the demo takes seconds; a module of demo tests shares one build. The build runs in a
    transaction held open until the module's last test and then rolled back; each test still runs
    in its own savepoint (pytest-django's `db`), so what a test changes is undone after it. Each
    dotted `localdate_targets` is patched to return `today` for the module. A test in the same
    module that does not use the fixture would see the demo too once it is built: keep such
    tests in another module.
    """

    @pytest.fixture(scope="module")
    def demo_world(django_db_setup, django_db_blocker):
        from campaignflow.campaigns import demo

        with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch, transaction.atomic():
            for target in localdate_targets:
                patch.setattr(target, lambda *args, **kwargs: today)
            yield demo.demo_load(today=today)
            transaction.set_rollback(True)

    return demo_world


@pytest.fixture
def seeded(transactional_db):
    """The rows migrations seed (metric definitions, the default alert rules), for a test that
    commits: an earlier such test ends with a flush of every table, which takes them too.

    Preferred to serialized_rollback, whose reload collides with content types that a flush's
    post_migrate recreated under new ids."""
    import importlib

    from django.apps import apps

    for module, function in (
        ("campaignflow.metrics.migrations.0002_metric_definitions_daily_metrics", "seed_definitions"),
        ("campaignflow.alerts.migrations.0002_default_rules", "create_defaults"),
    ):
        getattr(importlib.import_module(module), function)(apps, None)
