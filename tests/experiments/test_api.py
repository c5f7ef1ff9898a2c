"""The A/B test API: design, lifecycle, observations, results, permissions and bad input."""

from __future__ import annotations

import pytest

from campaignflow.audit.models import AuditEvent
from campaignflow.experiments.models import Experiment, Variant
from tests.experiments.conftest import DESIGN
from tests.experiments.helpers import observe, running_experiment
from tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _create(client, campaign, **changes):
    return client.post(f"/api/v1/campaigns/{campaign.pk}/experiments", DESIGN | changes, content_type=JSON)


@pytest.mark.parametrize("persona", ["planner", "pm", "analyst", "admin_user"])
def test_it_lets_owner_pm_analyst_and_admin_design_a_test(client, live_campaign, persona, request):
    actor = request.getfixturevalue(persona)
    client.force_login(actor)

    response = _create(client, live_campaign)

    assert response.status_code == 201, response.json()
    body = response.json()
    experiment = Experiment.objects.get()
    assert body["id"] == experiment.pk
    assert (body["status"], body["metric"], body["mde"], body["sequential"]) == (
        "draft",
        "conversion_rate",
        0.1,
        False,
    )
    assert [(v["name"], v["is_control"]) for v in body["variants"]] == [("A", True), ("B", False)]
    event = AuditEvent.objects.get(verb="experiment.created")
    assert (event.actor, event.campaign) == (actor, live_campaign)


@pytest.mark.parametrize("persona", ["teammate", "watcher", "finance"])
def test_it_forbids_members_viewers_and_finance_to_design_but_lets_them_read(
    client, live_campaign, planner, persona, request
):
    experiment = running_experiment(live_campaign, planner)
    client.force_login(request.getfixturevalue(persona))

    assert _create(client, live_campaign).status_code == 403
    assert client.post(f"/api/v1/experiments/{experiment.pk}/stop", content_type=JSON).status_code == 403
    assert client.get(f"/api/v1/experiments/{experiment.pk}").status_code == 200
    assert client.get(f"/api/v1/experiments/{experiment.pk}/results").status_code == 200
    assert Experiment.objects.get().status == "running"
    assert Experiment.objects.count() == 1


def test_outsiders_see_nothing(client, live_campaign, planner, outsider):
    experiment = running_experiment(live_campaign, planner)
    client.force_login(outsider)

    assert client.get(f"/api/v1/campaigns/{live_campaign.pk}/experiments").status_code == 404
    assert client.get(f"/api/v1/experiments/{experiment.pk}").status_code == 404
    assert client.get(f"/api/v1/experiments/{experiment.pk}/results").status_code == 404
    assert client.post(f"/api/v1/experiments/{experiment.pk}/stop", content_type=JSON).status_code == 404
    assert client.delete(f"/api/v1/experiments/{experiment.pk}").status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mde": 0}, "mde"),
        ({"mde": "ten"}, "mde"),
        ({"variants": [{"name": "A", "is_control": True}]}, "variants"),
        ({"variants": [{"name": "A"}, {"name": "a"}]}, "variants.1.name"),
        ({"variants": [{"name": "A", "is_control": True}, {"name": "B", "is_control": True}]}, "variants"),
        ({"alpha": 0}, "alpha"),
        ({"power": 1.2}, "power"),
        ({"baseline_rate": 1.5}, "baseline_rate"),
        ({"metric": "clicks"}, "metric"),
        ({"metric": "revenue_per_visitor", "data_source": "daily_metrics"}, "data_source"),
        ({"name": ""}, "name"),
    ],
)
def test_it_refuses_a_bad_design_naming_the_field(client, live_campaign, planner, changes, field):
    client.force_login(planner)

    response = _create(client, live_campaign, **changes)

    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not Experiment.objects.exists()


def test_daily_data_variants_take_the_channel_named_like_them(client, live_campaign, planner):
    douyin = ChannelFactory(name="Douyin")
    client.force_login(planner)

    response = _create(
        client,
        live_campaign,
        data_source="daily_metrics",
        variants=[{"name": "A", "channel": douyin.pk}, {"name": "douyin"}],
    )

    assert response.status_code == 201, response.json()
    assert [v["channel"] for v in response.json()["variants"]] == [douyin.pk, douyin.pk]
    missing = _create(
        client, live_campaign, data_source="daily_metrics", variants=[{"name": "A"}, {"name": "B"}]
    )
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "variants.0.channel"


def test_the_lifecycle_runs_draft_running_stopped_decided(client, live_campaign, planner):
    client.force_login(planner)
    experiment_id = _create(client, live_campaign).json()["id"]

    assert client.post(f"/api/v1/experiments/{experiment_id}/stop", content_type=JSON).status_code == 409
    assert (
        client.post(f"/api/v1/experiments/{experiment_id}/start", content_type=JSON).json()["status"]
        == "running"
    )
    assert (
        client.patch(f"/api/v1/experiments/{experiment_id}", {"mde": 0.2}, content_type=JSON).status_code
        == 409
    )
    assert (
        client.post(f"/api/v1/experiments/{experiment_id}/stop", content_type=JSON).json()["status"]
        == "stopped"
    )
    b = Variant.objects.get(name="B")
    decided = client.post(
        f"/api/v1/experiments/{experiment_id}/decide",
        {"winner": b.pk, "comment": "B wins"},
        content_type=JSON,
    )

    assert decided.status_code == 200
    assert (decided.json()["status"], decided.json()["winner"], decided.json()["decision_note"]) == (
        "decided",
        b.pk,
        "B wins",
    )
    assert client.post(f"/api/v1/experiments/{experiment_id}/start", content_type=JSON).status_code == 409
    assert client.delete(f"/api/v1/experiments/{experiment_id}").status_code == 409
    verbs = list(
        AuditEvent.objects.filter(object_type="experiments.experiment")
        .values_list("verb", flat=True)
        .order_by("id")
    )
    assert verbs == ["experiment.created", "experiment.started", "experiment.stopped", "experiment.decided"]


def test_a_test_starts_only_while_the_campaign_can_send_traffic(client, campaign, planner):
    client.force_login(planner)
    experiment_id = _create(client, campaign).json()["id"]  # campaign is a draft

    response = client.post(f"/api/v1/experiments/{experiment_id}/start", content_type=JSON)

    assert response.status_code == 409
    assert Experiment.objects.get().status == "draft"


def test_a_draft_can_be_edited_and_deleted(client, live_campaign, planner):
    client.force_login(planner)
    experiment_id = _create(client, live_campaign).json()["id"]

    patched = client.patch(
        f"/api/v1/experiments/{experiment_id}",
        {"mde": 0.2, "variants": [{"name": "Old"}, {"name": "New 1"}, {"name": "New 2"}]},
        content_type=JSON,
    )

    assert patched.status_code == 200
    assert patched.json()["mde"] == 0.2
    assert [v["name"] for v in patched.json()["variants"]] == ["Old", "New 1", "New 2"]
    assert client.delete(f"/api/v1/experiments/{experiment_id}").status_code == 204
    assert not Experiment.objects.exists()


def test_observations_are_recorded_and_results_computed(client, live_campaign, analyst):
    experiment = running_experiment(live_campaign, analyst)
    client.force_login(analyst)

    response = client.put(
        f"/api/v1/experiments/{experiment.pk}/observations",
        {
            "observations": [
                {"variant": "A", "visitors": 20000, "conversions": 1000},
                {"variant": "B", "visitors": 20100, "conversions": 1180},
            ]
        },
        content_type=JSON,
    )
    assert response.status_code == 200, response.json()
    results = client.get(f"/api/v1/experiments/{experiment.pk}/results").json()

    assert results["enough_data"] is True
    b = results["variants"][1]
    assert b["uplift"] == pytest.approx((1180 / 20100 - 0.05) / 0.05)
    assert b["ci_low"] > 0 and b["p_value"] < 0.05 and b["significant"] is True
    assert b["chance_to_beat_control"] > 0.99
    assert results["srm_mismatch"] is False
    assert results["design"]["sample_size_per_variant"] > 0
    # Fixed horizon and the planned sample (~34,000 per variant) not reached: do not stop early.
    assert results["verdict"]["kind"] == "keep_running"


@pytest.mark.parametrize(
    ("rows", "field"),
    [
        (
            [
                {"variant": "A", "visitors": 0, "conversions": 0},
                {"variant": "B", "visitors": 10, "conversions": 1},
            ],
            "observations.0.visitors",
        ),
        (
            [
                {"variant": "A", "visitors": 10, "conversions": 11},
                {"variant": "B", "visitors": 10, "conversions": 1},
            ],
            "observations.0.conversions",
        ),
        (
            [
                {"variant": "A", "visitors": "many", "conversions": 1},
                {"variant": "B", "visitors": 10, "conversions": 1},
            ],
            "observations.0.visitors",
        ),
        (
            [
                {"variant": "A", "visitors": 10, "conversions": 1.5},
                {"variant": "B", "visitors": 10, "conversions": 1},
            ],
            "observations.0.conversions",
        ),
        ([{"variant": "A", "visitors": 10, "conversions": 1}], "observations"),
        (
            [
                {"variant": "Z", "visitors": 10, "conversions": 1},
                {"variant": "B", "visitors": 10, "conversions": 1},
            ],
            "observations.0.variant",
        ),
    ],
)
def test_bad_observations_are_refused_naming_the_field(client, live_campaign, planner, rows, field):
    experiment = running_experiment(live_campaign, planner)
    client.force_login(planner)

    response = client.put(
        f"/api/v1/experiments/{experiment.pk}/observations", {"observations": rows}, content_type=JSON
    )

    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    assert list(Variant.objects.values_list("visitors", flat=True)) == [0, 0]


def test_results_say_not_enough_data_instead_of_nan(client, live_campaign, planner):
    experiment = running_experiment(live_campaign, planner)
    client.force_login(planner)

    empty = client.get(f"/api/v1/experiments/{experiment.pk}/results").json()
    observe(experiment, planner, (100, 0), (100, 3))
    no_control_conversions = client.get(f"/api/v1/experiments/{experiment.pk}/results").json()

    for results in (empty, no_control_conversions):
        assert results["enough_data"] is False
        assert results["message"].startswith("Not enough data yet.")
        assert results["verdict"]["kind"] == "keep_running"
        assert all(v["uplift"] is None and v["p_value"] is None for v in results["variants"])
    assert "NaN" not in str(no_control_conversions)


def test_revenue_needs_the_sum_of_squares(client, live_campaign, planner):
    experiment = running_experiment(
        live_campaign, planner, metric="revenue_per_visitor", baseline_mean=8, baseline_sd=30
    )
    client.force_login(planner)
    url = f"/api/v1/experiments/{experiment.pk}/observations"

    missing = client.put(
        url,
        {
            "observations": [
                {"variant": "A", "visitors": 100, "revenue": "800"},
                {"variant": "B", "visitors": 100, "revenue": "900"},
            ]
        },
        content_type=JSON,
    )
    impossible = client.put(
        url,
        {
            "observations": [
                {"variant": "A", "visitors": 100, "revenue": "800", "revenue_sum_squares": "10"},
                {"variant": "B", "visitors": 100, "revenue": "900", "revenue_sum_squares": "90000"},
            ]
        },
        content_type=JSON,
    )
    ok = client.put(
        url,
        {
            "observations": [
                {
                    "variant": "A",
                    "visitors": 1000,
                    "conversions": 40,
                    "revenue": "8000",
                    "revenue_sum_squares": "900000",
                },
                {
                    "variant": "B",
                    "visitors": 1000,
                    "conversions": 45,
                    "revenue": "9000",
                    "revenue_sum_squares": "1000000",
                },
            ]
        },
        content_type=JSON,
    )

    assert (
        missing.status_code == 422
        and missing.json()["errors"][0]["field"] == "observations.0.revenue_sum_squares"
    )
    assert (
        impossible.status_code == 422
        and impossible.json()["errors"][0]["field"] == "observations.0.revenue_sum_squares"
    )
    assert ok.status_code == 200
    results = client.get(f"/api/v1/experiments/{experiment.pk}/results").json()
    assert results["variants"][1]["uplift"] == pytest.approx(0.125)
    assert results["variants"][0]["revenue"] == "8000.00"


def test_a_broken_split_says_stop(client, live_campaign, planner):
    experiment = running_experiment(live_campaign, planner, sequential=True)
    observe(experiment, planner, (10000, 500), (9400, 470))
    client.force_login(planner)

    results = client.get(f"/api/v1/experiments/{experiment.pk}/results").json()

    assert results["srm_mismatch"] is True
    assert results["verdict"]["kind"] == "stop"
    assert "sample-ratio mismatch" in results["verdict"]["message"]


def test_a_sequential_test_may_ship_as_soon_as_it_is_clear(client, live_campaign, planner):
    experiment = running_experiment(live_campaign, planner, sequential=True)
    observe(experiment, planner, (20000, 1000), (20000, 1300))
    client.force_login(planner)

    verdict = client.get(f"/api/v1/experiments/{experiment.pk}/results").json()["verdict"]

    assert verdict["kind"] == "ship"
    assert verdict["variant"] == Variant.objects.get(name="B").pk
    assert "Ship “B”" in verdict["message"]


def test_a_fixed_test_without_effect_at_the_planned_sample_says_stop(client, live_campaign, planner):
    experiment = running_experiment(live_campaign, planner)
    observe(experiment, planner, (40000, 2000), (40000, 2010))
    client.force_login(planner)

    verdict = client.get(f"/api/v1/experiments/{experiment.pk}/results").json()["verdict"]

    assert verdict["kind"] == "stop"
    assert "Keep the control" in verdict["message"]


def test_several_variants_are_holm_adjusted(client, live_campaign, planner):
    experiment = running_experiment(
        live_campaign, planner, sequential=True, variants=[{"name": "A"}, {"name": "B"}, {"name": "C"}]
    )
    experiment.refresh_from_db()
    rows = [
        {"variant": n, "visitors": 20000, "conversions": c}
        for n, c in (("A", 1000), ("B", 1060), ("C", 1300))
    ]
    client.force_login(planner)
    client.put(f"/api/v1/experiments/{experiment.pk}/observations", {"observations": rows}, content_type=JSON)

    results = client.get(f"/api/v1/experiments/{experiment.pk}/results").json()

    b, c = results["variants"][1], results["variants"][2]
    assert c["p_value"] < b["p_value"]
    assert c["p_value_adjusted"] == pytest.approx(2 * c["p_value"])  # smallest of two: times 2
    assert b["p_value_adjusted"] == pytest.approx(min(1, max(b["p_value"], 2 * c["p_value"])))  # then times 1
    assert results["verdict"]["variant"] == Variant.objects.get(name="C").pk
