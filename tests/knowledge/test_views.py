"""The knowledge pages: search, an entry with its labels and template form, a campaign's tab."""

from __future__ import annotations

import pytest

from campaignflow.knowledge.models import KnowledgeTemplate

pytestmark = pytest.mark.django_db


def test_the_search_page_finds_chinese_words(client, archived, planner):
    client.force_login(planner)
    response = client.get("/knowledge/", {"q": "农业"})
    assert response.status_code == 200
    assert "中国农业发展银行联名信用卡推广" in response.content.decode()


def test_htmx_gets_only_the_results(client, archived, planner):
    client.force_login(planner)
    response = client.get("/knowledge/", {"q": "oolong"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="knowledge-results"' in page and "<html" not in page
    assert "No archived campaign matches" in page


@pytest.mark.parametrize("q", ['"', "NEAR(农业", "*", "OR", "x" * 10_000, "\x00"])
def test_odd_queries_and_filters_never_break_the_page(client, archived, planner, q):
    client.force_login(planner)
    response = client.get("/knowledge/", {"q": q, "year": "soon", "department": "-1"})
    assert response.status_code == 200


def test_the_page_requires_sign_in(client):
    response = client.get("/knowledge/")
    assert response.status_code == 302


def test_the_entry_page_shows_the_snapshot(client, archived, planner):
    client.force_login(planner)
    page = client.get(f"/knowledge/{archived.pk}/").content.decode()
    assert "好茶配好卡" in page  # core message
    assert "抖音素材审核延迟" in page  # lesson
    assert "2.10%" in page  # Moments CTR
    assert "Save as template" in page  # the owner may


def test_finance_sees_the_entry_without_the_forms(client, archived, finance):
    client.force_login(finance)
    page = client.get(f"/knowledge/{archived.pk}/").content.decode()
    assert "中国农业发展银行联名信用卡推广" in page
    assert "Save as template" not in page and "Save keywords and tags" not in page


def test_a_hidden_entry_is_a_404(client, archived, outsider):
    client.force_login(outsider)
    assert client.get(f"/knowledge/{archived.pk}/").status_code == 404


def test_labels_are_edited_with_htmx(client, archived, pm):
    client.force_login(pm)
    response = client.post(
        f"/knowledge/{archived.pk}/labels/",
        {"tags": "联名, 银行", "keywords": "信用卡"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="knowledge-labels"' in page and "<html" not in page
    assert list(archived.tags.values_list("name", flat=True)) == ["联名", "银行"]


def test_a_refused_label_shows_the_message(client, archived, pm):
    client.force_login(pm)
    response = client.post(f"/knowledge/{archived.pk}/labels/", {"tags": "长" * 41}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "too long" in response.content.decode()
    assert not archived.tags.exists()


def test_finance_may_not_label(client, archived, finance):
    client.force_login(finance)
    response = client.post(f"/knowledge/{archived.pk}/labels/", {"tags": "x"})
    assert response.status_code == 403
    assert not archived.tags.exists()


def test_save_as_template_from_the_page(client, archived, pm):
    client.force_login(pm)
    response = client.post(f"/knowledge/{archived.pk}/template/", {"name": "联名卡模板"}, follow=True)
    assert response.status_code == 200
    template = KnowledgeTemplate.objects.get()
    assert template.key in response.content.decode()


def test_the_campaign_tab_shows_similar_campaigns_and_benchmarks(
    client, archived, planner, marketing, moments
):
    from campaignflow.campaigns.models import BudgetLine

    from .conftest import make_campaign

    plan = make_campaign(planner, marketing, "农业发展银行客户回馈", background="农业发展银行信用卡")
    BudgetLine.objects.create(campaign=plan, category="promotion", channel=moments, amount=1000)
    client.force_login(planner)

    page = client.get(f"/knowledge/campaigns/{plan.pk}/").content.decode()

    assert "中国农业发展银行联名信用卡推广" in page
    assert "微信朋友圈" in page and "2.10%" in page  # median CTR of Moments
    assert "Use as target" in page
    assert f'href="/knowledge/campaigns/{plan.pk}/"' in page  # the tab itself


def test_the_tab_of_a_hidden_campaign_is_a_404(client, campaign, outsider):
    client.force_login(outsider)
    assert client.get(f"/knowledge/campaigns/{campaign.pk}/").status_code == 404


def test_the_search_page_does_not_query_per_result(client, planner, marketing):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import archive, make_campaign

    client.force_login(planner)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/knowledge/", {"q": "农业"}).status_code == 200
        return len(captured)

    archive(make_campaign(planner, marketing, "农业活动一"), planner)
    queries()  # the first page of all creates the organization's settings row
    one = queries()
    for index in range(4):
        archive(make_campaign(planner, marketing, f"农业活动{index}"), planner)
    assert queries() == one


def test_a_saved_template_is_a_card_on_the_new_campaign_page(client, archived, pm, planner):
    from campaignflow.knowledge import services

    template = services.knowledge_template_create(entry=archived, actor=pm, name="联名卡模板")
    client.force_login(planner)

    page = client.get("/campaigns/new/").content.decode()

    assert "联名卡模板" in page
    assert f'value="{template.key}"' in page
