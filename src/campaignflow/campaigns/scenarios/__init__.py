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


def get(key: str) -> dict | None:
    return load_all().get(key)


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
