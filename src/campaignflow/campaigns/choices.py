from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CampaignStatus(models.TextChoices):
    """Where a campaign is in its life (DESIGN §3). Transitions live in lifecycle.TRANSITIONS."""

    DRAFT = "draft", _("Draft")  # the planner writes the plan; the only state where it is edited
    IN_REVIEW = "in_review", _("In review")  # waiting for the approver of `approval_level`
    APPROVED = "approved", _("Approved")  # all levels approved; registered with a number
    PREPARING = "preparing", _("Preparing")  # tasks, materials and channels being prepared
    LIVE = "live", _("Live")  # launched; daily data flows in
    OPTIMIZING = "optimizing", _("Optimizing")  # post-launch adjustments
    CLOSING = "closing", _("Closing")  # evaluation and settlement under way
    ARCHIVED = "archived", _("Archived")  # frozen into the knowledge base
    CANCELLED = "cancelled", _("Cancelled")  # stopped before closing, with a reason


class Stage(models.TextChoices):
    """The four stages of seed 003; each status belongs to one."""

    PLANNING = "planning", _("Planning & approval")
    EXECUTION = "execution", _("Execution")
    TRACKING = "tracking", _("Tracking")
    CLOSEOUT = "closeout", _("Close-out")


STAGE_OF_STATUS = {
    CampaignStatus.DRAFT: Stage.PLANNING,
    CampaignStatus.IN_REVIEW: Stage.PLANNING,
    CampaignStatus.APPROVED: Stage.PLANNING,
    CampaignStatus.PREPARING: Stage.EXECUTION,
    CampaignStatus.LIVE: Stage.TRACKING,
    CampaignStatus.OPTIMIZING: Stage.TRACKING,
    CampaignStatus.CLOSING: Stage.CLOSEOUT,
    CampaignStatus.ARCHIVED: Stage.CLOSEOUT,
    CampaignStatus.CANCELLED: Stage.CLOSEOUT,
}


class MemberRole(models.TextChoices):
    """A person's role in one campaign (DESIGN §2)."""

    OWNER = "owner", _("Owner / marketing lead")
    PLANNER = "planner", _("Planner")
    PROJECT_MANAGER = "project_manager", _("Project manager")
    MEMBER = "member", _("Member")
    VIEWER = "viewer", _("Viewer")


class BudgetCategory(models.TextChoices):
    """Budget subjects of Table 1."""

    LABOR = "labor", _("Labor")
    MATERIALS = "materials", _("Materials")
    PROMOTION = "promotion", _("Promotion")
    THIRD_PARTY = "third_party", _("Third-party services")
    CONTINGENCY = "contingency", _("Contingency reserve")
    CUSTOM = "custom", _("Other")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MITIGATED = "mitigated", _("Mitigated")
    OCCURRED = "occurred", _("Occurred")
    CLOSED = "closed", _("Closed")


class RiskCategory(models.TextChoices):
    WEATHER = "weather", _("Weather / force majeure")
    TRAFFIC = "traffic", _("Traffic below expectation")
    SUPPLY = "supply", _("Materials and suppliers")
    PUBLIC_OPINION = "public_opinion", _("Public opinion")
    COMPLIANCE = "compliance", _("Compliance")
    BUDGET = "budget", _("Budget")
    SCHEDULE = "schedule", _("Schedule")
    OTHER = "other", _("Other")


class Decision(models.TextChoices):
    APPROVE = "approve", pgettext_lazy("approval decision", "Approved")
    REJECT = "reject", pgettext_lazy("approval decision", "Rejected")


class Gender(models.TextChoices):
    ANY = "any", _("Any")
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class CityTier(models.TextChoices):
    ANY = "any", _("Any")
    TIER1 = "tier1", _("Tier 1")
    NEW_TIER1 = "new_tier1", _("New tier 1")
    TIER2 = "tier2", _("Tier 2")
    TIER3_BELOW = "tier3_below", _("Tier 3 and below")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")
