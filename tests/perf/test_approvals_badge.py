"""The approvals badge on every page counts in the database what the approval inbox lists.

campaigns.selectors.approval_inbox_count narrows plans in review by level and department in SQL
(so a page does not read every plan in review); it must agree with approval_inbox, which also
applies permissions.approver_levels to each plan, for every kind of person.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from campaignflow.accounts.models import User
from campaignflow.campaigns import selectors

sys.path.append(str(Path(__file__).resolve().parents[2] / "bench"))  # bench/generate_org.py
from generate_org import Generator, Shape

pytestmark = pytest.mark.django_db


def test_the_badge_counts_what_the_inbox_lists():
    # 4 plans in review: 1st and 3rd wait for their department's head (marketing, ecommerce),
    # 2nd and 4th for management
    shape = Shape.uniform(4)
    shape.knowledge = False
    Generator(shape, seed=7, verbose=False).run_for_tests()
    User.objects.filter(username="admin").update(is_superuser=False)  # admin by role only
    seen = {}
    for user in User.objects.order_by("pk"):
        inbox = selectors.approval_inbox(user=user)
        assert selectors.approval_inbox_count(user=user) == len(inbox), user.username
        seen[user.username] = len(inbox)
    # management decides level 2 of every department, a head level 1 of their own only
    assert (seen["mgmt.0"], seen["marketing.head"], seen["ecommerce.head"]) == (2, 1, 1)
    assert seen["brand.head"] == seen["marketing.00"] == seen["finance.0"] == 0
    User.objects.filter(username="marketing.head").update(is_active=False)
    assert selectors.approval_inbox_count(user=User.objects.get(username="marketing.head")) == 0
