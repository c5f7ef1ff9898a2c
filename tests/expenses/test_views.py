"""The Budget tab: the page, the htmx expense forms, downloads and the settlement section."""

from __future__ import annotations

import pytest

from campaignflow.expenses import services
from campaignflow.expenses.models import Expense, Settlement
from tests.expenses.conftest import expense_data, pdf_bytes, upload

HTMX = {"HTTP_HX_REQUEST": "true"}


def _page(campaign):
    return f"/expenses/campaigns/{campaign.pk}/"


def _form(campaign, line="materials", **overrides):
    data = {
        "new-budget_line": campaign.lines[line].pk,
        "new-amount": "1500.00",
        "new-date": "2026-11-10",
        "new-vendor": "上海印象印务有限公司",
        "new-reference": "INV-7",
        "new-note": "海报",
    }
    data.update({f"new-{key}": value for key, value in overrides.items()})
    return data


def test_the_page_shows_budget_against_actual_burn_forecast_reconciliation_and_settlement(
    client, live, finance
):
    services.expense_create(
        campaign=live, actor=finance, data=expense_data(live.lines["third_party"], amount="12000.00")
    )
    client.force_login(finance)

    response = client.get(_page(live))

    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Budget against actual",
        "Burn rate and forecast",
        "Reconciliation with the daily data",
        "Expense settlement",
        "linear on elapsed days",
        'id="burn-chart"',
        "/execution/assets/plotly-",
        'class="badge badge-over"',
        "12,000.00",
    ):
        assert text in html, text
    assert f'action="/expenses/campaigns/{live.pk}/expenses/"' in html


def test_the_budget_tab_appears_once_the_campaign_is_registered(client, live, campaign, finance):
    client.force_login(finance)

    assert f'href="/expenses/campaigns/{live.pk}/"' in client.get(f"/campaigns/{live.pk}/").content.decode()
    assert "/expenses/campaigns/" not in client.get(f"/campaigns/{campaign.pk}/").content.decode()


def test_a_viewer_reads_without_forms(client, live, viewer):
    client.force_login(viewer)

    html = client.get(_page(live)).content.decode()

    assert "Record an expense" not in html and "Save explanations" not in html


def test_the_page_query_count_does_not_grow_with_the_expenses(client, live, finance):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from campaignflow.accounts.models import Organization

    client.force_login(finance)
    Organization.current()  # any real installation has its organization row already
    counts = []
    for batch in (1, 15):
        for _index in range(batch):
            services.expense_create(
                campaign=live, actor=finance, data=expense_data(live.lines["promotion"], amount="100.00")
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_page(live)).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1] <= 30


def test_recording_an_expense_with_htmx_redirects_to_the_page(client, live, pm):
    client.force_login(pm)
    data = _form(live)
    data["new-attachment"] = upload(pdf_bytes(), "发票.pdf")

    response = client.post(f"/expenses/campaigns/{live.pk}/expenses/", data, **HTMX)

    assert response.status_code == 200
    expense = Expense.objects.get()
    assert response["HX-Redirect"] == f"/expenses/campaigns/{live.pk}/#expense-{expense.pk}"
    assert expense.attachment_name == "发票.pdf"
    download = client.get(f"/expenses/{expense.pk}/attachment/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf_bytes()


def test_a_refused_expense_shows_the_message_under_its_input(client, live, pm):
    client.force_login(pm)

    response = client.post(f"/expenses/campaigns/{live.pk}/expenses/", _form(live, date="2026-12-24"), **HTMX)

    assert response.status_code == 422
    html = response.content.decode()
    assert "the date is in the future" in html and 'id="expense-add"' in html
    assert "± 60 days" in html and "at most 10.0 MB" in html
    assert not Expense.objects.exists()


def test_a_wrong_attachment_is_refused_in_the_form(client, live, pm):
    client.force_login(pm)
    data = _form(live)
    data["new-attachment"] = upload(b"GIF89a not accepted", "image.gif")

    response = client.post(f"/expenses/campaigns/{live.pk}/expenses/", data)

    assert response.status_code == 422
    assert "Attach a PDF, JPG, PNG or XLSX file" in response.content.decode()
    assert not Expense.objects.exists()


def test_an_oversized_attachment_is_refused_in_the_form(client, live, pm, settings):
    settings.CAMPAIGNFLOW_MAX_ATTACHMENT_BYTES = 50
    client.force_login(pm)
    data = _form(live)
    data["new-attachment"] = upload(pdf_bytes() + b"x" * 100, "big.pdf")

    response = client.post(f"/expenses/campaigns/{live.pk}/expenses/", data, **HTMX)

    assert response.status_code == 422
    assert "the limit for attachments" in response.content.decode()
    assert not Expense.objects.exists()


def test_the_web_form_checks_csrf(live, pm):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(pm)

    response = client.post(f"/expenses/campaigns/{live.pk}/expenses/", _form(live))

    assert response.status_code == 403
    assert not Expense.objects.exists()


def test_editing_a_row_inline(client, live, pm):
    expense = services.expense_create(campaign=live, actor=pm, data=expense_data(live.lines["materials"]))
    client.force_login(pm)
    url = f"/expenses/{expense.pk}/"

    form = client.get(url + "?edit=1", **HTMX)
    assert form.status_code == 200 and f'name="e{expense.pk}-amount"' in form.content.decode()

    data = {
        f"e{expense.pk}-budget_line": live.lines["third_party"].pk,
        f"e{expense.pk}-amount": "800",
        f"e{expense.pk}-date": "2026-11-11",
        f"e{expense.pk}-vendor": "场地公司",
        f"e{expense.pk}-attachment": upload(pdf_bytes(), "合同.pdf"),
    }
    saved = client.post(url, data, **HTMX)
    assert saved.status_code == 200 and saved["HX-Redirect"].endswith(f"#expense-{expense.pk}")
    expense.refresh_from_db()
    assert (str(expense.amount), expense.category, expense.vendor, expense.attachment_name) == (
        "800.00",
        "third_party",
        "场地公司",
        "合同.pdf",
    )

    data[f"e{expense.pk}-amount"] = "-3"
    refused = client.post(url, data, **HTMX)
    assert refused.status_code == 422 and f'id="expense-{expense.pk}"' in refused.content.decode()


def test_removing_an_expense(client, live, pm):
    expense = services.expense_create(campaign=live, actor=pm, data=expense_data(live.lines["materials"]))
    client.force_login(pm)

    response = client.post(f"/expenses/{expense.pk}/delete/")

    assert response.status_code == 302
    assert not Expense.objects.exists()


@pytest.fixture
def spent(closing, finance):
    for category, amount in (("promotion", "60000.00"), ("materials", "23000.00")):
        services.expense_create(
            campaign=closing, actor=finance, data=expense_data(closing.lines[category], amount=amount)
        )
    return closing


def test_submitting_without_explanations_shows_each_missing_one_under_its_category(client, spent, finance):
    client.force_login(finance)

    response = client.post(
        f"/expenses/campaigns/{spent.pk}/settlement/submit/",
        {"explanations.materials": "客流超预期，追加印制。"},
        **HTMX,
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "Explain the variance of “Third-party services”" in html
    assert "Explain the variance of “Contingency reserve”" in html
    assert "客流超预期，追加印制。" in html  # what was typed is kept
    assert not Settlement.objects.filter(status="submitted").exists()


def test_saving_and_submitting_then_management_decides(client, spent, finance, manager):
    client.force_login(finance)
    explanations = {
        "explanations.materials": "追加印制。",
        "explanations.third_party": "场地未使用，节余。",
        "explanations.contingency": "未动用。",
    }

    saved = client.post(f"/expenses/campaigns/{spent.pk}/settlement/", explanations)
    assert saved.status_code == 302
    assert Settlement.objects.get().explanations["materials"] == "追加印制。"
    submitted = client.post(f"/expenses/campaigns/{spent.pk}/settlement/submit/", explanations, **HTMX)
    assert submitted.status_code == 200 and submitted["HX-Redirect"].endswith("#settlement")
    assert Settlement.objects.get().status == "submitted"

    client.force_login(manager)
    html = client.get(_page(spent)).content.decode()
    assert "Approve" in html and "Reject" in html
    refused = client.post(f"/expenses/campaigns/{spent.pk}/settlement/reject/", {"comment": ""}, **HTMX)
    assert refused.status_code == 422 and "Say why the settlement is rejected." in refused.content.decode()
    approved = client.post(f"/expenses/campaigns/{spent.pk}/settlement/approve/", {"comment": "同意"})
    assert approved.status_code == 302
    assert Settlement.objects.get().status == "approved"
    html = client.get(_page(spent)).content.decode()
    assert "The expense settlement is approved: expenses are frozen." in html
    assert "Record an expense" not in html


def test_an_unknown_settlement_action_is_a_404(client, spent, manager):
    client.force_login(manager)

    assert client.post(f"/expenses/campaigns/{spent.pk}/settlement/publish/").status_code == 404
