"""The campaign list page: visibility, filters, htmx partial, pagination and query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import CampaignFactory, ready_plan
from tests.web.helpers import HTMX

pytestmark = pytest.mark.django_db
URL = reverse("campaigns:list")


def names(response) -> list[str]:
    return [c.name for c in response.context["campaigns"]]


@pytest.fixture
def portfolio(planner, marketing, sales, outsider):
    """Three Marketing campaigns in different states and months, and one of Sales."""
    CampaignFactory(
        owner=planner,
        department=marketing,
        name="Spring tea launch",
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 3, 31),
    )
    CampaignFactory(
        owner=planner,
        department=marketing,
        name="Mid-autumn gifts",
        theme="Moon festival",
        status="live",
        start_date=dt.date(2026, 9, 1),
        end_date=dt.date(2026, 9, 30),
    )
    CampaignFactory(
        owner=planner,
        department=marketing,
        name="Year-end sale",
        status="approved",
        number="MC-2026-0007",
        start_date=dt.date(2026, 12, 1),
        end_date=dt.date(2026, 12, 31),
    )
    CampaignFactory(owner=outsider, department=sales, name="Sales roadshow")


def test_it_lists_the_campaigns_the_planner_may_see(client, planner, portfolio):
    client.force_login(planner)

    response = client.get(URL)

    assert response.status_code == 200
    assert sorted(names(response)) == ["Mid-autumn gifts", "Spring tea launch", "Year-end sale"]
    assert 'class="badge badge-live"' in response.content.decode()


def test_it_shows_the_outsider_only_their_department(client, outsider, portfolio):
    client.force_login(outsider)

    response = client.get(URL)

    assert names(response) == ["Sales roadshow"]
    assert "Spring tea launch" not in response.content.decode()


def test_it_shows_finance_every_campaign(client, finance, portfolio):
    client.force_login(finance)

    assert len(names(client.get(URL))) == 4


def test_it_filters_by_status(client, planner, portfolio):
    client.force_login(planner)

    assert names(client.get(URL, {"status": "live"})) == ["Mid-autumn gifts"]


def test_it_filters_by_department(client, finance, portfolio, sales):
    client.force_login(finance)

    assert names(client.get(URL, {"department": sales.pk})) == ["Sales roadshow"]


def test_it_filters_by_date_range(client, planner, portfolio):
    client.force_login(planner)

    response = client.get(URL, {"date_from": "2026-08-01", "date_to": "2026-10-31"})

    assert names(response) == ["Mid-autumn gifts"]


def test_it_filters_by_text_in_name_number_or_theme(client, planner, portfolio):
    client.force_login(planner)

    assert names(client.get(URL, {"q": "LAUNCH"})) == ["Spring tea launch"]
    assert names(client.get(URL, {"q": "MC-2026-0007"})) == ["Year-end sale"]
    assert names(client.get(URL, {"q": "moon"})) == ["Mid-autumn gifts"]


def test_it_ignores_filter_values_that_do_not_parse(client, planner, portfolio):
    client.force_login(planner)

    response = client.get(URL, {"date_from": "not-a-date", "status": "nonsense", "department": "x"})

    assert response.status_code == 200
    assert len(names(response)) == 3


def test_it_returns_only_the_table_to_htmx(client, planner, portfolio):
    client.force_login(planner)

    response = client.get(URL, {"status": "live"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.strip().startswith('<section class="card" id="campaign-table">')
    assert "Mid-autumn gifts" in html
    assert "Spring tea launch" not in html


def test_it_paginates_and_keeps_the_filters_in_the_page_links(client, planner, marketing):
    for n in range(30):
        CampaignFactory(owner=planner, department=marketing, name=f"Weekly push {n:02d}")
    client.force_login(planner)

    first = client.get(URL, {"q": "weekly"})
    second = client.get(URL, {"q": "weekly", "page": 2})

    assert len(names(first)) == 25
    assert len(names(second)) == 5
    assert "?q=weekly&amp;page=2" in first.content.decode()
    assert set(names(first)).isdisjoint(names(second))


def test_the_list_query_count_does_not_grow_with_rows(
    client, planner, marketing, django_assert_max_num_queries
):
    ready_plan(CampaignFactory(owner=planner, department=marketing))
    client.force_login(planner)
    client.get(URL)

    with django_assert_max_num_queries(11) as few:
        client.get(URL)
    for _ in range(20):
        ready_plan(CampaignFactory(owner=planner, department=marketing))
    with django_assert_max_num_queries(11) as many:
        response = client.get(URL)

    assert len(names(response)) == 21
    assert len(many.captured_queries) == len(few.captured_queries)
