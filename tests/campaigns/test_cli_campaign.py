"""The `campaign` command drives the same lifecycle as the API, as a named user."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def _run(*args) -> str:
    out = StringIO()
    call_command("campaign", *args, stdout=out)
    return out.getvalue()


def test_it_creates_submits_and_approves_from_the_shell(planner, dept_head, manager, marketing):
    created = json.loads(
        _run(
            "--user",
            "planner",
            "create",
            "双11大促",
            "--template",
            "holiday_promotion",
            "--budget",
            "800000",
            "--start",
            "2026-11-01",
        )
    )
    assert (created["status"], created["budget_total"], created["end_date"]) == (
        "draft",
        "800000.00",
        "2026-11-21",
    )
    cid = str(created["id"])
    from campaignflow.campaigns.models import Campaign

    Campaign.objects.filter(pk=created["id"]).update(background="bg", target_audience="all", theme="双11")
    assert json.loads(_run("--user", "planner", "submit", cid))["status"] == "in_review"
    assert json.loads(_run("--user", "dept_head", "approve", cid))["status"] == "in_review"
    approved = json.loads(_run("--user", "manager", "approve", cid, "--comment", "同意"))
    assert approved["status"] == "approved" and approved["number"].startswith("MC-")
    assert "双11大促" in _run("--user", "planner", "list")


def test_it_reports_refusals_as_errors(campaign, planner, manager):
    with pytest.raises(CommandError, match="Cannot approve a campaign that is Draft"):
        _run("--user", "manager", "approve", str(campaign.pk))
    with pytest.raises(CommandError, match="reason"):
        _run("--user", "planner", "cancel", str(campaign.pk))
    with pytest.raises(CommandError, match="no active user"):
        _run("--user", "ghost", "list")
