"""The UTM builder and the naming rules."""

from __future__ import annotations

from types import SimpleNamespace

from campaignflow.links.utm import build_url, check_utm

RULES = SimpleNamespace(lowercase=True, allowed_sources=["wechat"], allowed_mediums=[])


def test_it_keeps_the_targets_parameters_and_fragment_and_replaces_old_utm_values():
    url = build_url(
        "https://shop.example/p?id=7&utm_source=old&empty=#top",
        {"utm_source": "wechat", "utm_medium": "qr", "utm_campaign": "春茶", "utm_term": ""},
    )

    assert url == (
        "https://shop.example/p?id=7&empty=&utm_source=wechat&utm_medium=qr"
        "&utm_campaign=%E6%98%A5%E8%8C%B6#top"
    )


def test_rules_name_each_field():
    errors = check_utm({"utm_source": "Douyin", "utm_medium": "", "utm_content": "a b"}, settings=RULES)

    assert [(e.field, e.message) for e in errors] == [
        ("utm_source", "UTM values are lowercase in this organization: write “douyin”."),
        ("utm_medium", "This field is required."),
        ("utm_content", "Use letters, digits, “.”, “_”, “-” or “+”; no spaces or other signs."),
    ]


def test_an_empty_allowed_list_allows_any_value():
    assert check_utm({"utm_source": "wechat", "utm_medium": "anything"}, settings=RULES) == []
    assert [e.field for e in check_utm({"utm_source": "weibo", "utm_medium": "x"}, settings=RULES)] == [
        "utm_source"
    ]
