"""Full-text search: Chinese words short and long, English, filters, permissions, hostile input."""

from __future__ import annotations

import datetime as dt

import pytest

from campaignflow.knowledge import selectors, services
from campaignflow.knowledge.selectors import Filters
from tests.factories import DepartmentFactory, UserFactory

from .conftest import archive, make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def tea_entry(planner, marketing):
    campaign = make_campaign(
        planner,
        marketing,
        "Spring Tea Livestream",
        background="Livestream launch of the spring oolong with KOL partners.",
        template="new_product_launch",
        start_date=dt.date(2024, 3, 1),
        end_date=dt.date(2024, 3, 20),
    )
    return archive(campaign, planner)


@pytest.fixture
def sales_entry(outsider, sales):
    campaign = make_campaign(
        outsider,
        sales,
        "县域农业经销商大会",
        background="面向农业县域经销商的线下大会。",
        start_date=dt.date(2024, 5, 1),
    )
    return archive(campaign, outsider)


def names(result) -> list[str]:
    return [entry.name for entry in result.entries]


@pytest.mark.parametrize(
    "query", ["农业", "中国农业发展银行", "农业发展银行", "发展银行 信用卡", "联名信用卡"]
)
def test_short_and_long_chinese_words_both_find_the_entry(archived, tea_entry, planner, query):
    assert names(selectors.entry_search(user=planner, query=query)) == ["中国农业发展银行联名信用卡推广"]


def test_english_is_case_insensitive(archived, tea_entry, planner):
    assert names(selectors.entry_search(user=planner, query="LIVESTREAM oolong")) == ["Spring Tea Livestream"]


def test_every_word_must_match(archived, tea_entry, planner):
    assert names(selectors.entry_search(user=planner, query="农业 oolong")) == []


def test_a_lesson_is_searchable(archived, planner):
    assert names(selectors.entry_search(user=planner, query="素材审核")) == [archived.name]


def test_a_tag_is_searchable_once_added(archived, pm):
    services.knowledge_entry_label(entry=archived, actor=pm, tags=["县域金融"])
    assert names(selectors.entry_search(user=pm, query="县域金融")) == [archived.name]


def test_no_words_lists_the_newest_first(archived, tea_entry, planner):
    assert names(selectors.entry_search(user=planner, query="  ")) == [tea_entry.name, archived.name]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"农业',
        "农业\"'",
        "*",
        "农*",
        "NEAR(农业 银行)",
        "农业 OR",
        "OR AND NOT",
        "(((",
        "农业 AND NOT 银行",
        "col:农业",
        "^农业",
        "农业 -银行",
        "'; DROP TABLE knowledge_fts; --",
        "\x00农业",
        "农业" * 5000,
        "x" * 10_000,
        "",
    ],
)
def test_hostile_queries_return_results_or_nothing(archived, planner, query):
    result = selectors.entry_search(user=planner, query=query)
    assert names(result) in ([archived.name], [])


def test_fts_operators_are_searched_as_words(archived, tea_entry, planner):
    assert (
        names(selectors.entry_search(user=planner, query="农业 NEAR 银行")) == []
    )  # "near" is not in the text
    assert names(selectors.entry_search(user=planner, query="农业 银行")) == [archived.name]


def test_filters(archived, tea_entry, planner, pm):
    services.knowledge_entry_label(entry=archived, actor=pm, tags=["联名"])

    def find(**filters):
        return names(selectors.entry_search(user=planner, query="", filters=Filters(**filters)))

    assert find(scenario="new_product_launch") == ["Spring Tea Livestream"]
    assert find(channel="抖音") == [archived.name]
    assert find(year=2024) == ["Spring Tea Livestream"]
    assert find(tag="联名") == [archived.name]
    assert find(department=archived.department_id, year=2025) == [archived.name]
    assert find(department=archived.department_id + 1000) == []
    assert names(selectors.entry_search(user=planner, query="oolong", filters=Filters(year=2025))) == []


def test_people_see_their_departments_and_their_campaigns_entries(
    archived, sales_entry, planner, outsider, analyst
):
    assert names(selectors.entry_search(user=planner, query="农业")) == [archived.name]
    assert names(selectors.entry_search(user=outsider, query="农业")) == [sales_entry.name]
    assert sorted(names(selectors.entry_search(user=analyst, query="农业"))) == sorted(
        [archived.name, sales_entry.name]
    )


def test_a_member_from_another_department_sees_the_entry(archived):
    from campaignflow.campaigns.models import CampaignMember

    guest = UserFactory(username="guest", department=DepartmentFactory(name="Product", code="product"))
    CampaignMember.objects.create(campaign=archived.campaign, user=guest, role="member")
    assert names(selectors.entry_search(user=guest, query="农业")) == [archived.name]
    assert names(selectors.entry_search(user=guest, query="")) == [archived.name]


def test_finance_and_management_see_every_entry(archived, sales_entry, finance, manager):
    for user in (finance, manager):
        assert len(selectors.entry_search(user=user, query="农业").entries) == 2


def test_the_limit_is_respected(planner, marketing):
    for index in range(4):
        archive(make_campaign(planner, marketing, f"农业活动 {index}"), planner)
    assert len(selectors.entry_search(user=planner, query="农业", limit=3).entries) == 3


def test_marketing_words_are_whole_tokens(archived, planner):
    from campaignflow.knowledge import text

    assert text.tokens("抖音小红书") == ["抖音", "小红书"]
    assert names(selectors.entry_search(user=planner, query="抖音")) == [archived.name]  # the lesson names it


def test_rebuild_segments_every_entry_again(archived, tea_entry, planner):
    from campaignflow.knowledge import search

    assert search.rebuild() == 2
    assert names(selectors.entry_search(user=planner, query="中国农业发展银行")) == [archived.name]
    assert names(selectors.entry_search(user=planner, query="oolong")) == [tea_entry.name]
