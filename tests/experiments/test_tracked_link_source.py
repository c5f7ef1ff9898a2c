"""A/B tests whose variants each count the visitors and conversions of their own tracked link."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from campaignflow.experiments import services, sources
from campaignflow.experiments.analysis import experiment_results
from campaignflow.experiments.models import Experiment
from campaignflow.links import buffer as click_buffer
from campaignflow.links import services as link_services
from campaignflow.links.models import Click
from campaignflow.links.tracking import local_day
from tests.experiments.conftest import DESIGN
from tests.factories import CampaignFactory, ChannelFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def moments(db):
    return ChannelFactory(name="朋友圈", kind="paid_social")


def _link(campaign, actor, channel, name):
    return link_services.link_create(
        campaign=campaign,
        actor=actor,
        data={
            "channel": channel.pk,
            "name": name,
            "target_url": "https://shop.example/tea",
            "utm_source": "wechat",
            "utm_medium": "paid_social",
            "utm_content": name.lower().replace(" ", "-"),
        },
    )


@pytest.fixture
def link_a(live_campaign, planner, moments):
    return _link(live_campaign, planner, moments, "Headline A")


@pytest.fixture
def link_b(live_campaign, planner, moments):
    return _link(live_campaign, planner, moments, "Headline B")


@pytest.fixture
def other_link(planner, marketing, moments):
    other = CampaignFactory(owner=planner, department=marketing, name="Double 11", status="live")
    return _link(other, planner, moments, "Elsewhere")


@pytest.fixture
def buffer():
    fresh = click_buffer.MemoryBuffer(background=False)
    previous = click_buffer.set_buffer(fresh)
    yield fresh
    click_buffer.set_buffer(previous)


def _design(link_a, link_b, **changes):
    return DESIGN | {
        "data_source": "tracked_link",
        "variants": [
            {"name": "A", "is_control": True, "link": link_a.pk},
            {"name": "B", "link": link_b.pk},
        ],
        **changes,
    }


def _running(campaign, actor, link_a, link_b, **changes):
    experiment = services.experiment_create(
        campaign=campaign, actor=actor, data=_design(link_a, link_b, **changes)
    )
    return services.experiment_transition(experiment=experiment, actor=actor, action="start")


def _clock(monkeypatch, when):
    """The services' clock: the moment a test starts or stops."""
    monkeypatch.setattr(services, "timezone", SimpleNamespace(now=lambda: when))


def _click(link, visitor, at, *, bot=False):
    return Click.objects.create(link=link, visitor=visitor, at=at, day=local_day(at), is_bot=bot)


def _convert(link, external_id, value, at, click=None):
    return link_services.conversion_record(
        link=link, external_id=external_id, value=Decimal(value), at=at, click=click
    )


def _counts(experiment):
    return {
        row.variant.name: (row.visitors, row.conversions, row.revenue)
        for row in experiment_results(experiment).variants
    }


def test_visitors_are_unique_humans_of_each_link_while_the_test_ran(
    live_campaign, planner, link_a, link_b, monkeypatch
):
    start, stop = dt.datetime(2024, 6, 10, 9, tzinfo=dt.UTC), dt.datetime(2024, 6, 12, 21, tzinfo=dt.UTC)
    _clock(monkeypatch, start)
    experiment = _running(live_campaign, planner, link_a, link_b)
    _click(link_a, "before", start - dt.timedelta(hours=1))  # clicked before the test started
    during = start + dt.timedelta(days=1)
    first = _click(link_a, "v1", during)
    _click(link_a, "v1", during + dt.timedelta(minutes=5))  # came back: still one visitor
    _click(link_a, "v2", during)
    _click(link_a, "crawler", during, bot=True)
    _click(link_a, "crawler-2", during, bot=True)
    _click(link_b, "v3", during)
    _convert(link_a, "early", "99.00", start - dt.timedelta(hours=1))
    _convert(link_a, "o-1", "120.00", during, click=first)
    _convert(link_b, "o-2", "80.00", during)
    after = stop + dt.timedelta(hours=1)
    _click(link_a, "late", after)  # after the test stopped
    _click(link_b, "late", after)
    _convert(link_b, "late", "50.00", after)
    _clock(monkeypatch, stop)
    experiment = services.experiment_transition(experiment=experiment, actor=planner, action="stop")

    assert _counts(experiment) == {"A": (2, 1, 120.0), "B": (1, 1, 80.0)}


def test_conversions_are_capped_at_visitors_and_revenue_is_squared_per_visitor(
    client, live_campaign, planner, link_a, link_b
):
    experiment = _running(
        live_campaign, planner, link_a, link_b, metric="revenue_per_visitor", baseline_mean=5, baseline_sd=20
    )
    during = experiment.started_at + dt.timedelta(seconds=1)
    buyer = _click(link_a, "buyer", during)
    _click(link_a, "browser", during)
    _click(link_a, "third", during)
    # Two orders of the same visitor count as one visitor's 150; an order without a click is its own.
    _convert(link_a, "a-1", "100.00", during, click=buyer)
    _convert(link_a, "a-2", "50.00", during, click=buyer)
    _convert(link_a, "a-3", "30.00", during)
    # Link B: three orders without clicks but only two visitors.
    _click(link_b, "x", during)
    _click(link_b, "y", during)
    for number, value in enumerate(("10.00", "20.00", "30.00")):
        _convert(link_b, f"b-{number}", value, during)
    client.force_login(planner)

    body = client.get(f"/api/v1/experiments/{experiment.pk}/results").json()

    rows = {row["name"]: row for row in body["variants"]}
    assert (rows["A"]["visitors"], rows["A"]["conversions"], rows["A"]["revenue"]) == (3, 3, "180.00")
    assert (rows["B"]["visitors"], rows["B"]["conversions"], rows["B"]["revenue"]) == (2, 2, "60.00")
    assert rows["A"]["value"] == pytest.approx(60.0)
    variants = list(experiment.variants.all())
    counts = sources.observations(experiment, variants)
    by_name = {v.name: counts[v.pk] for v in variants}
    assert by_name["A"].revenue_sum_squares == Decimal(150**2 + 30**2)
    # 10² + 20² + 30² = 1400 is less than 60² / 2 visitors, which no split over two visitors can be.
    assert by_name["B"].revenue_sum_squares == Decimal(1800)


def test_clicks_still_in_the_process_buffer_are_counted(live_campaign, planner, link_a, link_b, buffer):
    experiment = _running(live_campaign, planner, link_a, link_b)
    at = (experiment.started_at + dt.timedelta(seconds=1)).timestamp()
    for visitor in ("p", "q", "q"):
        click_buffer.record_click(click_buffer.ClickRecord(link_b.pk, at, visitor, "mobile", False, ""))
    assert buffer.pending() == 3

    assert _counts(experiment)["B"] == (2, 0, 0.0)
    assert buffer.pending() == 0


def test_a_test_that_has_not_started_counts_nothing(live_campaign, planner, link_a, link_b):
    experiment = services.experiment_create(
        campaign=live_campaign, actor=planner, data=_design(link_a, link_b)
    )
    _click(link_a, "v1", experiment.created_at)

    results = experiment_results(experiment)

    assert [r.visitors for r in results.variants] == [0, 0]
    assert not results.enough_data


def test_results_are_computed_from_the_links(client, live_campaign, planner, link_a, link_b):
    experiment = _running(live_campaign, planner, link_a, link_b, mde=0.6)
    during = experiment.started_at + dt.timedelta(seconds=1)
    for link, visitors, conversions in ((link_a, 2000, 100), (link_b, 2000, 160)):
        Click.objects.bulk_create(
            Click(link=link, visitor=f"{link.pk}-{n}", at=during, day=local_day(during))
            for n in range(visitors)
        )
        for n in range(conversions):
            _convert(link, f"{link.pk}-{n}", "99.00", during)
    client.force_login(planner)

    body = client.get(f"/api/v1/experiments/{experiment.pk}/results").json()
    page = client.get(f"/experiments/{experiment.pk}/")

    assert body["enough_data"] is True
    b = next(row for row in body["variants"] if row["name"] == "B")
    assert (b["visitors"], b["conversions"]) == (2000, 160)
    assert b["uplift"] == pytest.approx(0.6)
    assert b["significant"] is True and b["chance_to_beat_control"] > 0.99
    assert body["verdict"]["kind"] == "ship"
    html = page.content.decode()
    assert "Headline B" in html and "+60.0 %" in html
    assert "Record the counts so far" not in html  # nothing to type in: the links count


def test_the_api_takes_and_returns_each_variants_link(client, live_campaign, planner, link_a, link_b):
    client.force_login(planner)

    created = client.post(
        f"/api/v1/campaigns/{live_campaign.pk}/experiments", _design(link_a, link_b), content_type=JSON
    )
    fetched = client.get(f"/api/v1/experiments/{created.json()['id']}")

    assert created.status_code == 201, created.json()
    for body in (created.json(), fetched.json()):
        assert body["data_source"] == "tracked_link"
        assert [(v["name"], v["link"]) for v in body["variants"]] == [("A", link_a.pk), ("B", link_b.pk)]


@pytest.mark.parametrize(
    ("variants", "field", "message"),
    [
        ([{"name": "A", "link": "a"}, {"name": "B"}], "variants.1.link", "Choose the tracked link"),
        ([{"name": "A", "link": "a"}, {"name": "B", "link": "a"}], "variants.1.link", "its own tracked link"),
        ([{"name": "A", "link": "a"}, {"name": "B", "link": "other"}], "variants.1.link", "of this campaign"),
        ([{"name": "A", "link": 2**62}, {"name": "B", "link": "b"}], "variants.0.link", "Unknown link"),
    ],
)
def test_bad_links_are_refused_naming_the_variant(
    client, live_campaign, planner, link_a, link_b, other_link, variants, field, message
):
    ids = {"a": link_a.pk, "b": link_b.pk, "other": other_link.pk}
    for variant in variants:
        if "link" in variant:
            variant["link"] = ids.get(variant["link"], variant["link"])
    client.force_login(planner)

    response = client.post(
        f"/api/v1/campaigns/{live_campaign.pk}/experiments",
        DESIGN | {"data_source": "tracked_link", "variants": variants},
        content_type=JSON,
    )

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors[0]["field"] == field and message in errors[0]["message"]
    assert not Experiment.objects.exists()


def test_switching_a_draft_to_tracked_links_needs_links_and_then_keeps_them(
    client, live_campaign, planner, link_a, link_b
):
    experiment = services.experiment_create(campaign=live_campaign, actor=planner, data=DESIGN)
    client.force_login(planner)
    url = f"/api/v1/experiments/{experiment.pk}"

    refused = client.patch(url, {"data_source": "tracked_link"}, content_type=JSON)
    accepted = client.patch(
        url,
        {
            "data_source": "tracked_link",
            "variants": [{"name": "A", "link": link_a.pk}, {"name": "B", "link": link_b.pk}],
        },
        content_type=JSON,
    )

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "variants.0.link"
    assert accepted.status_code == 200
    assert [v["link"] for v in accepted.json()["variants"]] == [link_a.pk, link_b.pk]


def test_a_test_whose_link_was_removed_cannot_start(live_campaign, planner, link_a, link_b):
    experiment = services.experiment_create(
        campaign=live_campaign, actor=planner, data=_design(link_a, link_b)
    )
    link_b.delete()

    with pytest.raises(services.Conflict):
        services.experiment_transition(experiment=experiment, actor=planner, action="start")


def test_counts_of_a_tracked_link_test_cannot_be_typed_in(client, live_campaign, planner, link_a, link_b):
    experiment = _running(live_campaign, planner, link_a, link_b)
    client.force_login(planner)

    response = client.put(
        f"/api/v1/experiments/{experiment.pk}/observations",
        {"observations": [{"variant": "A", "visitors": 10}, {"variant": "B", "visitors": 10}]},
        content_type=JSON,
    )

    assert response.status_code == 409


def test_the_design_form_offers_a_link_per_variant_and_saves_them(
    client, live_campaign, planner, link_a, link_b
):
    client.force_login(planner)
    url = f"/experiments/campaigns/{live_campaign.pk}/"

    page = client.get(url)
    response = client.post(
        url,
        {
            "name": "Landing headline",
            "variants": "Efficacy\nPrice",
            "metric": "conversion_rate",
            "data_source": "tracked_link",
            "mde": "0.1",
            "alpha": "0.05",
            "power": "0.8",
            "variants.0.link": str(link_a.pk),
            "variants.1.link": str(link_b.pk),
        },
    )

    html = page.content.decode()
    assert 'name="variants.0.link"' in html and "Headline A" in html
    assert response.status_code == 302
    experiment = Experiment.objects.get()
    assert list(experiment.variants.values_list("name", "link")) == [
        ("Efficacy", link_a.pk),
        ("Price", link_b.pk),
    ]


def test_the_design_form_names_the_missing_link(client, live_campaign, planner, link_a):
    client.force_login(planner)

    response = client.post(
        f"/experiments/campaigns/{live_campaign.pk}/",
        {
            "name": "Landing headline",
            "variants": "Efficacy\nPrice",
            "metric": "conversion_rate",
            "data_source": "tracked_link",
            "mde": "0.1",
            "alpha": "0.05",
            "power": "0.8",
            "variants.0.link": str(link_a.pk),
        },
    )

    assert response.status_code == 422
    assert "Choose the tracked link whose visitors count for this variant." in response.content.decode()
    assert not Experiment.objects.exists()
