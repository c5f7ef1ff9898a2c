"""API shapes of the reports app. Amounts and measures are decimal strings, rates fractions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from campaignflow.campaigns.schemas import InputSchema, decimal_str

from .choices import ReviewStatus


class DailyReportOut(Schema):
    id: int
    day: dt.date
    generated_at: dt.datetime
    generated_by: str | None
    anomalies: list[dict]

    @staticmethod
    def resolve_generated_by(obj) -> str | None:
        return obj.generated_by.username if obj.generated_by_id else None


class DailyReportIn(InputSchema):
    date: dt.date | None = None


class InterimItemOut(Schema):
    id: int
    position: int
    goal: int | None
    metric: str
    name: str
    unit: str
    direction: str
    stage_target: str | None
    actual: str | None
    achievement: str | None
    cause: str
    adjustment: str
    expected_effect: str

    @staticmethod
    def resolve_goal(obj) -> int | None:
        return obj.goal_id

    @staticmethod
    def resolve_stage_target(obj) -> str | None:
        return decimal_str(obj.stage_target)

    @staticmethod
    def resolve_actual(obj) -> str | None:
        return decimal_str(obj.actual)

    @staticmethod
    def resolve_achievement(obj) -> str | None:
        from .interim import achievement

        value = achievement(obj)
        return decimal_str(value.quantize(Decimal("0.0001"))) if value is not None else None


class InterimReviewOut(Schema):
    id: int
    campaign: int
    period_from: dt.date
    period_to: dt.date
    summary: str
    status: ReviewStatus
    created_by: str
    created_at: dt.datetime
    finalised_at: dt.datetime | None
    items: list[InterimItemOut]

    @staticmethod
    def resolve_campaign(obj) -> int:
        return obj.campaign_id

    @staticmethod
    def resolve_created_by(obj) -> str:
        return obj.created_by.username

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.all())


class InterimReviewIn(InputSchema):
    period_from: dt.date
    period_to: dt.date
    summary: str = Field("", max_length=5000)


class InterimReviewPatch(InputSchema):
    summary: str = Field(max_length=5000)


class InterimItemPatch(InputSchema):
    stage_target: Decimal | None = Field(None, max_digits=18, decimal_places=4, allow_inf_nan=False)
    cause: str | None = Field(None, max_length=2000)
    adjustment: str | None = Field(None, max_length=2000)
    expected_effect: str | None = Field(None, max_length=2000)
