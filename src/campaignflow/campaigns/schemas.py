"""API shapes for campaigns and their plan (DESIGN §5 field names; never rename, only extend).

Amounts go out as decimal strings with two places ("1200000.00"), other decimals (goal targets,
template fractions) as plain decimal strings ("0.035"); ids of related objects go out as ids with a
`*_name` beside them for display. Input limits mirror the model so oversized text is a 422 here,
before it reaches the service.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from decimal import Decimal
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import field_validator, model_validator

from campaignflow.core.money import CENT

from .choices import (
    BudgetCategory,
    CampaignStatus,
    CityTier,
    Direction,
    Gender,
    MemberRole,
    RiskCategory,
    RiskStatus,
)
from .models import ChangeKind

# The largest primary key SQLite and PostgreSQL bigint can hold; a bigger id is bad input, not a
# database overflow (500).
MAX_ID = 2**63 - 1

ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2, allow_inf_nan=False)]
Measure = Annotated[Decimal, Field(max_digits=18, decimal_places=4, allow_inf_nan=False)]
Score = Annotated[int, Field(ge=1, le=5)]
Age = Annotated[int, Field(ge=0, le=150)]

# Dates outside this window are typing mistakes; refusing them here also keeps date arithmetic in
# the services (template durations, milestone offsets) from overflowing into a 500.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2999, 12, 31)


def money_str(value: Decimal | None) -> str | None:
    """An amount as a decimal string with exactly two places."""
    if value is None:
        return None
    return format(Decimal(value).quantize(CENT), "f")


def decimal_str(value: Decimal | str | None) -> str | None:
    """A decimal as its shortest exact string: 1000000.0000 → "1000000", 0.0350 → "0.035"."""
    if value is None or value == "":
        return None
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _takes(annotation, types: tuple[type, ...]) -> bool:
    """Whether a field's annotation is one of `types`, or a union (Optional) with one of them."""
    return annotation in types or any(arg in types for arg in typing.get_args(annotation))


def _is_number(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | Decimal):
        return True
    return isinstance(value, str) and bool(re.fullmatch(r"\s*[-+]?\d+(\.\d*)?\s*", value))


class InputSchema(Schema):
    """Base of every request body: refuses NUL characters (PostgreSQL cannot store them) and
    dates outside MIN_DATE..MAX_DATE."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_numbers_for_dates_or_flags(cls, value, info):
        """Pydantic would read a number as a Unix timestamp for a date, and 0 or 1 as a flag."""
        field = cls.model_fields.get(info.field_name)
        if field is None or not _is_number(value):
            return value
        if _takes(field.annotation, (dt.date, dt.datetime)):
            raise ValueError(_("Enter dates as text (YYYY-MM-DD), not as a number."))
        if _takes(field.annotation, (bool,)) and not isinstance(value, str):
            raise ValueError(_("Enter true or false, not a number."))
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _plausible(cls, value):
        if isinstance(value, str) and "\x00" in value:
            raise ValueError(_("Null characters are not allowed."))
        day = value.date() if isinstance(value, dt.datetime) else value
        if isinstance(day, dt.date) and not MIN_DATE <= day <= MAX_DATE:
            raise ValueError(
                _("Enter a date between %(min)s and %(max)s.")
                % {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()}
            )
        return value

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, values):
        """A JSON array, string or number is not an object with fields (Ninja would read it as `{}`)."""
        raw = getattr(values, "_obj", values)  # Ninja wraps the input in a DjangoGetter
        if raw is None or isinstance(raw, list | tuple | str | bytes | int | float):
            raise ValueError(_("Send a JSON object with the fields."))
        return values


# --- campaigns ------------------------------------------------------------------------------------


class CampaignFilters(InputSchema):
    """Query parameters of GET /campaigns; `status` takes a comma-separated list."""

    status: str | None = Field(None, max_length=200)
    department: ObjectId | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str | None = Field(None, max_length=200)
    mine: bool = False
    limit: int | None = Field(None, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=MAX_ID)

    @field_validator("status")
    @classmethod
    def _known_statuses(cls, value: str | None) -> str | None:
        if value:
            unknown = [s for s in value.split(",") if s and s not in CampaignStatus.values]
            if unknown:
                raise ValueError(
                    _("Unknown status “%(status)s”; choose from %(choices)s.")
                    % {"status": unknown[0], "choices": ", ".join(CampaignStatus.values)}
                )
        return value


class CampaignIn(InputSchema):
    name: str = Field(max_length=200)
    department: ObjectId
    template: str = Field("", max_length=40)
    budget_total: Money | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    background: str = Field("", max_length=5000)
    target_audience: str = Field("", max_length=2000)
    core_message: str = Field("", max_length=1000)
    theme: str = Field("", max_length=200)
    format: str = Field("", max_length=200)
    planned_on: dt.date | None = None


class CampaignPatch(InputSchema):
    """Only the fields sent are changed; dates may be cleared with null."""

    name: str = Field(None, max_length=200)
    background: str = Field(None, max_length=5000)
    target_audience: str = Field(None, max_length=2000)
    core_message: str = Field(None, max_length=1000)
    theme: str = Field(None, max_length=200)
    format: str = Field(None, max_length=200)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    planned_on: dt.date = None


class CampaignOut(Schema):
    id: int
    number: str | None
    name: str
    department: int
    department_name: str
    status: str
    status_label: str
    stage: str
    revision: int
    approval_level: int
    template: str
    start_date: dt.date | None
    end_date: dt.date | None
    planned_on: dt.date
    owner: int
    owner_name: str
    background: str
    target_audience: str
    core_message: str
    theme: str
    format: str
    budget_total: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_department(obj) -> int:
        return obj.department_id

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.department.name

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_owner(obj) -> int:
        return obj.owner_id

    @staticmethod
    def resolve_owner_name(obj) -> str:
        return str(obj.owner)

    @staticmethod
    def resolve_budget_total(obj) -> str:
        return money_str(obj.budget_total)


class CampaignDetailOut(CampaignOut):
    """One campaign with the lifecycle actions the current user may attempt now (route names)."""

    allowed_actions: list[str]
    cancel_reason: str


class TransitionIn(InputSchema):
    comment: str = Field("", max_length=2000)


# --- plan items ------------------------------------------------------------------------------------


class GoalIn(InputSchema):
    metric: str = Field(max_length=60)
    name: str = Field("", max_length=200)
    baseline: Measure | None = None
    target: Measure | None = None
    unit: str = Field("", max_length=20)
    direction: Direction = Direction.HIGHER
    deadline: dt.date | None = None
    parent: ObjectId | None = None
    owner: ObjectId | None = None


class GoalPatch(InputSchema):
    metric: str = Field(None, max_length=60)
    name: str = Field(None, max_length=200)
    baseline: Measure | None = None
    target: Measure | None = None
    unit: str = Field(None, max_length=20)
    direction: Direction = None
    deadline: dt.date | None = None
    parent: ObjectId | None = None
    owner: ObjectId | None = None


class GoalOut(Schema):
    id: int
    campaign: int
    metric: str
    name: str
    baseline: str | None
    target: str | None
    unit: str
    direction: str
    deadline: dt.date | None
    parent: int | None
    owner: int | None
    owner_name: str | None
    is_smart: bool

    @staticmethod
    def resolve_campaign(obj) -> int:
        return obj.campaign_id

    @staticmethod
    def resolve_baseline(obj) -> str | None:
        return decimal_str(obj.baseline)

    @staticmethod
    def resolve_target(obj) -> str | None:
        return decimal_str(obj.target)

    @staticmethod
    def resolve_parent(obj) -> int | None:
        return obj.parent_id

    @staticmethod
    def resolve_owner(obj) -> int | None:
        return obj.owner_id

    @staticmethod
    def resolve_owner_name(obj) -> str | None:
        return str(obj.owner) if obj.owner_id else None


class BudgetLineIn(InputSchema):
    category: BudgetCategory
    label: str = Field("", max_length=100)
    channel: ObjectId | None = None
    amount: Money
    note: str = Field("", max_length=300)


class BudgetLinePatch(InputSchema):
    category: BudgetCategory = None
    label: str = Field(None, max_length=100)
    channel: ObjectId | None = None
    amount: Money = None
    note: str = Field(None, max_length=300)


class BudgetLineOut(Schema):
    id: int
    campaign: int
    category: str
    category_label: str
    label: str
    channel: int | None
    channel_name: str | None
    amount: str
    note: str

    @staticmethod
    def resolve_campaign(obj) -> int:
        return obj.campaign_id

    @staticmethod
    def resolve_category_label(obj) -> str:
        return str(obj.get_category_display())

    @staticmethod
    def resolve_channel(obj) -> int | None:
        return obj.channel_id

    @staticmethod
    def resolve_channel_name(obj) -> str | None:
        return obj.channel.name if obj.channel_id else None

    @staticmethod
    def resolve_amount(obj) -> str:
        return money_str(obj.amount)


class RiskIn(InputSchema):
    category: RiskCategory = RiskCategory.OTHER
    description: str = Field(max_length=2000)
    probability: Score = 3
    impact: Score = 3
    response: str = Field("", max_length=2000)
    owner: ObjectId | None = None
    status: RiskStatus = RiskStatus.OPEN


class RiskPatch(InputSchema):
    category: RiskCategory = None
    description: str = Field(None, max_length=2000)
    probability: Score = None
    impact: Score = None
    response: str = Field(None, max_length=2000)
    owner: ObjectId | None = None
    status: RiskStatus = None


class RiskOut(Schema):
    id: int
    campaign: int
    category: str
    description: str
    probability: int
    impact: int
    score: int
    response: str
    owner: int | None
    owner_name: str | None
    status: str

    @staticmethod
    def resolve_campaign(obj) -> int:
        return obj.campaign_id

    @staticmethod
    def resolve_owner(obj) -> int | None:
        return obj.owner_id

    @staticmethod
    def resolve_owner_name(obj) -> str | None:
        return str(obj.owner) if obj.owner_id else None


class MilestoneIn(InputSchema):
    name: str = Field(max_length=200)
    date: dt.date
    note: str = Field("", max_length=300)


class MilestonePatch(InputSchema):
    name: str = Field(None, max_length=200)
    date: dt.date = None
    note: str = Field(None, max_length=300)


class MilestoneOut(Schema):
    id: int
    campaign: int
    name: str
    date: dt.date
    note: str

    @staticmethod
    def resolve_campaign(obj) -> int:
        return obj.campaign_id


class PersonaIn(InputSchema):
    name: str = Field(max_length=100)
    age_min: Age | None = None
    age_max: Age | None = None
    gender: Gender = Gender.ANY
    city_tier: CityTier = CityTier.ANY
    spend_level: str = Field("", max_length=100)
    interests: str = Field("", max_length=300)
    channels: str = Field("", max_length=300)
    description: str = Field("", max_length=2000)


class PersonaPatch(InputSchema):
    name: str = Field(None, max_length=100)
    age_min: Age | None = None
    age_max: Age | None = None
    gender: Gender = None
    city_tier: CityTier = None
    spend_level: str = Field(None, max_length=100)
    interests: str = Field(None, max_length=300)
    channels: str = Field(None, max_length=300)
    description: str = Field(None, max_length=2000)


class PersonaOut(Schema):
    id: int
    campaign: int
    name: str
    age_min: int | None
    age_max: int | None
    gender: str
    city_tier: str
    spend_level: str
    interests: str
    channels: str
    description: str

    @staticmethod
    def resolve_campaign(obj) -> int:
        return obj.campaign_id


class MemberIn(InputSchema):
    user: ObjectId
    role: MemberRole = MemberRole.MEMBER
    group: str = Field("", max_length=60)


class MemberPatch(InputSchema):
    role: MemberRole = None
    group: str = Field(None, max_length=60)


class PersonOut(Schema):
    """The person of a row that has a `user` foreign key: id, username and display name."""

    user: int
    username: str
    user_name: str

    @staticmethod
    def resolve_user(obj) -> int:
        return obj.user_id

    @staticmethod
    def resolve_username(obj) -> str:
        return obj.user.username

    @staticmethod
    def resolve_user_name(obj) -> str:
        return str(obj.user)


class MemberOut(PersonOut):
    id: int
    campaign: int
    role: str
    group: str

    @staticmethod
    def resolve_campaign(obj) -> int:
        return obj.campaign_id


class BriefIn(InputSchema):
    requested_by: str = Field(None, max_length=300)
    collection_method: str = Field(None, max_length=200)
    business_need: str = Field(None, max_length=5000)
    objectives: str = Field(None, max_length=5000)
    target_audience: str = Field(None, max_length=2000)
    core_message: str = Field(None, max_length=1000)
    key_dates: str = Field(None, max_length=2000)
    constraints: str = Field(None, max_length=2000)


class BriefOut(Schema):
    campaign: int
    requested_by: str
    collection_method: str
    business_need: str
    objectives: str
    target_audience: str
    core_message: str
    key_dates: str
    constraints: str

    @staticmethod
    def resolve_campaign(obj) -> int:
        return obj.campaign_id


# --- approvals, audit, registration, plan check ----------------------------------------------------


class ApprovalOut(Schema):
    id: int
    revision: int
    level: int
    role: str
    decision: str
    actor: int
    actor_name: str
    comment: str
    at: dt.datetime

    @staticmethod
    def resolve_actor(obj) -> int:
        return obj.actor_id

    @staticmethod
    def resolve_actor_name(obj) -> str:
        return str(obj.actor)


class AuditEventOut(Schema):
    id: int
    at: dt.datetime
    actor: int | None
    actor_name: str
    verb: str
    object_type: str
    object_id: str
    object_repr: str
    comment: str
    revision: int | None
    before: dict | None
    after: dict | None

    @staticmethod
    def resolve_actor(obj) -> int | None:
        return obj.actor_id


class RegistrationOut(Schema):
    campaign: int
    number: str
    year: int
    sequence: int
    owner_name: str
    department_name: str
    budget_total: str
    start_date: dt.date | None
    end_date: dt.date | None
    approved_by: int
    approved_by_name: str
    registered_at: dt.datetime

    @staticmethod
    def resolve_campaign(obj) -> int:
        return obj.campaign_id

    @staticmethod
    def resolve_budget_total(obj) -> str:
        return money_str(obj.budget_total)

    @staticmethod
    def resolve_approved_by(obj) -> int:
        return obj.approved_by_id

    @staticmethod
    def resolve_approved_by_name(obj) -> str:
        return str(obj.approved_by)


class FieldErrorOut(Schema):
    field: str
    message: str


class PlanCheckOut(Schema):
    """What blocks submission (errors) and what deserves a second look (warnings)."""

    ready: bool
    errors: list[FieldErrorOut]
    warnings: list[str]


# --- scenario templates ------------------------------------------------------------------------------


class TemplateGoalOut(Schema):
    metric: str
    name: str
    unit: str
    direction: str
    target: str | None


class TemplateMilestoneOut(Schema):
    name: str
    offset_days: int | None = None
    offset: str | None = None


class TemplateRiskOut(Schema):
    category: str
    probability: int
    impact: int
    description: str
    response: str


class TemplateOut(Schema):
    key: str
    name: str
    description: str
    duration_days: int
    default_budget: str
    theme: str
    format: str
    budget_split: dict[str, str]
    goals: list[TemplateGoalOut]
    milestones: list[TemplateMilestoneOut]
    risks: list[TemplateRiskOut]


# --- change requests and plan baselines (campaigns.changes) ------------------------------------------


class ChangeRequestIn(InputSchema):
    """`proposed` by kind — dates: {start_date, end_date, milestones?: [{id, date}]}; scope: any of
    {theme, format, background, core_message, target_audience}; budget: {lines: [{id, amount?,
    note?} | {id, remove: true} | {category, channel?, label?, amount, note?}]}; goals: {goals:
    [{id, metric?, name?, baseline?, target?, unit?, direction?, deadline?} | {id, remove: true} |
    {metric, target, deadline, name?, baseline?, unit?, direction?}]}."""

    kind: ChangeKind
    reason: str = Field(max_length=2000)
    impact: str = Field("", max_length=2000)
    proposed: dict | list


class ChangeRequestPatch(InputSchema):
    reason: str = Field(None, max_length=2000)
    impact: str = Field(None, max_length=2000)
    proposed: dict | list = None


class ChangeRequestOut(Schema):
    id: int
    campaign: int
    campaign_name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    reason: str
    impact: str
    proposed: dict
    before: dict | None
    approval_level: int
    revision: int
    applied_revision: int | None
    created_by: int
    created_by_name: str
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    applied_at: dt.datetime | None

    @staticmethod
    def resolve_campaign(obj) -> int:
        return obj.campaign_id

    @staticmethod
    def resolve_campaign_name(obj) -> str:
        return obj.campaign.name

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_created_by(obj) -> int:
        return obj.created_by_id

    @staticmethod
    def resolve_created_by_name(obj) -> str:
        return str(obj.created_by)


class ChangeRequestDetailOut(ChangeRequestOut):
    """One change request with the plan's current values of what it changes, its decisions and
    the actions the current user may take now."""

    current: dict
    approvals: list[ApprovalOut]
    allowed_actions: list[str]

    @staticmethod
    def resolve_approvals(obj) -> list:
        return obj.approvals_list


class PlanSnapshotOut(Schema):
    id: int
    revision: int
    change_request: int | None
    created_at: dt.datetime
    data: dict

    @staticmethod
    def resolve_change_request(obj) -> int | None:
        return obj.change_request_id


# --- the readiness checklist (campaigns.readiness) -------------------------------------------------------


class ReadinessIn(InputSchema):
    """Tick (`checked`) a manual item, waive one with a `reason` (owner only), and/or write a `note`."""

    checked: bool | None = None
    waived: bool | None = None
    reason: str = Field("", max_length=1000)
    note: str | None = Field(None, max_length=1000)


class ReadinessItemOut(Schema):
    key: str
    label: str
    description: str
    automatic: bool
    state: str  # done | waived | open
    problems: list[str]
    checked_by: int | None
    checked_by_name: str | None
    checked_at: dt.datetime | None
    waived: bool
    waiver_reason: str
    waived_by: int | None
    waived_by_name: str | None
    waived_at: dt.datetime | None
    note: str

    @staticmethod
    def resolve_description(obj) -> str:
        return str(obj.check.description)

    @staticmethod
    def resolve_checked_by(obj) -> int | None:
        return obj.item.checked_by_id if obj.item else None

    @staticmethod
    def resolve_checked_by_name(obj) -> str | None:
        return str(obj.item.checked_by) if obj.item and obj.item.checked_by_id else None

    @staticmethod
    def resolve_checked_at(obj) -> dt.datetime | None:
        return obj.item.checked_at if obj.item else None

    @staticmethod
    def resolve_waiver_reason(obj) -> str:
        return obj.item.waiver_reason if obj.item else ""

    @staticmethod
    def resolve_waived_by(obj) -> int | None:
        return obj.item.waived_by_id if obj.item else None

    @staticmethod
    def resolve_waived_by_name(obj) -> str | None:
        return str(obj.item.waived_by) if obj.item and obj.item.waived_by_id else None

    @staticmethod
    def resolve_waived_at(obj) -> dt.datetime | None:
        return obj.item.waived_at if obj.item else None

    @staticmethod
    def resolve_note(obj) -> str:
        return obj.item.note if obj.item else ""


class ReadinessOut(Schema):
    """The checklist: `ready` when nothing is open; `missing` is what `launch` would report."""

    campaign: int
    ready: bool
    missing: list[str]
    items: list[ReadinessItemOut]
