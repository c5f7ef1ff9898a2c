"""The text columns of every model, sorted into free text people type and everything else.

FREE_TEXT lists the fields people type into; NOT_FREE_TEXT the text columns that are codes, keys,
hashes, URLs or generated. tests/hostile/test_text_escaping.py fails when a CharField or TextField
is in neither, so a new field is fuzzed (escaping, exports) as soon as it exists.
"""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps
from django.db import models

from campaignflow.campaigns.models import Campaign

FREE_TEXT = {
    "accounts.Organization": ["name"],
    "accounts.Department": ["name"],
    "accounts.User": ["first_name", "last_name", "display_name"],
    "metrics.Channel": ["name"],
    "metrics.DailyMetric": ["note"],
    "campaigns.Campaign": [
        "name",
        "background",
        "target_audience",
        "core_message",
        "theme",
        "format",
        "cancel_reason",
    ],
    "campaigns.RequirementsBrief": [
        "requested_by",
        "collection_method",
        "business_need",
        "objectives",
        "target_audience",
        "core_message",
        "key_dates",
        "constraints",
    ],
    "campaigns.CampaignMember": ["group"],
    "campaigns.Persona": ["name", "spend_level", "interests", "channels", "description"],
    "campaigns.Milestone": ["name", "note"],
    "campaigns.Goal": ["name", "unit"],
    "campaigns.BudgetLine": ["label", "note"],
    "campaigns.Risk": ["description", "response"],
    "campaigns.Approval": ["comment"],
    "campaigns.ChangeRequest": ["reason", "impact"],
    "campaigns.ReadinessItem": ["waiver_reason", "note"],
    "execution.Task": ["name", "delay_reason"],
    "execution.Meeting": ["notes", "decisions"],
    "execution.ActionItem": ["description"],
    "execution.LogEntry": ["description", "handling", "result"],
    "notifications.Webhook": ["name"],
    "links.TrackedLink": ["name"],
    "alerts.AlertRule": ["name"],
    "alerts.Alert": ["response_plan", "resolution_note"],
    "reports.InterimReview": ["summary"],
    "reports.InterimReviewItem": ["name", "cause", "adjustment", "expected_effect"],
    "experiments.Experiment": ["name", "hypothesis", "decision_note"],
    "experiments.Variant": ["name"],
    "knowledge.KnowledgeEntry": ["name"],
    "knowledge.EntryTag": ["name"],
    "knowledge.KnowledgeTemplate": ["name"],
    "expenses.Expense": ["vendor", "reference", "note", "attachment_name"],
    "evaluation.EvaluationReport": [
        "summary",
        "what_worked",
        "what_did_not",
        "keep",
        "change",
        "try_next",
        "meeting_notes",
        "decision_comment",
    ],
    "evaluation.EvaluationDimension": ["name", "analysis"],
}
# Text columns that are not typed as prose: codes, keys, hashes, URLs, copies and generated text.
NOT_FREE_TEXT = {
    "accounts.Organization": ["currency", "timezone"],
    "accounts.Department": ["code"],
    "accounts.User": ["password", "username", "email", "language"],
    "accounts.ApiToken": ["name", "prefix", "key_hash"],
    "audit.AuditEvent": ["actor_name", "verb", "object_type", "object_id", "object_repr", "comment"],
    "metrics.MetricDefinition": ["key", "name_en", "name_zh_hans", "name_zh_hant", "formula"],
    "campaigns.Campaign": ["number", "template"],
    "campaigns.Goal": ["metric"],
    "campaigns.Approval": ["role"],
    "campaigns.RegistrationRecord": ["number", "owner_name", "department_name"],
    "campaigns.ReadinessItem": ["key"],
    "execution.Task": ["template_key"],
    "execution.CalendarToken": ["token"],
    "notifications.Notification": ["event", "title", "body", "url"],
    "notifications.Webhook": ["url", "secret", "language", "last_error"],
    "notifications.Delivery": ["target", "event", "last_error"],
    "notifications.NotificationOnce": ["key"],
    "links.LinkSettings": ["postback_secret"],
    "links.TrackedLink": [
        "code",
        "target_url",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_content",
        "utm_term",
    ],
    "links.ClickBatch": ["key"],
    "links.Click": ["visitor", "token"],
    "links.Conversion": ["external_id"],
    "alerts.AlertRule": ["metric"],
    "alerts.Alert": ["subject", "metric"],
    "reports.InterimReviewItem": ["metric", "unit"],
    "knowledge.KnowledgeEntry": ["number", "department_name", "scenario", "search_text", "search_tokens"],
    "knowledge.EntryChannel": ["name", "kind"],
    "knowledge.KnowledgeTemplate": ["key"],
    "evaluation.EvaluationDimension": ["key", "metric", "unit", "direction"],
}


def text_fields() -> list[tuple[str, str, int | None]]:
    """Every CharField and TextField of the project's models as (model label, name, max_length)."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("campaignflow."):
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.CharField | models.TextField) and not field.choices:
                found.append((model._meta.label, field.name, field.max_length))
    return found


def unique_sets(model) -> list[tuple[str, ...]]:
    constraints = [c.fields for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]
    return [*model._meta.unique_together, *constraints]


def fill_free_text(payload: Callable[[int], str]) -> dict[str, str]:
    """Overwrite every free-text field of every row with `payload(n)`, n numbering the field.

    The text is cut to the column's length; a unique column gets each row's id in front. Returns
    {"app.Model.field": text}.
    """
    filled = {}
    for number, (label, name, max_length) in enumerate(sorted(text_fields()), start=1):
        if name not in FREE_TEXT.get(label, ()):
            continue
        text = payload(number)[: max_length or None]
        model = apps.get_model(label)
        if model._meta.get_field(name).unique or any(name in fields for fields in unique_sets(model)):
            for pk in model.objects.values_list("pk", flat=True):
                model.objects.filter(pk=pk).update(**{name: f"{pk}{text}"[: max_length or None]})
        else:
            model.objects.update(**{name: text})
        filled[f"{label}.{name}"] = text
    return filled


def sample_campaigns() -> set[int]:
    """One campaign per lifecycle state."""
    chosen = {}
    for pk, status in Campaign.objects.order_by("pk").values_list("pk", "status"):
        chosen.setdefault(status, pk)
    return set(chosen.values())
