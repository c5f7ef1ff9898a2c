"""Campaign plan (Table 1), its parts, approvals and the registration record (立项登记表)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import (
    STAGE_OF_STATUS,
    BudgetCategory,
    CampaignStatus,
    CityTier,
    Decision,
    Direction,
    Gender,
    MemberRole,
    RiskCategory,
    RiskStatus,
)

USER = settings.AUTH_USER_MODEL
EDITABLE_STATUSES = (CampaignStatus.DRAFT,)


class Campaign(models.Model):
    """A marketing campaign from first draft to archive; the plan fields follow Table 1."""

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    owner = models.ForeignKey(
        USER, verbose_name=_("plan owner"), on_delete=models.PROTECT, related_name="owned_campaigns"
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CampaignStatus.choices,
        default=CampaignStatus.DRAFT,
        db_index=True,
    )
    # The approval level awaiting a decision while in review (1-based); 0 otherwise.
    approval_level = models.PositiveSmallIntegerField(default=0)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    template = models.CharField(_("scenario"), max_length=40, blank=True)
    planned_on = models.DateField(_("planning date"), default=timezone.localdate)
    background = models.TextField(_("background and objectives"), blank=True, max_length=5000)
    target_audience = models.TextField(_("target audience"), blank=True, max_length=2000)
    core_message = models.TextField(_("core message"), blank=True, max_length=1000)
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    format = models.CharField(_("format"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        # Every campaign list is newest first, paginated: the index hands out the first page without
        # sorting every visible campaign (docs/deployment.md, "Performance and limits").
        indexes = [models.Index(fields=["-created_at", "-id"], name="campaign_newest_first")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="campaign_end_not_before_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}" if self.number else self.name

    @property
    def stage(self) -> str:
        return STAGE_OF_STATUS[CampaignStatus(self.status)]

    def get_stage_display(self) -> str:
        from .choices import Stage

        return Stage(self.stage).label

    @property
    def budget_total(self) -> Decimal:
        """Sum of the budget lines; computed, never stored."""
        if "budget_sum" in self.__dict__:  # annotated by selectors.campaign_list
            total = self.budget_sum
        else:
            total = self.budget_lines.aggregate(total=Sum("amount"))["total"]
        return (total or Decimal("0")).quantize(Decimal("0.01"))

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class RequirementsBrief(models.Model):
    """活动需求说明书: what sales, product and others asked for, before the plan is written."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="brief")
    requested_by = models.CharField(_("requested by (departments)"), max_length=300, blank=True)
    collection_method = models.CharField(_("how collected"), max_length=200, blank=True)
    business_need = models.TextField(_("business need"), blank=True, max_length=5000)
    objectives = models.TextField(_("objectives"), blank=True, max_length=5000)
    target_audience = models.TextField(_("target audience"), blank=True, max_length=2000)
    core_message = models.TextField(_("core message"), blank=True, max_length=1000)
    key_dates = models.TextField(_("key dates"), blank=True, max_length=2000)
    constraints = models.TextField(_("constraints"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("requirements brief")
        verbose_name_plural = _("requirements briefs")

    def __str__(self) -> str:
        return f"{self.campaign}"


class CampaignMember(models.Model):
    """A person's role in a campaign, with a free group label (物料组, 渠道组, …)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER)
    group = models.CharField(_("group"), max_length=60, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "user"], name="unique_campaign_member")]
        verbose_name = _("campaign member")
        verbose_name_plural = _("campaign members")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class Persona(models.Model):
    """A target segment: who the campaign speaks to."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="personas")
    name = models.CharField(_("name"), max_length=100)
    age_min = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, default=Gender.ANY)
    city_tier = models.CharField(
        _("city tier"), max_length=20, choices=CityTier.choices, default=CityTier.ANY
    )
    spend_level = models.CharField(_("spending level"), max_length=100, blank=True)
    interests = models.CharField(_("interests"), max_length=300, blank=True)
    channels = models.CharField(_("preferred channels"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)

    class Meta:
        ordering = ["id"]
        verbose_name = _("persona")
        verbose_name_plural = _("personas")

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    """A key date of the execution flow (Table 1: 执行流程与时间节点)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("name"), max_length=200)
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Goal(models.Model):
    """A SMART goal: a metric with a measurable target and a deadline; may decompose a parent."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="goals")
    metric = models.CharField(_("metric"), max_length=60)
    name = models.CharField(_("name"), max_length=200, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=18, decimal_places=4, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent goal"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    owner = models.ForeignKey(
        USER, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.name or self.metric

    @property
    def is_smart(self) -> bool:
        return bool(self.metric) and self.target is not None and self.deadline is not None


class BudgetLine(models.Model):
    """One budget subject of Table 1 (人力, 物料, 推广, 第三方服务, 应急预备金, or custom)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("category"), max_length=20, choices=BudgetCategory.choices)
    label = models.CharField(_("label"), max_length=100, blank=True)
    channel = models.ForeignKey(
        "metrics.Channel",
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="budget_amount_not_negative")
        ]

    def __str__(self) -> str:
        return self.label or self.get_category_display()


class Risk(models.Model):
    """A foreseen risk with its response (Table 1: 风险预判与应对)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="risks")
    category = models.CharField(
        _("category"), max_length=20, choices=RiskCategory.choices, default=RiskCategory.OTHER
    )
    description = models.TextField(_("description"), max_length=2000)
    probability = models.PositiveSmallIntegerField(
        _("probability (1-5)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    impact = models.PositiveSmallIntegerField(
        _("impact (1-5)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    response = models.TextField(_("response"), blank=True, max_length=2000)
    owner = models.ForeignKey(
        USER, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=RiskStatus.choices, default=RiskStatus.OPEN)

    class Meta:
        ordering = ["id"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def score(self) -> int:
        return self.probability * self.impact


class Approval(models.Model):
    """One decision on one revision at one level. Immutable once written.

    The one record of every approval flow (campaigns.approvals). It decides exactly one of: the
    plan of `campaign`, one `change_request`, or another `subject` (the expense settlement, the
    evaluation report, each with a GenericRelation `approvals`). So `campaign.approvals` stays the
    plan's own approval record, a change request's decisions are `change_request.approvals` and a
    settlement's are `settlement.approvals`.
    """

    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="approvals"
    )
    revision = models.PositiveIntegerField(_("revision"))
    level = models.PositiveSmallIntegerField(_("level"))
    role = models.CharField(_("approver role"), max_length=20)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    actor = models.ForeignKey(USER, verbose_name=_("approver"), on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    at = models.DateTimeField(_("time"), default=timezone.now)
    # Set (and `campaign` left empty) when the decision is on a change request rather than on the
    # plan itself: one approval chain and one immutable record for both (see campaigns.changes).
    change_request = models.ForeignKey(
        "campaigns.ChangeRequest",
        verbose_name=_("change request"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="approvals",
    )
    # Set (and the two above left empty) when the decision is on anything else: the expense
    # settlement or the evaluation report of a campaign.
    subject_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("subject type"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    subject_id = models.PositiveBigIntegerField(_("subject"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="approval_subject")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    campaign__isnull=False,
                    change_request__isnull=True,
                    subject_type__isnull=True,
                    subject_id__isnull=True,
                )
                | models.Q(
                    campaign__isnull=True,
                    change_request__isnull=False,
                    subject_type__isnull=True,
                    subject_id__isnull=True,
                )
                | models.Q(
                    campaign__isnull=True,
                    change_request__isnull=True,
                    subject_type__isnull=False,
                    subject_id__isnull=False,
                ),
                name="approval_decides_one_subject",
            )
        ]

    def __str__(self) -> str:
        if self.campaign_id is not None:
            subject = self.campaign
        elif self.change_request_id is not None:
            subject = self.change_request
        else:
            subject = self.subject
        return f"{subject} r{self.revision} L{self.level} {self.decision}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("approvals are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("approvals are immutable")


class RegistrationCounter(models.Model):
    """The last registration number used in a year; locked while a number is taken."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class RegistrationRecord(models.Model):
    """活动立项登记表: written once when the last approval registers the campaign."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="registration")
    number = models.CharField(_("number"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    owner_name = models.CharField(_("owner"), max_length=150)
    department_name = models.CharField(_("department"), max_length=100)
    budget_total = models.DecimalField(_("total budget"), max_digits=14, decimal_places=2)
    start_date = models.DateField(_("start date"), null=True)
    end_date = models.DateField(_("end date"), null=True)
    approved_by = models.ForeignKey(
        USER, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)

    class Meta:
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="unique_registration_sequence")
        ]
        verbose_name = _("registration record")
        verbose_name_plural = _("registration records")

    def __str__(self) -> str:
        return self.number


# --- stage 2: change requests, plan baselines and the readiness checklist -----------------------
# Their choices live beside the models so this block stays self-contained; see campaigns.changes
# and campaigns.readiness for the rules.


class ChangeKind(models.TextChoices):
    """What a change request changes (DESIGN §4: scope, budget, dates, goals)."""

    SCOPE = "scope", _("Scope")
    BUDGET = "budget", _("Budget")
    DATES = "dates", _("Dates")
    GOALS = "goals", _("Goals")


class ChangeStatus(models.TextChoices):
    """Where a change request is. Transitions live in changes.CHANGE_TRANSITIONS."""

    DRAFT = "draft", _("Draft")  # the requester is still writing it
    IN_REVIEW = "in_review", _("In review")  # waiting for the approver of `approval_level`
    # every level approved (briefly, before it is applied)
    APPROVED = "approved", pgettext_lazy("change request status", "Approved")
    REJECTED = "rejected", _("Rejected")  # an approver said no, with a comment
    APPLIED = "applied", _("Applied")  # the plan was changed and its revision bumped
    WITHDRAWN = "withdrawn", _("Withdrawn")  # the requester took it back


class ChangeRequest(models.Model):
    """A request to change an approved plan's scope, budget, dates or goals (scope change control).

    `proposed` holds the new values as JSON validated per kind by changes.proposal_clean;
    `before` the values it replaced, written when it was applied.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="change_requests")
    kind = models.CharField(_("kind"), max_length=10, choices=ChangeKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.DRAFT, db_index=True
    )
    reason = models.TextField(_("reason"), max_length=2000)
    impact = models.TextField(_("impact"), blank=True, max_length=2000)
    proposed = models.JSONField(_("proposed values"), default=dict)
    before = models.JSONField(_("values before the change"), null=True, blank=True)
    # The approval level awaiting a decision while in review (1-based); 0 otherwise.
    approval_level = models.PositiveSmallIntegerField(_("approval level"), default=0)
    revision = models.PositiveIntegerField(_("plan revision"))  # the revision it asks to change
    applied_revision = models.PositiveIntegerField(_("applied as revision"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"


class PlanSnapshot(models.Model):
    """The plan as it stood at one revision (fields, goals, budget lines, milestones), kept as the
    baseline a change replaced so the current plan can be compared with it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="plan_snapshots")
    revision = models.PositiveIntegerField(_("revision"))
    data = models.JSONField(_("plan"))
    change_request = models.ForeignKey(
        ChangeRequest,
        verbose_name=_("replaced by change request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["revision"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "revision"], name="unique_plan_snapshot_revision")
        ]
        verbose_name = _("plan baseline")
        verbose_name_plural = _("plan baselines")

    def __str__(self) -> str:
        return f"{self.campaign} r{self.revision}"


class ReadinessItem(models.Model):
    """A person's tick or the owner's waiver on one item of the pre-launch checklist (seed 004).

    Items checked automatically from the plan have a row only when waived or annotated.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="readiness_items")
    key = models.CharField(_("item"), max_length=40)
    checked_by = models.ForeignKey(
        USER, verbose_name=_("checked by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    waived = models.BooleanField(_("waived"), default=False)
    waiver_reason = models.TextField(_("waiver reason"), blank=True, max_length=1000)
    waived_by = models.ForeignKey(
        USER, verbose_name=_("waived by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    waived_at = models.DateTimeField(_("waived at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=1000)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="unique_readiness_item")]
        verbose_name = _("readiness item")
        verbose_name_plural = _("readiness items")

    def __str__(self) -> str:
        from .readiness import item_label

        return item_label(self.key)
