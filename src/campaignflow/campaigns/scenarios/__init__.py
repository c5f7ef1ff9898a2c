"""Scenario templates (新品上市, 品牌宣传, 节日促销, 线上线下联动), kept as JSON data files."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

DATA_DIR = Path(__file__).resolve().parent
TEMPLATE_KEYS = ("new_product_launch", "brand_awareness", "holiday_promotion", "online_offline")


@cache
def load_all() -> dict[str, dict]:
    """Every template keyed by its key, read once from the package."""
    return {key: json.loads((DATA_DIR / f"{key}.json").read_text(encoding="utf-8")) for key in TEMPLATE_KEYS}


# Other apps offer more templates (the knowledge base's "save as template"): each provider is a pair
# (get(key) -> dict | None, load_all() -> {key: dict}) returning dicts in the JSON files' shape.
PROVIDERS: list[tuple] = []


def register_provider(get_fn, load_all_fn) -> None:
    if (get_fn, load_all_fn) not in PROVIDERS:
        PROVIDERS.append((get_fn, load_all_fn))


def get(key: str) -> dict | None:
    """The built-in template with this key, else one an app provides, else None."""
    data = load_all().get(key)
    for get_fn, _load_all in PROVIDERS:
        if data is not None:
            break
        data = get_fn(key)
    return data


def available() -> dict[str, dict]:
    """Built-in templates first, then those the organization saved, keyed by key."""
    templates = dict(load_all())
    for _get, load_all_fn in PROVIDERS:
        for key, data in load_all_fn().items():
            templates.setdefault(key, data)
    return templates


def localized(text: dict | str, language: str | None = None) -> str:
    """Pick the text for the language (zh-hans, zh-hant, en), falling back to English."""
    if isinstance(text, str):
        return text
    language = (language or get_language() or "en").lower()
    if language.startswith("zh"):
        language = "zh-hant" if language in ("zh-hant", "zh-tw", "zh-hk", "zh-mo") else "zh-hans"
    else:
        language = "en"
    return text.get(language) or text.get("en", "")
