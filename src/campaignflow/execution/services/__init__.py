"""Writes of the execution app. Each function is one business operation shared by the API, the web
UI and the demo: it checks visibility (404), policy (403), the campaign's state (409) and input
(422) in that order, writes in one transaction and records an audit event in it.

`baseline_freeze` is also called when a change request is approved (changes app).
"""

from __future__ import annotations

from django.db import transaction

from campaignflow.audit.services import audit_record

from ..models import CalendarToken, new_calendar_token
from .meetings import (
    action_item_add,
    action_item_to_task,
    log_entry_create,
    log_entry_delete,
    log_entry_update,
    meeting_create,
    meeting_delete,
    meeting_update,
    risk_activate,
)
from .tasks import (
    TASK_FIELDS,
    baseline_freeze,
    can_freeze_baseline,
    dependency_add,
    dependency_remove,
    freeze_after_change,
    freeze_on_registration,
    raci_remove,
    raci_set,
    task_create,
    task_delete,
    task_update,
    tasks_propose_from_template,
)


def calendar_token_get(*, user) -> CalendarToken:
    """The user's calendar token, made on first use."""
    token, _created = CalendarToken.objects.get_or_create(user=user)
    return token


@transaction.atomic
def calendar_token_reset(*, user) -> CalendarToken:
    """A new secret for the user's feed URLs; the old URLs stop working at once."""
    token, _created = CalendarToken.objects.select_for_update().get_or_create(user=user)
    token.token = new_calendar_token()
    token.save(update_fields=["token"])
    audit_record(actor=user, verb="calendar.token_reset", obj=token)
    return token


__all__ = [
    "TASK_FIELDS",
    "action_item_add",
    "action_item_to_task",
    "baseline_freeze",
    "calendar_token_get",
    "calendar_token_reset",
    "can_freeze_baseline",
    "dependency_add",
    "dependency_remove",
    "freeze_after_change",
    "freeze_on_registration",
    "log_entry_create",
    "log_entry_delete",
    "log_entry_update",
    "meeting_create",
    "meeting_delete",
    "meeting_update",
    "raci_remove",
    "raci_set",
    "risk_activate",
    "task_create",
    "task_delete",
    "task_update",
    "tasks_propose_from_template",
]
