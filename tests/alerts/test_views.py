"""The web pages: the alerts list, acknowledging and resolving via htmx, the campaign's Alerts tab
with its rules, the organization rules page, the navigation badge and the dashboard card."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from campaignflow.alerts import services
from campaignflow.alerts.models import Alert, AlertRule

from .conftest import record

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def alert(live_campaign, moments):
    record(live_campaign, moments, dt.date(2024, 6, 10), clicks=1000, conversions=20)
    return services.alerts_evaluate(campaign=live_campaign).opened[0]


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_alerts_page_lists_the_alert_with_values_due_time_and_the_acknowledge_form(client, alert, pm):
    client.force_login(pm)

    page = text(client.get("/alerts/"))

    assert "618 tea festival" in page
    assert "Observed <strong>2.00%</strong> against 3.50% on 2024-06-10" in page
    assert "Response plan due in 1 day" in page
    assert f'hx-post="/alerts/{alert.pk}/acknowledge/"' in page


def test_an_overdue_alert_says_by_how_much(client, alert, pm, clock):
    clock.advance(hours=27)
    client.force_login(pm)

    assert "Response overdue by 3 hours" in text(client.get("/alerts/"))


def test_the_status_filter_and_a_reader_without_forms(client, alert, viewer):
    client.force_login(viewer)

    assert "No alerts here." in text(client.get("/alerts/?status=resolved"))
    page = text(client.get("/alerts/"))
    assert "618 tea festival" in page and "/acknowledge/" not in page


def test_acknowledging_via_htmx_without_a_plan_shows_the_error_and_with_one_swaps_the_alert(
    client, alert, pm
):
    client.force_login(pm)
    url = f"/alerts/{alert.pk}/acknowledge/"

    refused = client.post(url, {"response_plan": " "}, **HTMX)
    accepted = client.post(url, {"response_plan": "Replace the creative today"}, **HTMX)

    assert refused.status_code == 422
    assert "A response plan is required." in text(refused)
    assert accepted.status_code == 200
    assert "Replace the creative today" in text(accepted) and "Acknowledged" in text(accepted)
    assert Alert.objects.get().status == "acknowledged"


def test_resolving_without_htmx_redirects_back_with_a_message(client, alert, pm):
    client.force_login(pm)

    response = client.post(f"/alerts/{alert.pk}/resolve/", {"note": "ok", "next": "/alerts/"}, follow=True)

    assert response.redirect_chain[-1][0] == "/alerts/"
    assert "The alert is resolved." in text(response)
    assert Alert.objects.get().status == "resolved"


def test_a_teammate_cannot_resolve_and_an_outsider_gets_404(client, alert, teammate, outsider):
    client.force_login(teammate)
    assert client.post(f"/alerts/{alert.pk}/resolve/", **HTMX).status_code == 403
    client.force_login(outsider)
    assert client.post(f"/alerts/{alert.pk}/resolve/").status_code == 404
    assert client.get(f"/alerts/campaigns/{alert.campaign_id}/").status_code == 404
    assert Alert.objects.get().status == "open"


def test_the_campaign_tab_shows_its_alerts_and_rules_and_the_pm_adds_a_rule_in_percent(
    client, alert, live_campaign, pm, douyin
):
    client.force_login(pm)
    url = f"/alerts/campaigns/{live_campaign.pk}/"

    page = text(client.get(url))
    response = client.post(
        url,
        {
            "rule-metric": "cvr",
            "rule-channel": douyin.pk,
            "rule-condition": "day_over_day_change_pct",
            "rule-threshold": "25",
            "rule-window": "day",
            "rule-severity": "warning",
            "rule-active": "on",
        },
    )

    assert 'class="active"' in page and "Alert rules" in page and "Negative comments above 50" in page
    assert response.status_code == 302
    rule = AlertRule.objects.get(campaign=live_campaign)
    assert (rule.channel, rule.threshold, rule.condition) == (
        douyin,
        Decimal("0.25"),
        "day_over_day_change_pct",
    )


def test_a_negative_threshold_is_refused_on_the_form(client, live_campaign, pm):
    client.force_login(pm)

    response = client.post(
        f"/alerts/campaigns/{live_campaign.pk}/",
        {
            "rule-metric": "cvr",
            "rule-condition": "above_absolute",
            "rule-threshold": "-5",
            "rule-window": "day",
            "rule-severity": "info",
        },
    )

    assert response.status_code == 422
    assert "The threshold must not be negative." in text(response)
    assert not AlertRule.objects.filter(campaign=live_campaign).exists()


def test_a_viewer_sees_the_tab_without_rule_forms_and_may_not_post(client, live_campaign, viewer):
    client.force_login(viewer)
    url = f"/alerts/campaigns/{live_campaign.pk}/"

    assert "Add a rule" not in text(client.get(url))
    assert client.post(url, {"rule-metric": "cvr"}).status_code == 403


def test_disabling_a_rule_via_htmx_swaps_its_row(client, live_campaign, pm):
    rule = services.alert_rule_create(
        actor=pm,
        campaign=live_campaign,
        data={"metric": "ctr", "condition": "above_absolute", "threshold": "1"},
    )
    client.force_login(pm)

    response = client.post(f"/alerts/rules/{rule.pk}/toggle/", **HTMX)

    assert response.status_code == 200 and "Enable" in text(response)
    rule.refresh_from_db()
    assert rule.active is False


def test_editing_a_rule_shows_percent_and_saves_a_fraction(client, analyst):
    rule = AlertRule.objects.get(metric="cvr", campaign__isnull=True)
    client.force_login(analyst)
    url = f"/alerts/rules/{rule.pk}/edit/"

    form = text(client.get(url))
    response = client.post(
        url,
        {
            "rule-metric": "cvr",
            "rule-condition": "below_target_pct",
            "rule-threshold": "20",
            "rule-window": "day",
            "rule-severity": "critical",
            "rule-active": "on",
        },
    )

    assert 'value="30"' in form
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.threshold, rule.severity) == (Decimal("0.2"), "critical")


def test_organization_rules_are_added_by_analysts_only(client, analyst, pm):
    body = {
        "rule-metric": "negative_comments",
        "rule-condition": "day_over_day_change_pct",
        "rule-threshold": "100",
        "rule-window": "day",
        "rule-severity": "warning",
        "rule-active": "on",
    }
    client.force_login(pm)
    assert "Add an organization rule" not in text(client.get("/alerts/rules/"))
    assert client.post("/alerts/rules/", body).status_code == 403

    client.force_login(analyst)
    assert client.post("/alerts/rules/", body).status_code == 302
    assert AlertRule.objects.filter(campaign__isnull=True, threshold=Decimal("1")).exists()


def test_the_nav_badge_and_the_dashboard_card_show_open_alerts(client, alert, pm, viewer):
    client.force_login(pm)
    page = text(client.get("/"))

    assert re.search(r'id="nav-alerts-badge" class="count-badge" title="[^"]*">1</span>', page)
    assert "Open alerts" in page and "618 tea festival" in page

    client.force_login(viewer)
    assert re.search(r'id="nav-alerts-badge" class="count-badge" hidden', text(client.get("/")))


def test_the_alerts_page_query_count_does_not_grow_with_alerts(client, live_campaign, moments, pm, douyin):
    client.force_login(pm)
    record(live_campaign, moments, dt.date(2024, 6, 10), clicks=1000, conversions=20, negative_comments=60)
    services.alerts_evaluate(campaign=live_campaign)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/alerts/")  # the first page of a session writes the session
    with CaptureQueriesContext(connection) as few:
        client.get("/alerts/")
    for threshold in ("1", "2", "3"):
        services.alert_rule_create(
            actor=pm,
            campaign=live_campaign,
            data={
                "metric": "clicks",
                "condition": "above_absolute",
                "threshold": threshold,
                "channel": moments.pk,
            },
        )
    services.alerts_evaluate(campaign=live_campaign)
    with CaptureQueriesContext(connection) as many:
        client.get("/alerts/")

    assert Alert.objects.count() == 5
    assert len(many) == len(few)


def test_the_status_filters_speak_the_users_language(client, alert, pm):
    client.force_login(pm)

    def pills(language):
        page = client.get("/alerts/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        nav = page[page.index('class="filter-tabs"') :]
        return re.findall(r'status=\w+"[^>]*>([^<]+)</a>', nav[: nav.index("</nav>")])

    assert pills("en")[-1] == "All"
    assert pills("zh-hans")[-1] == "全部"
    assert pills("zh-hant")[-1] == "全部"
    assert pills("en")[0] == "Active"
