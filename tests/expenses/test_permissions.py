"""Who may read, record and decide, per persona; a refused call changes nothing."""

from __future__ import annotations

import json

import pytest

from campaignflow.expenses import permissions, services
from campaignflow.expenses.models import Expense, Settlement
from tests.expenses.conftest import expense_data, pdf_bytes, upload

# persona: (reads, records expenses and prepares the settlement, decides the settlement)
MATRIX = {
    "planner": (True, True, False),  # campaign owner
    "pm": (True, True, False),  # project manager
    "finance": (True, True, False),
    "admin_user": (True, True, True),
    "manager": (True, False, True),
    "analyst": (True, False, False),
    "dept_head": (True, False, False),
    "viewer": (True, False, False),
    "outsider": (False, False, False),
}


@pytest.mark.parametrize("persona", MATRIX)
def test_the_policy_functions(request, live, pm, viewer, persona):
    user = request.getfixturevalue(persona)
    reads, records, decides = MATRIX[persona]

    assert permissions.can_view_expenses(user, live) is reads
    assert permissions.can_record_expenses(user, live) is records
    assert permissions.can_prepare_settlement(user, live) is records
    assert permissions.can_decide_settlement(user, live) is decides


@pytest.mark.parametrize("persona", MATRIX)
def test_reading_through_the_api(client, request, live, pm, viewer, finance, persona):
    expense = services.expense_create(
        campaign=live,
        actor=finance,
        data=expense_data(live.lines["materials"]),
        attachment=upload(pdf_bytes(), "a.pdf"),
    )
    client.force_login(request.getfixturevalue(persona))
    reads = MATRIX[persona][0]
    expected = 200 if reads else 404

    for url in (
        f"/api/v1/campaigns/{live.pk}/expenses",
        f"/api/v1/expenses/{expense.pk}",
        f"/api/v1/expenses/{expense.pk}/attachment",
        f"/api/v1/campaigns/{live.pk}/budget",
        f"/api/v1/campaigns/{live.pk}/settlement",
        f"/expenses/campaigns/{live.pk}/",
        f"/expenses/{expense.pk}/attachment/",
    ):
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("persona", MATRIX)
def test_recording_through_the_api(client, request, live, pm, viewer, persona):
    client.force_login(request.getfixturevalue(persona))
    reads, records, _decides = MATRIX[persona]

    response = client.post(
        f"/api/v1/campaigns/{live.pk}/expenses",
        data=json.dumps(
            {"budget_line": live.lines["materials"].pk, "amount": "10", "date": "2026-11-10", "vendor": "v"}
        ),
        content_type="application/json",
    )

    assert response.status_code == (201 if records else 403 if reads else 404)
    assert Expense.objects.exists() is records


@pytest.mark.parametrize("persona", MATRIX)
def test_changing_someone_elses_expense(client, request, live, pm, viewer, finance, persona):
    expense = services.expense_create(
        campaign=live, actor=finance, data=expense_data(live.lines["materials"])
    )
    client.force_login(request.getfixturevalue(persona))
    reads, records, _decides = MATRIX[persona]

    patched = client.patch(
        f"/api/v1/expenses/{expense.pk}", data=json.dumps({"amount": "1"}), content_type="application/json"
    )
    deleted = client.delete(f"/api/v1/expenses/{expense.pk}")

    refused = 403 if reads else 404
    if records:
        assert (patched.status_code, deleted.status_code) == (200, 204)
    else:
        assert (patched.status_code, deleted.status_code) == (refused, refused)
        expense.refresh_from_db()
        assert str(expense.amount) == "1200.00"


@pytest.mark.parametrize("persona", MATRIX)
def test_deciding_a_submitted_settlement(client, request, closing, pm, viewer, persona):
    Settlement.objects.create(campaign=closing, status="submitted")
    client.force_login(request.getfixturevalue(persona))
    reads, _records, decides = MATRIX[persona]

    response = client.post(
        f"/api/v1/campaigns/{closing.pk}/settlement/approve", data="{}", content_type="application/json"
    )

    assert response.status_code == (200 if decides else 403 if reads else 404)
    assert Settlement.objects.get(campaign=closing).status == ("approved" if decides else "submitted")
