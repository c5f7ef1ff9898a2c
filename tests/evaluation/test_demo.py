"""The demo's closing campaign carries a submitted evaluation report, the archived one an approved
report (so it passes the archive guard) and its stored archive."""

from __future__ import annotations

import datetime as dt

import pytest

from campaignflow.campaigns import demo
from campaignflow.campaigns.models import Campaign
from campaignflow.evaluation.archive import archive_dir
from campaignflow.evaluation.models import EvaluationReport

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def loaded(db, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    return demo.demo_load(today=TODAY)


def test_the_closing_report_is_submitted_and_the_archived_one_approved(loaded):
    reports = {
        report.campaign.status: report for report in EvaluationReport.objects.select_related("campaign")
    }

    assert not [w for w in loaded.warnings if "archive" in w.lower()]
    assert set(reports) == {"closing", "archived"}
    assert reports["closing"].status == "submitted"
    assert reports["archived"].status == "approved"
    assert reports["archived"].submitted_by.username == "chen.analyst"
    assert all(d.analysis for d in reports["archived"].dimensions.all())
    archived = Campaign.objects.get(status="archived")
    assert "evaluation.pdf" in {path.name for path in archive_dir(archived.pk).iterdir()}
