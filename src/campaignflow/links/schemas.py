"""API shapes of tracked links, their statistics and the UTM naming rules.

Amounts are decimal strings ("199.00"), rates fractions; a rate with no base is null (DESIGN §5).
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from campaignflow.campaigns.schemas import MAX_ID, InputSchema, money_str


class LinkIn(InputSchema):
    channel: int = Field(ge=1, le=MAX_ID)
    target_url: str = Field(max_length=2000)
    name: str = Field("", max_length=200)
    utm_source: str = Field("", max_length=100)
    utm_medium: str = Field("", max_length=100)
    utm_campaign: str = Field("", max_length=100)
    utm_content: str = Field("", max_length=100)
    utm_term: str = Field("", max_length=100)
    code: str = Field("", max_length=32, description="custom short code; empty for a random one")


class LinkPatch(InputSchema):
    channel: int | None = Field(None, ge=1, le=MAX_ID)
    target_url: str | None = Field(None, max_length=2000)
    name: str | None = Field(None, max_length=200)
    utm_source: str | None = Field(None, max_length=100)
    utm_medium: str | None = Field(None, max_length=100)
    utm_campaign: str | None = Field(None, max_length=100)
    utm_content: str | None = Field(None, max_length=100)
    utm_term: str | None = Field(None, max_length=100)
    active: bool | None = None


class LinkOut(Schema):
    id: int
    campaign: int
    channel: int
    channel_name: str
    name: str
    code: str
    short_url: str
    target_url: str
    tagged_url: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_content: str
    utm_term: str
    active: bool
    created_by: int
    created_at: dt.datetime
    clicks: int | None = None
    unique_visitors: int | None = None
    conversions: int | None = None
    revenue: str | None = None


def link_data(link) -> dict:
    data = {
        "id": link.pk,
        "campaign": link.campaign_id,
        "channel": link.channel_id,
        "channel_name": link.channel.name,
        "name": link.name,
        "code": link.code,
        "short_url": link.short_url,
        "target_url": link.target_url,
        "tagged_url": link.tagged_url,
        "active": link.active,
        "created_by": link.created_by_id,
        "created_at": link.created_at,
        **link.utm,
    }
    if hasattr(link, "click_count"):
        data |= {
            "clicks": link.click_count,
            "unique_visitors": link.visitor_count,
            "conversions": link.conversion_count,
            "revenue": money_str(link.revenue),
        }
    return data


class DayStatsOut(Schema):
    date: dt.date
    clicks: int
    unique_visitors: int
    bot_clicks: int
    conversions: int
    revenue: str


class LinkStatsOut(Schema):
    link: int
    clicks: int
    unique_visitors: int
    bot_clicks: int
    conversions: int
    revenue: str
    conversion_rate: float | None
    by_client: dict[str, int]
    days: list[DayStatsOut]


def stats_data(link, stats) -> dict:
    return {
        "link": link.pk,
        "clicks": stats.clicks,
        "unique_visitors": stats.unique_visitors,
        "bot_clicks": stats.bot_clicks,
        "conversions": stats.conversions,
        "revenue": money_str(stats.revenue),
        "conversion_rate": stats.conversion_rate,
        "by_client": stats.by_client,
        "days": [
            {
                "date": d.date,
                "clicks": d.clicks,
                "unique_visitors": d.unique_visitors,
                "bot_clicks": d.bot_clicks,
                "conversions": d.conversions,
                "revenue": money_str(d.revenue),
            }
            for d in stats.days
        ],
    }


class ConversionOut(Schema):
    id: int
    link: int
    click: int | None
    channel: int
    campaign: int
    external_id: str
    value: str
    at: dt.datetime


def conversion_data(conversion) -> dict:
    return {
        "id": conversion.pk,
        "link": conversion.link_id,
        "click": conversion.click_id,
        "channel": conversion.link.channel_id,
        "campaign": conversion.link.campaign_id,
        "external_id": conversion.external_id,
        "value": money_str(conversion.value),
        "at": conversion.at,
    }


class LinkSettingsIn(InputSchema):
    lowercase: bool | None = None
    allowed_sources: list[str] | None = Field(None, max_length=200)
    allowed_mediums: list[str] | None = Field(None, max_length=200)


class LinkSettingsOut(Schema):
    lowercase: bool
    allowed_sources: list[str]
    allowed_mediums: list[str]
    postback_secret: str | None = None
