from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaignflow.campaigns.choices import CampaignStatus


class TaskStatus(models.TextChoices):
    """What the task's owner reports. "Delayed" is never stored: it follows from the dates."""

    TODO = "todo", _("To do")  # not started
    IN_PROGRESS = "in_progress", _("In progress")  # 进行中
    DONE = "done", _("Done")  # 已完成; actual_finish is set
    BLOCKED = "blocked", _("Blocked")  # waiting on something outside the team


class DisplayStatus(models.TextChoices):
    """The status shown in the API and UI (DESIGN §4): the stored one, or delayed when late."""

    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DELAYED = "delayed", _("Delayed")  # 延期: past its planned finish, or finished after it
    BLOCKED = "blocked", _("Blocked")


class RaciRole(models.TextChoices):
    RESPONSIBLE = "R", _("Responsible")  # does the work
    ACCOUNTABLE = "A", _("Accountable")  # answers for it; exactly one per task is recommended
    CONSULTED = "C", _("Consulted")  # asked before
    INFORMED = "I", _("Informed")  # told after


class MeetingKind(models.TextChoices):
    STANDUP = "standup", _("Daily stand-up")  # 每日例会
    WEEKLY = "weekly", _("Weekly meeting")
    INTERIM_REVIEW = "interim_review", _("Interim review")  # 阶段性复盘会


class LogKind(models.TextChoices):
    """Kinds of entries in the execution log (活动执行日志)."""

    ISSUE = "issue", _("Issue")
    DECISION = "decision", pgettext_lazy("execution log entry", "Decision")
    CONTINGENCY = "contingency_activated", _("Contingency plan activated")


# Tasks, meetings and the log are frozen once the campaign is over.
LOCKED_CAMPAIGN_STATUSES = (CampaignStatus.ARCHIVED, CampaignStatus.CANCELLED)
# A task created in these states starts with its planned dates as baseline (the plan is approved).
APPROVED_CAMPAIGN_STATUSES = (
    CampaignStatus.APPROVED,
    CampaignStatus.PREPARING,
    CampaignStatus.LIVE,
    CampaignStatus.OPTIMIZING,
    CampaignStatus.CLOSING,
)
