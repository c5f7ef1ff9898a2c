"""Recording audit events. Every service that writes calls `audit_record` in its transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.db import models
from django.forms.models import model_to_dict

from .models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict:
    """A JSON-ready dict of the instance's concrete fields, for before/after."""
    return _jsonable(model_to_dict(instance, fields=fields))


def audit_record(
    *,
    actor,
    verb: str,
    obj: models.Model,
    campaign=None,
    before: dict | None = None,
    after: dict | None = None,
    comment: str = "",
    revision: int | None = None,
) -> AuditEvent:
    """Append one event. Call inside the service's transaction so it commits with the write."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=(actor.get_username() if actor is not None and actor.pk else "system"),
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        campaign=campaign,
        revision=revision,
        comment=comment or "",
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )
