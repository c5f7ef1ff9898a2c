"""The Content-Security-Policy in real Chromium: the pages with charts, htmx and the admin run under it
without a single violation (a violation is logged to the console by the browser)."""

from __future__ import annotations

import pytest

from campaignflow.campaigns import demo
from campaignflow.campaigns.models import Campaign
from campaignflow.experiments.models import Experiment

pytestmark = pytest.mark.e2e


def test_no_page_violates_the_content_security_policy(new_page, transactional_db):
    demo.demo_load()
    page = new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")

    campaign = Campaign.objects.filter(daily_metrics__isnull=False).distinct().order_by("pk").first()
    paths = [
        "/",
        f"/campaigns/{campaign.pk}/",
        f"/metrics/campaigns/{campaign.pk}/dashboard/",
        f"/execution/campaigns/{campaign.pk}/gantt/",
        f"/expenses/campaigns/{campaign.pk}/",
        "/reports/calendar/",
        "/knowledge/",
        "/admin/",
        "/api/v1/docs",
    ]
    experiment = Experiment.objects.order_by("pk").first()
    if experiment is not None:
        paths.append(f"/experiments/{experiment.pk}/")
    charts = 0
    for path in paths:
        response = page.goto(path)
        assert response.status < 400, path
        if path != "/api/v1/docs":
            assert "script-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
        charts += page.locator(".main-svg").count()

    assert charts > 0  # plotly drew its charts under the policy
    assert problems == [], "\n".join(problems)
