"""API shapes of notifications, webhooks and e-mail preferences. Secrets and webhook URLs go out masked."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema

from campaignflow.campaigns.schemas import InputSchema

from .choices import WebhookKind
from .services import mask_secret, mask_url

MAX_ID = 2**63 - 1


class NotificationOut(Schema):
    id: int
    event: str
    title: str
    body: str
    url: str
    campaign: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None
    read: bool

    @staticmethod
    def resolve_campaign(obj) -> int | None:
        return obj.campaign_id

    @staticmethod
    def resolve_read(obj) -> bool:
        return obj.read_at is not None


class NotificationFilters(Schema):
    unread: bool | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_ID)


class ReadAllOut(Schema):
    updated: int


class WebhookOut(Schema):
    id: int
    campaign: int | None
    user: int | None
    kind: WebhookKind
    name: str
    url: str
    secret: str
    has_secret: bool
    events: list[str]
    language: str
    active: bool
    created_at: dt.datetime
    last_sent_at: dt.datetime | None
    last_error: str
    last_error_at: dt.datetime | None

    @staticmethod
    def resolve_campaign(obj) -> int | None:
        return obj.campaign_id

    @staticmethod
    def resolve_user(obj) -> int | None:
        return obj.user_id

    @staticmethod
    def resolve_url(obj) -> str:
        return mask_url(obj.url)

    @staticmethod
    def resolve_secret(obj) -> str:
        return mask_secret(obj.secret)

    @staticmethod
    def resolve_has_secret(obj) -> bool:
        return bool(obj.secret)


Name = Annotated[str, Field(min_length=1, max_length=100)]
Url = Annotated[str, Field(min_length=1, max_length=1000)]
Secret = Annotated[str, Field(max_length=200)]
EventKey = Annotated[str, Field(max_length=60)]


class WebhookIn(InputSchema):
    kind: WebhookKind
    name: Name
    url: Url
    secret: Secret = ""
    events: list[EventKey] = Field(default_factory=list, max_length=50)
    language: str = Field("", max_length=10)
    active: bool = True


class WebhookPatch(InputSchema):
    """Only the fields sent change; `secret` "" removes the secret, leaving it out keeps it."""

    kind: WebhookKind | None = None
    name: Name | None = None
    url: Url | None = None
    secret: Secret | None = None
    events: list[EventKey] | None = Field(None, max_length=50)
    language: str | None = Field(None, max_length=10)
    active: bool | None = None


class WebhookTestOut(Schema):
    ok: bool
    error: str


class PreferencesOut(Schema):
    email_off: list[str]


class PreferencesIn(InputSchema):
    email_off: list[EventKey] = Field(max_length=50)
