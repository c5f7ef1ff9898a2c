"""A campaign's A/B tests appear in its evaluation report (Table 4) and on its Evaluation page."""

from __future__ import annotations

import io
import math

import pytest
from openpyxl import load_workbook

from campaignflow.campaigns.models import Campaign
from campaignflow.experiments import analysis, services
from campaignflow.reports import registry
from tests.experiments.conftest import DESIGN
from tests.experiments.helpers import observe, running_experiment


@pytest.fixture
def decided(live_campaign, planner):
    """Headline test, 10,000 visitors each: A 500 orders (5 %), B 600 (6 %); B shipped."""
    experiment = running_experiment(live_campaign, planner)
    observe(experiment, planner, (10000, 500), (10000, 600))
    services.experiment_transition(experiment=experiment, actor=planner, action="stop")
    winner = experiment.variants.get(name="B")
    services.experiment_transition(
        experiment=experiment, actor=planner, action="decide", winner=winner, comment="Rolled out on 20 June."
    )
    experiment.refresh_from_db()
    return experiment


def _close(campaign) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(status="closing")
    campaign.refresh_from_db()


def _section(data: dict) -> dict | None:
    return next((s for s in data["sections"] if s["title"] == "A/B tests"), None)


def test_the_evaluation_json_carries_the_decided_test_with_its_numbers_and_verdict(
    client, live_campaign, decided, watcher
):
    _close(live_campaign)
    client.force_login(watcher)
    response = client.get(f"/api/v1/campaigns/{live_campaign.pk}/reports/evaluation", {"format": "json"})

    assert response.status_code == 200
    section = _section(response.json())
    assert section is not None
    overview, variants = section["tables"]
    assert overview["rows"] == [
        {
            "name": "Headline test",
            "status": "Decided",
            "hypothesis": "A price-led headline raises orders",
            "metric": "Conversion rate",
            "verdict": "Decided: “B” was shipped. Rolled out on 20 June.",
        }
    ]
    assert variants["title"] == "Headline test"
    control, b = variants["rows"]
    assert (control["variant"], control["visitors"], control["conversions"]) == ("A (control)", 10000, 500)
    assert control["value"] == pytest.approx(0.05) and control["uplift"] is None
    assert (b["variant"], b["visitors"], b["conversions"]) == ("B", 10000, 600)
    assert b["value"] == pytest.approx(0.06)
    assert b["uplift"] == pytest.approx(0.2)
    # Delta-method interval of the relative uplift: 6 % over 5 % with 10,000 visitors each.
    var_a, var_b = 0.05 * 0.95 / 10000, 0.06 * 0.94 / 10000
    se = math.sqrt(var_b / 0.05**2 + var_a * 0.06**2 / 0.05**4)
    assert b["ci_low"] == pytest.approx(0.2 - 1.96 * se, abs=2e-3)
    assert b["ci_high"] == pytest.approx(0.2 + 1.96 * se, abs=2e-3)
    assert b["p_value"] == pytest.approx(math.erfc(0.2 / se / math.sqrt(2)), rel=0.05)
    assert 0 < b["p_value"] < 0.05 and b["chance_to_beat_control"] > 0.99
    # The very figures of the results page (analysis.py), not a second computation.
    results = analysis.experiment_results(decided).variants[1]
    assert b["ci_low"] == pytest.approx(results.comparison.ci_low)
    assert b["p_value"] == pytest.approx(results.p_adjusted, rel=1e-3)
    assert b["chance_to_beat_control"] == pytest.approx(results.bayes.chance_to_beat)


def test_the_markdown_report_lists_the_test_and_a_running_one_is_marked(live_campaign, decided, planner):
    second = running_experiment(live_campaign, planner, name="Banner colour", hypothesis="")
    services.experiment_create(campaign=live_campaign, actor=planner, data=DESIGN | {"name": "Draft idea"})
    _close(live_campaign)

    md = registry.produce("evaluation", "md", campaign=live_campaign).content.decode()

    assert "## A/B tests" in md
    assert "| Headline test | Decided | A price-led headline raises orders | Conversion rate |" in md
    assert "### Headline test" in md
    assert "| B | 10,000 | 600 | 6.00% | 20.00% |" in md
    assert f"| {second.name} | Still running |" in md
    assert "Still running; the results so far: Keep running" in md
    assert "Draft idea" not in md
    workbook = load_workbook(
        io.BytesIO(registry.produce("evaluation", "xlsx", campaign=live_campaign).content)
    )
    sheet = workbook["A B tests"]
    cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert "Headline test" in cells and "B" in cells and 600 in cells
    assert registry.produce("evaluation", "pdf", campaign=live_campaign).content.startswith(b"%PDF-")


def test_a_campaign_without_tests_has_no_such_section(client, live_campaign, planner, watcher):
    services.experiment_create(campaign=live_campaign, actor=planner, data=DESIGN | {"name": "Only a draft"})
    _close(live_campaign)
    client.force_login(watcher)

    data = client.get(f"/api/v1/campaigns/{live_campaign.pk}/reports/evaluation").json()
    page = client.get(f"/evaluation/campaigns/{live_campaign.pk}/").content.decode()

    assert _section(data) is None
    assert [s["title"] for s in data["sections"]][-1] == "Retrospective meeting"
    assert "A/B tests" not in page and "Only a draft" not in page


def test_the_evaluation_page_shows_the_tests(client, live_campaign, decided, watcher):
    _close(live_campaign)
    client.force_login(watcher)

    page = client.get(f"/evaluation/campaigns/{live_campaign.pk}/").content.decode()

    assert "<h3>A/B tests</h3>" in page
    assert "Decided: “B” was shipped. Rolled out on 20 June." in page
    assert "A (control)" in page and "10,000" in page and "20.00%" in page
