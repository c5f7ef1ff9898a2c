"""Archiving stores the rendered reports; the zip holds them with the knowledge snapshot."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from campaignflow.campaigns.services import campaign_transition
from campaignflow.evaluation import services
from campaignflow.evaluation.archive import archive_dir
from campaignflow.expenses.models import Settlement

NAMES = {f"{kind}.{fmt}" for kind in ("plan", "tasks", "evaluation", "settlement") for fmt in ("pdf", "xlsx")}


@pytest.fixture
def archived(closing, planner, manager):
    Settlement.objects.create(campaign=closing, status="approved")
    services.evaluation_update(
        campaign=closing, actor=planner, data={"summary": "达成", "try_next": "直播优惠券"}
    )
    services.evaluation_submit(campaign=closing, actor=planner)
    services.evaluation_approve(campaign=closing, actor=manager)
    campaign_transition(campaign=closing, actor=planner, action="archive")
    closing.refresh_from_db()
    return closing


def test_archiving_stores_the_reports_and_the_zip_holds_them_with_the_snapshot(client, archived, viewer):
    assert {path.name for path in archive_dir(archived.pk).iterdir()} == NAMES
    client.force_login(viewer)

    response = client.get(f"/api/v1/campaigns/{archived.pk}/archive.zip")

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == NAMES | {"snapshot.json"}
    snapshot = json.loads(archive.read("snapshot.json"))
    assert snapshot["campaign"]["name"] == "秋季新品推广"
    assert snapshot["evaluation"]["lessons"]["try"] == "直播优惠券"
    assert archive.read("evaluation.pdf").startswith(b"%PDF-")


def test_the_stored_files_do_not_change_when_people_are_renamed(client, archived, planner):
    before = (archive_dir(archived.pk) / "plan.pdf").read_bytes()
    planner.first_name, planner.last_name = "改名", "之后"
    planner.save()
    client.force_login(planner)

    archive = zipfile.ZipFile(
        io.BytesIO(client.get(f"/evaluation/campaigns/{archived.pk}/archive.zip").content)
    )

    assert archive.read("plan.pdf") == before


def test_outsiders_get_404_and_a_running_campaign_has_no_archive(client, closing, outsider, planner):
    client.force_login(outsider)
    assert client.get(f"/api/v1/campaigns/{closing.pk}/archive.zip").status_code == 404
    client.force_login(planner)
    assert client.get(f"/api/v1/campaigns/{closing.pk}/archive.zip").status_code == 409
