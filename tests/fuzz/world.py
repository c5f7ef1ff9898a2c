"""The demo organization as a target: ids of its rows by the URL segment that names them.

Shared by the fuzzing (tests/fuzz) and the hostile-input tests that walk the OpenAPI document.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from campaignflow.accounts.models import User
from campaignflow.alerts.models import Alert, AlertRule
from campaignflow.campaigns.models import (
    BudgetLine,
    Campaign,
    CampaignMember,
    ChangeRequest,
    Goal,
    Milestone,
    Persona,
    Risk,
)
from campaignflow.evaluation.models import EvaluationDimension
from campaignflow.execution.models import ActionItem, LogEntry, Meeting, Task
from campaignflow.expenses.models import Expense
from campaignflow.experiments.models import Experiment
from campaignflow.knowledge.models import KnowledgeEntry
from campaignflow.links.models import TrackedLink
from campaignflow.metrics.models import DailyMetric
from campaignflow.notifications.models import Notification, Webhook
from campaignflow.reports.models import InterimReview, InterimReviewItem

TODAY = dt.date(2026, 11, 23)

# The URL segment in front of a path parameter names the kind of row it points at.
RESOURCES = {
    "campaigns": Campaign,
    "metrics": DailyMetric,
    "members": CampaignMember,
    "goals": Goal,
    "budget-lines": BudgetLine,
    "risks": Risk,
    "milestones": Milestone,
    "personas": Persona,
    "change-requests": ChangeRequest,
    "tasks": Task,
    "dependencies": Task,
    "raci": User,
    "meetings": Meeting,
    "action-items": ActionItem,
    "log": LogEntry,
    "notifications": Notification,
    "webhooks": Webhook,
    "links": TrackedLink,
    "alerts": Alert,
    "alert-rules": AlertRule,
    "interim-reviews": InterimReview,
    "interim-review-items": InterimReviewItem,
    "experiments": Experiment,
    "knowledge": KnowledgeEntry,
    "expenses": Expense,
    "evaluation-dimensions": EvaluationDimension,
}
FUZZED: Counter[str] = Counter()  # cases sent per operation, for the summary line
PARAMETER = re.compile(r"([^/{}]+)/\{([^}]+)\}")


@dataclass
class World:
    token: str
    ids: dict[str, list[int]] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def map_path_parameters(self, path: str, parameters: dict) -> None:
        """Point most generated integer ids at rows that exist; every fifth stays as generated."""
        for segment, name in PARAMETER.findall(path):
            value = parameters.get(name)
            ids = self.ids.get(segment)
            if ids and isinstance(value, int) and not isinstance(value, bool) and value % 5:
                parameters[name] = ids[abs(value) % len(ids)]


def resource_ids() -> dict[str, list[int]]:
    """The ids of every row per URL segment, in a stable order."""
    return {
        segment: list(model.objects.order_by("pk").values_list("pk", flat=True))
        for segment, model in RESOURCES.items()
    }


def concrete_path(path: str, ids: dict[str, list[int]], words: dict[str, str] | None = None) -> str:
    """The path with each `{parameter}` replaced by the first row of its kind (or a word for text)."""
    words = words or {}

    def fill(match: re.Match) -> str:
        segment, name = match.groups()
        if name in words:
            return f"{segment}/{words[name]}"
        return f"{segment}/{(ids.get(segment) or [0])[0]}"

    return PARAMETER.sub(fill, path)


def json_string_fields() -> list[tuple[str, str, str, int | None]]:
    """(method, path, field, maxLength or None) for each string property of each JSON body."""
    from campaignflow.config.api import api

    document = api.get_openapi_schema()
    components = document["components"]["schemas"]
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if not content or not operation.get("security"):
                continue
            schema = content["schema"]
            schema = components[schema["$ref"].rsplit("/", 1)[-1]] if "$ref" in schema else schema
            for name, prop in schema.get("properties", {}).items():
                variants = [prop, *prop.get("anyOf", [])]
                texts = [
                    v for v in variants if v.get("type") == "string" and "format" not in v and "enum" not in v
                ]
                if texts:
                    found.append(
                        (method, path, name, max((v.get("maxLength", 0) for v in texts), default=0) or None)
                    )
    return found
