"""API shapes for A/B tests. Rates, MDE, alpha and power are fractions (0.1 = 10 %); amounts are
decimal strings; a result that cannot be computed yet is null, with `message` saying why."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from campaignflow.campaigns.schemas import InputSchema, decimal_str, money_str


class VariantIn(InputSchema):
    name: str = Field(max_length=100)
    is_control: bool = False
    weight: float = 1.0
    channel: int | None = Field(None, ge=1, le=2**63 - 1)
    link: int | None = Field(None, ge=1, le=2**63 - 1)  # a tracked link of the campaign


class ExperimentIn(InputSchema):
    name: str = Field(max_length=200)
    hypothesis: str = ""
    metric: str = "conversion_rate"
    data_source: str = "manual"
    mde: float = 0.1
    alpha: float = 0.05
    power: float = 0.8
    sequential: bool = False
    baseline_rate: float | None = None
    baseline_mean: float | None = None
    baseline_sd: float | None = None
    daily_visitors: int | None = Field(None, ge=0, le=10**12)
    variants: list[VariantIn] = Field(default_factory=list, max_length=50)


class ExperimentPatch(InputSchema):
    name: str | None = Field(None, max_length=200)
    hypothesis: str | None = None
    metric: str | None = None
    data_source: str | None = None
    mde: float | None = None
    alpha: float | None = None
    power: float | None = None
    sequential: bool | None = None
    baseline_rate: float | None = None
    baseline_mean: float | None = None
    baseline_sd: float | None = None
    daily_visitors: int | None = Field(None, ge=0, le=10**12)
    variants: list[VariantIn] | None = Field(None, max_length=50)


class ExperimentActionIn(InputSchema):
    comment: str = Field("", max_length=5000)
    winner: int | None = Field(None, ge=1, le=2**63 - 1)


class ObservationIn(InputSchema):
    variant: int | str
    visitors: int = Field(ge=0, le=10**15)
    conversions: int = Field(0, ge=0, le=10**15)
    revenue: Decimal = Field(Decimal(0), ge=0, max_digits=18, decimal_places=2, allow_inf_nan=False)
    revenue_sum_squares: Decimal | None = Field(
        None, ge=0, max_digits=28, decimal_places=4, allow_inf_nan=False
    )


class ObservationsIn(InputSchema):
    observations: list[ObservationIn] = Field(max_length=50)


class VariantOut(Schema):
    id: int
    name: str
    is_control: bool
    weight: float
    channel: int | None = Field(None, alias="channel_id")
    link: int | None = Field(None, alias="link_id")
    visitors: int
    conversions: int
    revenue: str
    revenue_sum_squares: str | None
    observed_at: dt.datetime | None

    @staticmethod
    def resolve_revenue(obj) -> str:
        return money_str(obj.revenue)

    @staticmethod
    def resolve_revenue_sum_squares(obj) -> str | None:
        return decimal_str(obj.revenue_sum_squares)


class ExperimentOut(Schema):
    id: int
    campaign: int = Field(alias="campaign_id")
    name: str
    hypothesis: str
    status: str
    metric: str
    data_source: str
    mde: float
    alpha: float
    power: float
    sequential: bool
    baseline_rate: float | None
    baseline_mean: float | None
    baseline_sd: float | None
    daily_visitors: int | None
    started_at: dt.datetime | None
    stopped_at: dt.datetime | None
    decided_at: dt.datetime | None
    winner: int | None = Field(None, alias="winner_id")
    decision_note: str
    variants: list[VariantOut]

    @staticmethod
    def resolve_variants(obj):
        return list(obj.variants.all())


class VariantResultOut(Schema):
    variant: int
    name: str
    is_control: bool
    visitors: int
    conversions: int
    revenue: str
    value: float | None
    uplift: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    p_value_adjusted: float | None
    significant: bool
    difference: float | None
    chance_to_beat_control: float | None
    expected_loss: float | None
    expected_loss_control: float | None


class DesignOut(Schema):
    sample_size_per_variant: int | None
    sample_size_total: int | None
    daily_visitors: float | None
    traffic_source: str
    days_needed: int | None
    days_left: int | None
    progress: float | None
    problem: str


class VerdictOut(Schema):
    kind: str
    message: str
    variant: int | None


class ResultsOut(Schema):
    experiment: int
    status: str
    metric: str
    sequential: bool
    alpha: float
    enough_data: bool
    message: str
    srm_p_value: float | None
    srm_mismatch: bool
    variants: list[VariantResultOut]
    design: DesignOut
    verdict: VerdictOut
