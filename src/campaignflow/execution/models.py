"""Stage 2 of seed 003: the task assignment table (Table 2), its schedule, RACI, stand-ups and
meetings, and the execution log (活动执行日志)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import DisplayStatus, LogKind, MeetingKind, RaciRole, TaskStatus

USER = settings.AUTH_USER_MODEL


class Task(models.Model):
    """One row of the task assignment table: who does what, with whom, by when."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="tasks")
    name = models.CharField(_("task"), max_length=200)
    owner = models.ForeignKey(USER, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="tasks")
    collaborating_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("collaborating department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    planned_start = models.DateField(_("planned start"))
    planned_finish = models.DateField(_("planned finish"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_finish = models.DateField(_("actual finish"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.TODO, db_index=True
    )
    delay_reason = models.TextField(_("delay reason"), blank=True, max_length=1000)
    is_milestone = models.BooleanField(_("milestone"), default=False)
    # [{"text": "Poster proof signed", "done": false}, …]: too small to deserve a table.
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    baseline_start = models.DateField(_("baseline start"), null=True, blank=True)
    baseline_finish = models.DateField(_("baseline finish"), null=True, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    # The template task this was proposed from, so proposing twice adds nothing.
    template_key = models.CharField(max_length=40, blank=True)
    depends_on = models.ManyToManyField(
        "self",
        verbose_name=_("depends on"),
        through="TaskDependency",
        through_fields=("task", "depends_on"),
        symmetrical=False,
        related_name="successors",
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["order", "planned_start", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_finish__gte=models.F("planned_start")),
                name="task_finish_not_before_start",
            ),
            models.UniqueConstraint(
                fields=["campaign", "template_key"],
                condition=~models.Q(template_key=""),
                name="unique_template_task",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def days_late(self, today: dt.date | None = None) -> int:
        """Days past the planned finish: until today while open, until the actual finish once done."""
        if self.status == TaskStatus.DONE:
            end = self.actual_finish or self.planned_finish
        else:
            end = today or timezone.localdate()
        return max((end - self.planned_finish).days, 0)

    def is_late(self, today: dt.date | None = None) -> bool:
        return self.days_late(today) > 0

    def display_status(self, today: dt.date | None = None) -> str:
        """The stored status, or "delayed" when the dates say the task is late."""
        return DisplayStatus.DELAYED if self.is_late(today) else self.status

    @property
    def shown_status(self) -> str:
        return self.display_status()

    def get_shown_status_display(self) -> str:
        return DisplayStatus(self.shown_status).label

    @property
    def duration_days(self) -> int:
        """Days the task occupies in the schedule; a milestone takes none."""
        if self.is_milestone:
            return 0
        return (self.planned_finish - self.planned_start).days + 1


class TaskDependency(models.Model):
    """Finish-to-start: `task` cannot start before `depends_on` finishes."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="dependency_links")
    depends_on = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="successor_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "depends_on"], name="unique_task_dependency"),
            models.CheckConstraint(
                condition=~models.Q(task=models.F("depends_on")), name="task_not_its_own_dependency"
            ),
        ]
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")

    def __str__(self) -> str:
        return f"{self.depends_on} → {self.task}"


class TaskRaci(models.Model):
    """One person's RACI role on one task."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="raci")
    user = models.ForeignKey(USER, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("RACI role"), max_length=1, choices=RaciRole.choices)

    class Meta:
        ordering = ["task_id", "role", "user_id"]
        constraints = [models.UniqueConstraint(fields=["task", "user"], name="unique_task_raci_person")]
        verbose_name = _("RACI assignment")
        verbose_name_plural = _("RACI assignments")

    def __str__(self) -> str:
        return f"{self.task} · {self.user} · {self.role}"


class Meeting(models.Model):
    """A daily stand-up, weekly meeting or interim review, with what it decided."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(
        _("kind"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.STANDUP
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    attendees = models.ManyToManyField(USER, verbose_name=_("attendees"), blank=True, related_name="+")
    notes = models.TextField(_("notes"), blank=True, max_length=5000)
    decisions = models.TextField(_("decisions"), blank=True, max_length=5000)
    # The task table as it stood when the meeting was recorded: {"done": [...], "due": [...],
    # "late": [...]}, each item {task, name, owner, planned_finish, days_late, delay_reason}.
    progress = models.JSONField(_("progress"), default=dict, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"


class ActionItem(models.Model):
    """Something a meeting asked someone to do; it can become a task."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    description = models.CharField(_("action item"), max_length=300)
    owner = models.ForeignKey(
        USER, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due = models.DateField(_("due"), null=True, blank=True)
    task = models.OneToOneField(
        Task, verbose_name=_("task"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self) -> str:
        return self.description


class LogEntry(models.Model):
    """One entry of the execution log: an issue, a decision or an activated contingency plan."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="log_entries")
    at = models.DateTimeField(_("time"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=30, choices=LogKind.choices, default=LogKind.ISSUE)
    description = models.TextField(_("description"), max_length=2000)
    handling = models.TextField(_("handling"), blank=True, max_length=2000)
    result = models.TextField(_("result"), blank=True, max_length=2000)
    risk = models.ForeignKey(
        "campaigns.Risk",
        verbose_name=_("risk"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="log_entries",
    )
    author = models.ForeignKey(USER, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")

    def __str__(self) -> str:
        return self.description[:60]


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """The secret in a user's private calendar feed URLs; resetting it revokes every old URL."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar token")
        verbose_name_plural = _("calendar tokens")

    def __str__(self) -> str:
        return f"{self.user}"
