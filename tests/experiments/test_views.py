"""The Experiments tab: list and design form, sample-size preview, results page with chart and verdict."""

from __future__ import annotations

import pytest

from campaignflow.experiments.models import Experiment
from tests.experiments.helpers import observe, running_experiment

pytestmark = pytest.mark.django_db


def test_the_campaign_has_an_experiments_tab_listing_tests_with_their_verdict(client, live_campaign, planner):
    running_experiment(live_campaign, planner)
    client.force_login(planner)

    response = client.get(f"/experiments/campaigns/{live_campaign.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Headline test" in html
    assert "Keep running: Not enough data yet." in html
    assert "Design a new A/B test" in html


def test_a_viewer_sees_the_list_without_the_design_form_and_outsiders_get_404(
    client, live_campaign, planner, watcher, outsider
):
    client.force_login(watcher)
    assert (
        "Design a new A/B test"
        not in client.get(f"/experiments/campaigns/{live_campaign.pk}/").content.decode()
    )
    client.force_login(outsider)
    assert client.get(f"/experiments/campaigns/{live_campaign.pk}/").status_code == 404


def test_the_design_form_creates_a_draft_and_reports_bad_input(client, live_campaign, planner):
    client.force_login(planner)
    url = f"/experiments/campaigns/{live_campaign.pk}/"
    form = {
        "name": "Button copy",
        "variants": "Buy now\nLimited offer",
        "metric": "conversion_rate",
        "data_source": "manual",
        "mde": "0.1",
        "alpha": "0.05",
        "power": "0.8",
    }

    single = client.post(url, form | {"variants": "Buy now"})
    created = client.post(url, form)

    assert single.status_code == 422
    assert "An A/B test needs a control and at least one other variant." in single.content.decode()
    experiment = Experiment.objects.get()
    assert created.status_code == 302 and created.url == f"/experiments/{experiment.pk}/"
    assert list(experiment.variants.values_list("name", "is_control")) == [
        ("Buy now", True),
        ("Limited offer", False),
    ]


def test_the_design_preview_shows_sample_size_and_days(client, live_campaign, planner):
    client.force_login(planner)

    response = client.get(
        f"/experiments/campaigns/{live_campaign.pk}/size/",
        {
            "metric": "conversion_rate",
            "baseline_rate": "0.05",
            "mde": "0.1",
            "alpha": "0.05",
            "power": "0.8",
            "daily_visitors": "2000",
            "variants": "A\nB",
        },
    )

    html = response.content.decode()
    assert "34,363 visitors per variant" in html or "34363 visitors per variant" in html
    assert "about 35 days at the expected traffic" in html


def test_the_results_page_draws_the_interval_chart_and_says_ship_in_chinese(client, live_campaign, planner):
    experiment = running_experiment(live_campaign, planner, sequential=True)
    observe(experiment, planner, (20000, 1000), (20000, 1300))
    client.force_login(planner)

    response = client.get(f"/experiments/{experiment.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="experiment-figure"' in html and "plotly" in html
    assert "verdict-ship" in html
    assert "+30.0 %" in html


def test_the_results_page_records_counts_and_names_bad_ones(client, live_campaign, planner):
    experiment = running_experiment(live_campaign, planner)
    a, b = experiment.variants.all()
    client.force_login(planner)
    url = f"/experiments/{experiment.pk}/observations/"

    bad = client.post(
        url,
        {
            f"visitors-{a.pk}": "100",
            f"conversions-{a.pk}": "120",
            f"visitors-{b.pk}": "lots",
            f"conversions-{b.pk}": "3",
        },
    )
    good = client.post(
        url,
        {
            f"visitors-{a.pk}": "100",
            f"conversions-{a.pk}": "10",
            f"visitors-{b.pk}": "100",
            f"conversions-{b.pk}": "12",
        },
    )

    assert bad.status_code == 422
    assert "Conversions cannot exceed visitors." in bad.content.decode()
    assert "Enter a whole number." in bad.content.decode()
    assert good.status_code == 302
    a.refresh_from_db()
    assert (a.visitors, a.conversions) == (100, 10)


def test_the_page_walks_a_test_to_a_decision(client, live_campaign, planner):
    experiment = running_experiment(live_campaign, planner)
    b = experiment.variants.get(name="B")
    client.force_login(planner)

    client.post(f"/experiments/{experiment.pk}/stop/")
    response = client.post(
        f"/experiments/{experiment.pk}/decide/", {"winner": b.pk, "comment": "B is better"}
    )

    experiment.refresh_from_db()
    assert response.status_code == 302
    assert (experiment.status, experiment.winner, experiment.decision_note) == ("decided", b, "B is better")
    assert "Decided: “B” was shipped." in client.get(f"/experiments/{experiment.pk}/").content.decode()
