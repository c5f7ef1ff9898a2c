"""Segmentation and keywords (jieba) as the index and the queries use them."""

from __future__ import annotations

from campaignflow.knowledge import text


def test_search_mode_keeps_the_long_word_and_its_parts():
    assert text.tokens("中国农业发展银行") == ["中国", "农业", "发展", "银行", "农业发展银行"]


def test_english_is_lower_cased_and_punctuation_dropped():
    assert text.tokens('Spring TEA "launch" (2025)!') == ["spring", "tea", "launch", "2025"]


def test_fts_syntax_becomes_plain_words():
    assert text.query_tokens('"NEAR" OR x* AND (y)') == ["near", "or", "x", "and", "y"]


def test_a_huge_query_is_cut_to_a_few_distinct_tokens():
    tokens = text.query_tokens("营销" + " word" * 5000 + "".join(f" w{i}" for i in range(100)))
    assert tokens[:2] == ["营销", "word"]
    assert len(tokens) <= text.MAX_QUERY_TOKENS


def test_control_characters_are_not_tokens():
    assert text.query_tokens("\x00\x01 农业\x00") == ["农业"]


def test_keywords_are_the_distinctive_words_without_numbers():
    words = text.keywords(
        "与中国农业发展银行合作推出联名信用卡，联名信用卡面向县域农业客户。2025年 2025年 信用卡 分期免息。"
    )
    assert "信用卡" in words[:3]
    assert "联名" in words
    assert all(not w.isdigit() for w in words)
    assert len(words) <= 10
