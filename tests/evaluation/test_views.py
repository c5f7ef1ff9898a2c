"""The Evaluation tab: start, save, htmx row editing, submit and decide."""

from __future__ import annotations

from campaignflow.evaluation.models import EvaluationDimension, EvaluationReport


def test_the_tab_shows_the_prefilled_table_and_a_writer_starts_and_edits(client, closing, pm):
    client.force_login(pm)

    page = client.get(f"/evaluation/campaigns/{closing.pk}/")
    start = client.post(f"/evaluation/campaigns/{closing.pk}/start/")
    dimension = EvaluationDimension.objects.get(metric="cpa")
    row = client.post(
        f"/evaluation/dimensions/{dimension.pk}/", {"analysis": "成本偏高"}, HTTP_HX_REQUEST="true"
    )
    save = client.post(f"/evaluation/campaigns/{closing.pk}/save/", {"summary": "整体达成", "keep": "例会"})
    submit = client.post(f"/evaluation/campaigns/{closing.pk}/submit/")

    assert (
        page.status_code == 200 and "单次转化成本" in page.content.decode() and "80%" in page.content.decode()
    )
    assert "1,000,000.00" in page.content.decode()  # the revenue target as an amount, not 1000000.0000
    assert "1000000.0000" not in page.content.decode()
    assert start.status_code == 302
    assert row.status_code == 200 and "成本偏高" in row.content.decode()
    assert save.status_code == 302 and submit.status_code == 302
    assert EvaluationReport.objects.get().status == "submitted"


def test_a_viewer_sees_no_forms_and_a_refused_post_changes_nothing(client, closing, viewer):
    client.force_login(viewer)

    page = client.get(f"/evaluation/campaigns/{closing.pk}/").content.decode()
    response = client.post(f"/evaluation/campaigns/{closing.pk}/start/")

    assert "Start the evaluation report" not in page
    assert response.status_code == 403 and not EvaluationReport.objects.exists()


def test_management_rejects_with_a_comment(client, closing, pm, manager):
    client.force_login(pm)
    client.post(f"/evaluation/campaigns/{closing.pk}/save/", {"summary": "整体达成"})
    client.post(f"/evaluation/campaigns/{closing.pk}/submit/")
    client.force_login(manager)

    empty = client.post(f"/evaluation/campaigns/{closing.pk}/reject/", {"comment": ""})
    done = client.post(f"/evaluation/campaigns/{closing.pk}/reject/", {"comment": "补充分析"})

    assert empty.status_code == 422 and done.status_code == 302
    assert EvaluationReport.objects.get().status == "draft"


def test_a_submitted_report_waits_in_managements_approval_inbox(client, closing, pm, manager):
    from campaignflow.evaluation import services

    services.evaluation_update(campaign=closing, actor=pm, data={"summary": "线上达成，线下未达预期"})
    services.evaluation_submit(campaign=closing, actor=pm)
    client.force_login(manager)

    page = client.get("/approvals/")

    assert [(str(row["kind"]), row["document"].campaign) for row in page.context["closeout_rows"]] == [
        ("Evaluation report", closing)
    ]
    assert f'href="/evaluation/campaigns/{closing.pk}/#evaluation"' in page.content.decode()
    client.force_login(pm)
    assert client.get("/approvals/").context["closeout_rows"] == []
