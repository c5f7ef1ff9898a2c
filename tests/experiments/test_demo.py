"""The demo's live campaign runs an A/B test with data and has a decided one."""

from __future__ import annotations

import datetime as dt

import pytest

from campaignflow.campaigns import demo
from campaignflow.experiments.analysis import experiment_results
from campaignflow.experiments.models import Experiment
from tests.conftest import module_demo

TODAY = dt.date(2026, 11, 23)


demo_world = module_demo(TODAY, "campaignflow.metrics.demo.timezone.localdate")


@pytest.fixture
def loaded(db, demo_world):
    return demo_world


def test_a_live_campaign_has_a_running_test_with_data_and_a_decided_one(loaded):
    live = Experiment.objects.filter(campaign__status="live")

    assert sorted(live.values_list("status", flat=True)) == ["decided", "running"]
    running = live.get(status="running")
    results = experiment_results(running)
    assert results.enough_data and results.verdict.kind == "keep_running"
    decided = live.get(status="decided")
    assert decided.winner.name == "B 价格型"
    assert experiment_results(decided).treatments[0].significant


def test_campaigns_that_closed_decided_both_tests_and_a_reload_adds_nothing(loaded):
    assert not Experiment.objects.filter(
        campaign__status__in=["closing", "archived"], status="running"
    ).exists()
    count = Experiment.objects.count()
    demo.demo_load(today=TODAY)
    assert Experiment.objects.count() == count
