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
from django.utils import translation

from tests.factories import CampaignFactory, DepartmentFactory, UserFactory, ready_plan


@pytest.fixture(autouse=True)
def _default_language():
    """A request in Chinese leaves its language active in the thread; start each test in English."""
    yield
    translation.activate("en")


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
