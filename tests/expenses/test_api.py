"""The expenses, budget and settlement API (DESIGN §5): shapes, status codes and uploads."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from campaignflow.expenses import services
from campaignflow.expenses.models import Expense, Settlement
from tests.expenses.conftest import expense_data, pdf_bytes, png_bytes, upload


def _url(campaign, suffix=""):
    return f"/api/v1/campaigns/{campaign.pk}/{suffix}"


def _post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_it_records_an_expense_from_json(client, live, finance):
    client.force_login(finance)

    response = _post_json(
        client,
        _url(live, "expenses"),
        {
            "budget_line": live.lines["materials"].pk,
            "amount": "1200.5",
            "date": "2026-11-10",
            "vendor": "印务公司",
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["amount"], body["category"], body["budget_line"], body["attachment"]) == (
        "1200.50",
        "materials",
        live.lines["materials"].pk,
        None,
    )
    assert body["created_by_name"] == "finance"


def test_it_records_an_expense_from_a_form_with_its_attachment_and_serves_it_back(client, live, pm):
    client.force_login(pm)

    response = client.post(
        _url(live, "expenses"),
        {
            "budget_line": live.lines["promotion"].pk,
            "amount": "23000",
            "date": "2026-11-20",
            "vendor": "朋友圈广告",
            "reference": "INV-88",
            "attachment": upload(pdf_bytes(), "发票.pdf"),
        },
    )

    assert response.status_code == 201, response.json()
    attachment = response.json()["attachment"]
    assert (attachment["name"], attachment["type"], attachment["size"]) == (
        "发票.pdf",
        "pdf",
        len(pdf_bytes()),
    )
    assert response.json()["channel_name"] == "朋友圈"
    download = client.get(attachment["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment;" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == pdf_bytes()


def test_a_wrong_attachment_is_a_422_and_nothing_is_written(client, live, finance):
    client.force_login(finance)

    response = client.post(
        _url(live, "expenses"),
        {
            "budget_line": live.lines["promotion"].pk,
            "amount": "100",
            "date": "2026-11-20",
            "vendor": "x",
            "attachment": upload(b"#!/bin/sh\nrm -rf /", "invoice.pdf"),
        },
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "attachment"
    assert not Expense.objects.exists()


def test_an_attachment_over_the_limit_is_a_422(client, live, finance, settings):
    settings.CAMPAIGNFLOW_MAX_ATTACHMENT_BYTES = 64
    client.force_login(finance)

    response = client.post(
        _url(live, "expenses"),
        {
            "budget_line": live.lines["promotion"].pk,
            "amount": "100",
            "date": "2026-11-20",
            "vendor": "x",
            "attachment": upload(pdf_bytes() + b"0" * 200, "big.pdf"),
        },
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "attachment"
    assert not Expense.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "100", "date": "2026-11-20", "vendor": "x"}, "budget_line"),
        ({"budget_line": 1, "amount": "-1", "date": "2026-11-20", "vendor": "x"}, "amount"),
        ({"budget_line": 1, "amount": "1", "date": "not a date", "vendor": "x"}, "date"),
        ({"budget_line": 1, "amount": "1", "date": "2026-11-20", "vendor": "x" * 201}, "vendor"),
        ({"budget_line": 1, "amount": "1", "date": "2026-11-20", "vendor": "x\x00"}, "vendor"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, live, finance, body, field):
    client.force_login(finance)

    response = _post_json(client, _url(live, "expenses"), body)

    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]


def test_a_body_that_is_not_json_is_a_422(client, live, finance):
    client.force_login(finance)

    response = client.post(_url(live, "expenses"), data="{nope", content_type="application/json")

    assert response.status_code == 422


def test_list_get_patch_and_delete(client, live, finance):
    expense = services.expense_create(
        campaign=live, actor=finance, data=expense_data(live.lines["materials"])
    )
    client.force_login(finance)

    listed = client.get(_url(live, "expenses"))
    assert [row["id"] for row in listed.json()] == [expense.pk]
    assert client.get(_url(live, "expenses?category=promotion")).json() == []
    assert client.get(f"/api/v1/expenses/{expense.pk}").json()["vendor"] == "上海印象印务有限公司"

    patched = client.patch(
        f"/api/v1/expenses/{expense.pk}",
        data=json.dumps({"amount": "999.99", "budget_line": live.lines["third_party"].pk}),
        content_type="application/json",
    )
    assert patched.status_code == 200
    assert (patched.json()["amount"], patched.json()["category"]) == ("999.99", "third_party")

    assert client.delete(f"/api/v1/expenses/{expense.pk}").status_code == 204
    assert client.get(f"/api/v1/expenses/{expense.pk}").status_code == 404


def test_attachment_routes(client, live, finance):
    expense = services.expense_create(
        campaign=live, actor=finance, data=expense_data(live.lines["materials"])
    )
    client.force_login(finance)
    url = f"/api/v1/expenses/{expense.pk}/attachment"

    assert client.get(url).status_code == 404
    added = client.post(url, {"attachment": upload(png_bytes(), "r.png")})
    assert added.status_code == 200 and added.json()["attachment"]["type"] == "png"
    assert client.get(url)["Content-Type"] == "image/png"
    assert client.post(url, {}).status_code == 422
    removed = client.delete(url)
    assert removed.status_code == 200 and removed.json()["attachment"] is None


def test_budget_route(client, live, finance):
    services.expense_create(
        campaign=live, actor=finance, data=expense_data(live.lines["third_party"], amount="11500.00")
    )
    client.force_login(finance)

    body = client.get(_url(live, "budget")).json()

    assert (body["currency"], body["as_of"], body["elapsed_days"], body["total_days"]) == (
        "CNY",
        "2026-11-23",
        23,
        30,
    )
    third = next(row for row in body["categories"] if row["category"] == "third_party")
    assert (third["actual"], third["variance"], third["variance_pct"], third["overspent"]) == (
        "11500.00",
        "1500.00",
        "0.15",
        True,
    )
    assert body["burn_rate"] == "500.00"
    assert body["total"]["forecast"] == "15000.00"
    assert "linear" in body["forecast_method"].lower()
    assert body["overspent"] is True
    assert body["reconciliation"]["total"] == {
        "channel": None,
        "channel_name": "Total",
        "expenses": "0.00",
        "metrics_cost": "0.00",
        "difference": "0.00",
        "difference_pct": None,
    }


def test_settlement_routes_from_draft_to_approved(client, closing, finance, manager):
    for category, amount in (("promotion", "60000"), ("materials", "20000"), ("third_party", "8000")):
        services.expense_create(
            campaign=closing, actor=finance, data=expense_data(closing.lines[category], amount=amount)
        )
    client.force_login(finance)
    url = _url(closing, "settlement")

    draft = client.get(url).json()
    assert (draft["id"], draft["status"], draft["threshold"], draft["missing_explanations"]) == (
        None,
        "draft",
        "0.05",
        ["third_party", "contingency"],
    )
    refused = client.post(f"{url}/submit", data="{}", content_type="application/json")
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == [
        "explanations.third_party",
        "explanations.contingency",
    ]
    assert "Third-party services" in refused.json()["detail"]

    saved = client.put(
        url,
        data=json.dumps({"explanations": {"third_party": "场地折扣", "contingency": "未动用"}}),
        content_type="application/json",
    )
    assert saved.status_code == 200 and saved.json()["missing_explanations"] == []
    submitted = client.post(
        f"{url}/submit", data=json.dumps({"comment": "请审批"}), content_type="application/json"
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert client.post(f"{url}/approve", data="{}", content_type="application/json").status_code == 403

    client.force_login(manager)
    approved = client.post(
        f"{url}/approve", data=json.dumps({"comment": "同意"}), content_type="application/json"
    )
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert approved.json()["approvals"][0]["decision"] == "approve"
    assert (
        client.post(
            f"{url}/reject", data=json.dumps({"comment": "x"}), content_type="application/json"
        ).status_code
        == 409
    )
    client.force_login(finance)
    assert (
        client.put(url, data=json.dumps({"explanations": {}}), content_type="application/json").status_code
        == 409
    )
    assert client.post(f"{url}/publish", data="{}", content_type="application/json").status_code == 404


def test_archive_before_settlement_approval_is_a_409_naming_it(client, closing, planner):
    client.force_login(planner)

    response = client.post(
        f"/api/v1/campaigns/{closing.pk}/archive", data="{}", content_type="application/json"
    )

    assert response.status_code == 409
    assert "expense settlement" in response.json()["detail"]


def test_huge_ids_are_404_not_500(client, finance):
    client.force_login(finance)

    assert client.get(f"/api/v1/expenses/{2**70}").status_code == 404
    assert client.get(f"/api/v1/campaigns/{2**70}/budget").status_code == 404


def test_a_settlement_stays_immutable_through_the_api_once_approved(client, closing, finance, manager):
    Settlement.objects.create(campaign=closing, status="approved")
    expense = Expense.objects.create(
        campaign=closing,
        budget_line=closing.lines["materials"],
        category="materials",
        amount="10.00",
        date=dt.date(2026, 10, 2),
        vendor="v",
        created_by=finance,
    )
    client.force_login(finance)

    assert (
        client.patch(
            f"/api/v1/expenses/{expense.pk}",
            data=json.dumps({"amount": "1"}),
            content_type="application/json",
        ).status_code
        == 409
    )
    assert client.delete(f"/api/v1/expenses/{expense.pk}").status_code == 409
    assert (
        client.post(
            f"/api/v1/expenses/{expense.pk}/attachment", {"attachment": upload(pdf_bytes(), "a.pdf")}
        ).status_code
        == 409
    )


def test_the_openapi_document_lists_the_routes(client, finance):
    client.force_login(finance)

    paths = client.get("/api/v1/openapi.json").json()["paths"]

    for path in (
        "/api/v1/campaigns/{campaign_id}/expenses",
        "/api/v1/expenses/{expense_id}",
        "/api/v1/expenses/{expense_id}/attachment",
        "/api/v1/campaigns/{campaign_id}/budget",
        "/api/v1/campaigns/{campaign_id}/settlement",
        "/api/v1/campaigns/{campaign_id}/settlement/{action}",
    ):
        assert path in paths, path
    assert (
        "multipart/form-data"
        in paths["/api/v1/campaigns/{campaign_id}/expenses"]["post"]["requestBody"]["content"]
    )
