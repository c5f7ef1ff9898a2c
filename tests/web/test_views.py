"""Layout, sign-in, dashboard and language switching."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from campaignflow.campaigns import services
from tests.factories import PASSWORD, CampaignFactory, ready_plan
from tests.web.helpers import submit

pytestmark = pytest.mark.django_db


# --- sign-in and layout ---------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_the_sign_in_page(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_it_renders_the_sign_in_page(client):
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


def test_it_signs_in_with_username_and_password_and_signs_out_with_a_post(client, planner):
    response = client.post(reverse("accounts:login"), {"username": "planner", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("web:dashboard")

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_it_shows_a_sign_in_error_for_a_wrong_password(client, planner):
    response = client.post(reverse("accounts:login"), {"username": "planner", "password": "wrong"})

    assert response.status_code == 200
    assert b"alert-error" in response.content


def test_it_serves_htmx_and_the_stylesheet_locally(client, planner):
    client.force_login(planner)

    html = client.get("/").content.decode()

    assert '<script src="/static/django_htmx/htmx-2.min.js" defer></script>' in html
    assert "/static/campaignflow/app.css" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html


def test_it_links_the_admin_only_for_administrators(client, planner, admin_user):
    client.force_login(planner)
    assert reverse("admin:index") not in client.get("/").content.decode()

    client.force_login(admin_user)
    assert reverse("admin:index") in client.get("/").content.decode()


# --- language ---------------------------------------------------------------------------------


def test_it_renders_the_language_the_browser_asks_for(client, planner):
    client.force_login(planner)

    response = client.get("/", headers={"accept-language": "zh-hans"})

    assert '<html lang="zh-hans">' in response.content.decode()


def test_it_offers_every_configured_language_in_the_switcher(client, planner):
    client.force_login(planner)

    html = client.get("/").content.decode()

    assert f'action="{reverse("set_language")}"' in html
    for code, name in settings.LANGUAGES:
        assert f'value="{code}"' in html
        assert name in html


def test_it_switches_the_language_with_the_switcher(client, planner):
    client.force_login(planner)

    response = client.post(reverse("set_language"), {"language": "zh-hant", "next": "/campaigns/"})

    assert response.status_code == 302
    assert response.url == "/campaigns/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hant"
    assert '<html lang="zh-hant">' in client.get("/campaigns/").content.decode()


# --- dashboard ---------------------------------------------------------------------------------


def test_it_shows_my_campaigns_on_the_dashboard(client, planner, campaign):
    client.force_login(planner)

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Spring tea launch" in html
    assert 'class="badge badge-draft"' in html
    assert [c.pk for c in response.context["my_campaigns"]] == [campaign.pk]


def test_it_counts_visible_campaigns_per_stage(client, planner, campaign, marketing):
    CampaignFactory(owner=planner, department=marketing, status="live")
    CampaignFactory(owner=planner, department=marketing, status="cancelled")
    client.force_login(planner)

    stages = {item["stage"]: item["count"] for item in client.get("/").context["stages"]}

    assert stages == {"planning": 1, "execution": 0, "tracking": 1, "closeout": 1}


def test_it_shows_what_waits_for_the_department_head(client, planner, dept_head, manager, campaign):
    submit(campaign, planner)

    client.force_login(dept_head)
    response = client.get("/")
    assert [row["campaign"].pk for row in response.context["waiting"]] == [campaign.pk]
    badge = re.search(r'<span id="nav-approvals-badge"[^>]*>(\d+)</span>', response.content.decode())
    assert badge.group(1) == "1"
    assert " hidden" not in badge.group(0)

    client.force_login(manager)
    assert client.get("/").context["waiting"] == []


def test_it_hides_other_departments_campaigns_from_the_outsider(client, outsider, campaign):
    client.force_login(outsider)

    response = client.get("/")

    assert response.context["my_campaigns"] == []
    assert "Spring tea launch" not in response.content.decode()
    assert sum(item["count"] for item in response.context["stages"]) == 0


def test_the_dashboard_query_count_does_not_grow_with_campaigns(
    client, planner, dept_head, marketing, django_assert_max_num_queries
):
    def add_campaigns(n):
        for _ in range(n):
            submit(ready_plan(CampaignFactory(owner=planner, department=marketing)), planner)

    add_campaigns(2)
    client.force_login(dept_head)
    client.get("/")  # warm the organization row and the session

    with django_assert_max_num_queries(13) as few:
        client.get("/")
    add_campaigns(8)
    with django_assert_max_num_queries(13) as many:
        response = client.get("/")

    assert len(response.context["waiting"]) == 10
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_dashboard_lists_my_campaigns_with_a_bounded_number_of_queries_for_the_planner(
    client, planner, marketing, django_assert_max_num_queries
):
    for _ in range(15):
        ready_plan(CampaignFactory(owner=planner, department=marketing))
    client.force_login(planner)

    with django_assert_max_num_queries(13):
        response = client.get("/")

    assert len(response.context["my_campaigns"]) == 10
    assert response.context["my_campaigns_more"] is True


def test_it_keeps_views_login_required_everywhere(campaign):
    anonymous = Client()
    for url in [
        "/",
        "/approvals/",
        "/campaigns/",
        "/campaigns/new/",
        f"/campaigns/{campaign.pk}/",
        f"/campaigns/{campaign.pk}/edit/",
    ]:
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:login")), url


def test_it_never_lets_a_post_through_without_sign_in(campaign):
    response = Client().post(f"/campaigns/{campaign.pk}/action/submit/")

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "draft"
    assert services.plan_problems(campaign)[0] == []


def test_pages_are_fully_translated_into_both_chinese_scripts(client, planner, campaign):
    """Every catalog entry is translated, and a page comes out in the requested script."""
    from pathlib import Path

    import campaignflow

    locale = Path(campaignflow.__file__).parent / "locale"
    for language in ("zh_Hans", "zh_Hant"):
        po = (locale / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
        assert "#, fuzzy" not in po
        assert '\nmsgstr ""\n\n' not in po.split("\n\n", 1)[1] + "\n\n"
    client.force_login(planner)
    simplified = client.get(f"/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    traditional = client.get(f"/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "策划负责人" in simplified and "策劃負責人" in traditional
