"""Organization templates saved from archived campaigns, read the way campaigns.scenarios reads its JSON files.

`get(key)` returns a template dict in the shape of campaigns/scenarios/*.json (localized name,
description, duration_days, default_budget, goals, budget_split, milestones, risks), so
campaigns.services.campaign_create can apply it unchanged once campaigns.scenarios looks here
after its own files for keys starting with "kb-".
"""

from __future__ import annotations

from .models import KnowledgeTemplate

KEY_PREFIX = "kb-"


def get(key: str) -> dict | None:
    """The organization template with this key, or None."""
    if not key or not key.startswith(KEY_PREFIX):
        return None
    template = KnowledgeTemplate.objects.filter(key=key).only("data").first()
    return dict(template.data) if template is not None else None


def load_all() -> dict[str, dict]:
    """Every organization template keyed by its key, by name."""
    return {t.key: dict(t.data) for t in KnowledgeTemplate.objects.order_by("name").only("key", "data")}
