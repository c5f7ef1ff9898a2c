"""GET/PUT /campaigns/{id}/evaluation, PATCH /evaluation-dimensions/{id} and the actions."""

from __future__ import annotations

URL = "/api/v1/campaigns/{}/evaluation"


def test_it_reads_prefilled_writes_and_submits(client, closing, analyst, manager):
    client.force_login(analyst)
    assert client.get(URL.format(closing.pk)).json()["dimensions"][0]["achievement"] == "1.200000"

    put = client.put(
        URL.format(closing.pk), {"summary": "达成", "keep": "例会"}, content_type="application/json"
    )
    dimension = put.json()["dimensions"][2]
    patch = client.patch(
        f"/api/v1/evaluation-dimensions/{dimension['id']}",
        {"analysis": "成本偏高"},
        content_type="application/json",
    )
    submit = client.post(URL.format(closing.pk) + "/submit", {}, content_type="application/json")
    client.force_login(manager)
    approve = client.post(
        URL.format(closing.pk) + "/approve", {"comment": "同意"}, content_type="application/json"
    )

    assert (put.status_code, put.json()["keep"]) == (200, "例会")
    assert (patch.status_code, patch.json()["analysis"], patch.json()["metric"]) == (200, "成本偏高", "cpa")
    assert submit.json()["status"] == "submitted"
    assert approve.json()["status"] == "approved"
    client.force_login(analyst)
    again = client.put(URL.format(closing.pk), {"summary": "x"}, content_type="application/json")
    assert again.status_code == 409


def test_errors_are_json_naming_the_field(client, closing, analyst, viewer, outsider):
    client.force_login(analyst)
    submit = client.post(URL.format(closing.pk) + "/submit", {}, content_type="application/json")
    assert submit.status_code == 409
    client.put(URL.format(closing.pk), {"meeting_notes": "n"}, content_type="application/json")
    missing = client.post(URL.format(closing.pk) + "/submit", {}, content_type="application/json")
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "summary"
    bad_meeting = client.put(URL.format(closing.pk), {"meeting_id": 999}, content_type="application/json")
    assert bad_meeting.status_code == 422 and bad_meeting.json()["errors"][0]["field"] == "meeting"

    client.force_login(viewer)
    assert client.get(URL.format(closing.pk)).status_code == 200
    assert (
        client.put(URL.format(closing.pk), {"summary": "x"}, content_type="application/json").status_code
        == 403
    )
    client.force_login(outsider)
    assert client.get(URL.format(closing.pk)).status_code == 404


def test_the_report_kinds_download_as_pdf(client, closing, viewer):
    client.force_login(viewer)
    for kind in ("evaluation", "settlement"):
        response = client.get(f"/api/v1/campaigns/{closing.pk}/reports/{kind}", {"format": "pdf"})
        assert response.status_code == 200 and response.content.startswith(b"%PDF-")
