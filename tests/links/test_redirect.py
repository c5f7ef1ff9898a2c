"""GET /r/<code>: the public redirect, its click buffer, bot filtering and visitor hashing."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from campaignflow.links import buffer as click_buffer
from campaignflow.links import selectors, services
from campaignflow.links.models import Click

from .conftest import BROWSER, PHONE

pytestmark = pytest.mark.django_db


def follow(client, code, ua=BROWSER, ip="203.0.113.7", **extra):
    return client.get(f"/r/{code}", HTTP_USER_AGENT=ua, REMOTE_ADDR=ip, **extra)


def test_it_redirects_to_the_tagged_url_keeping_the_targets_query(client, link, buffer):
    response = follow(client, link.code)

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert (location.scheme, location.netloc, location.path) == ("https", "shop.example", "/tea")
    query = parse_qs(location.query)
    assert {k: v for k, v in query.items() if k != "cf_click"} == {
        "sku": ["42"],
        "utm_source": ["wechat"],
        "utm_medium": ["paid_social"],
        "utm_campaign": ["mc-2024-0007"],
        "utm_content": ["banner"],
    }
    assert len(query["cf_click"][0]) == 12
    assert response["Cache-Control"] == "no-store"


def test_it_answers_404_for_an_unknown_or_inactive_code(client, link, planner, buffer):
    assert follow(client, "nope123").status_code == 404
    services.link_update(link=link, actor=planner, data={"active": False})

    response = follow(client, link.code)

    assert response.status_code == 404
    assert b"Link not found" in response.content
    assert buffer.pending() == 0


def test_a_repeat_hit_neither_reads_nor_writes_the_database(client, link, buffer, django_assert_num_queries):
    follow(client, link.code)  # the first hit reads the link into the cache

    with django_assert_num_queries(0):
        response = follow(client, link.code)

    assert response.status_code == 302
    assert buffer.pending() == 2
    assert Click.objects.count() == 0  # buffered, not written


def test_a_changed_link_is_served_from_the_database_again(client, link, planner, buffer):
    follow(client, link.code)
    services.link_update(link=link, actor=planner, data={"target_url": "https://shop.example/new"})

    response = follow(client, link.code)

    assert response["Location"].startswith("https://shop.example/new?utm_source=wechat")


def test_flushed_clicks_count_people_and_unique_visitors_but_not_bots(client, link, buffer):
    follow(client, link.code, ip="203.0.113.7")
    follow(client, link.code, ip="203.0.113.7")  # the same visitor again
    follow(client, link.code, ua=PHONE, ip="198.51.100.1")
    follow(
        client,
        link.code,
        ua="Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    )
    follow(client, link.code, ua="curl/8.5.0")
    follow(client, link.code, ua="")

    assert click_buffer.flush_clicks() == 6

    row = selectors.link_list(campaign=link.campaign).get(pk=link.pk)
    assert (row.click_count, row.visitor_count, row.bot_count) == (3, 2, 3)
    stats = selectors.link_stats(link=link)
    assert stats.by_client == {"bot": 3, "browser": 2, "mobile": 1}


def test_no_raw_ip_address_is_stored(client, link, buffer):
    follow(client, link.code, ip="203.0.113.77", HTTP_X_FORWARDED_FOR="198.51.100.99, 10.0.0.1")
    click_buffer.flush_clicks()

    click = Click.objects.get()
    stored = " ".join(str(value) for value in Click.objects.values().get().values())
    assert "198.51.100.99" not in stored and "203.0.113.77" not in stored
    assert len(click.visitor) == 32 and int(click.visitor, 16) >= 0


def test_the_forwarded_address_tells_visitors_apart_behind_the_proxy(client, link, buffer):
    follow(client, link.code, ip="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    follow(client, link.code, ip="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")
    click_buffer.flush_clicks()

    assert Click.objects.values("visitor").distinct().count() == 2


def test_a_head_request_is_answered_but_not_counted(client, link, buffer):
    response = client.head(f"/r/{link.code}", HTTP_USER_AGENT=BROWSER)

    assert response.status_code == 302
    assert buffer.pending() == 0


def test_clicks_of_a_link_deleted_before_the_flush_are_dropped(
    client, live_campaign, moments, planner, buffer
):
    spare = services.link_create(
        campaign=live_campaign,
        actor=planner,
        data={
            "channel": moments.pk,
            "target_url": "https://a.example/",
            "utm_source": "wechat",
            "utm_medium": "qr",
        },
    )
    follow(client, spare.code)
    services.link_delete(link=spare, actor=planner)

    assert click_buffer.flush_clicks() == 0
    assert buffer.pending() == 0
