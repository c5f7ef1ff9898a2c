"""The evaluation report of a campaign (seed 003 Table 4) and its dimensions.

While the report is a draft its figures are read live from the daily data (metrics.selectors);
on submission they are frozen into the dimensions and `channels`, which is what management
approves and what the archive keeps.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import EvaluationStatus

USER = settings.AUTH_USER_MODEL
TEXT_MAX = 5000


class EvaluationReport(models.Model):
    """The close-out evaluation: goals against actuals, ROI and ROAS, what worked, lessons learned."""

    campaign = models.OneToOneField(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="evaluation"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    summary = models.TextField(_("summary"), blank=True, max_length=TEXT_MAX)
    what_worked = models.TextField(_("what worked"), blank=True, max_length=TEXT_MAX)
    what_did_not = models.TextField(_("what did not work"), blank=True, max_length=TEXT_MAX)
    keep = models.TextField(_("keep"), blank=True, max_length=TEXT_MAX)
    change = models.TextField(_("change"), blank=True, max_length=TEXT_MAX)
    try_next = models.TextField(_("try next time"), blank=True, max_length=TEXT_MAX)
    meeting = models.ForeignKey(
        "execution.Meeting",
        verbose_name=_("retrospective meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    meeting_notes = models.TextField(_("retrospective notes"), blank=True, max_length=TEXT_MAX)
    # Totals and channel results as submitted: {"cost", "revenue", "roi", "roas"} and a list of rows.
    totals = models.JSONField(_("totals as submitted"), default=dict, blank=True)
    channels = models.JSONField(_("channel results as submitted"), default=list, blank=True)
    submitted_by = models.ForeignKey(
        USER,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True, max_length=2000)
    # Every decision, one immutable campaigns.Approval each; decided_* above repeat the last one.
    approvals = GenericRelation(
        "campaigns.Approval",
        content_type_field="subject_type",
        object_id_field="subject_id",
        related_query_name="evaluation_report",
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("evaluation report")
        verbose_name_plural = _("evaluation reports")

    def __str__(self) -> str:
        return f"{self.campaign} · {self.get_status_display()}"

    @property
    def is_draft(self) -> bool:
        return self.status == EvaluationStatus.DRAFT


class EvaluationDimension(models.Model):
    """One row of Table 4: a goal (or ROI / ROAS) with target, actual, achievement and analysis."""

    report = models.ForeignKey(EvaluationReport, on_delete=models.CASCADE, related_name="dimensions")
    key = models.CharField(_("key"), max_length=40)  # "goal:<id>", "roi" or "roas"
    position = models.PositiveIntegerField(_("position"), default=0)
    goal = models.ForeignKey(
        "campaigns.Goal",
        verbose_name=_("goal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    metric = models.CharField(_("metric"), max_length=60)
    name = models.CharField(_("dimension"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    direction = models.CharField(_("direction"), max_length=10, default="higher")
    tracked = models.BooleanField(_("measured from the daily data"), default=True)
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=4, null=True, blank=True)
    actual = models.DecimalField(_("actual"), max_digits=20, decimal_places=6, null=True, blank=True)
    achievement = models.DecimalField(
        _("achievement"), max_digits=14, decimal_places=6, null=True, blank=True
    )
    met = models.BooleanField(_("met"), null=True, blank=True)
    analysis = models.TextField(_("analysis"), blank=True, max_length=TEXT_MAX)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("evaluation dimension")
        verbose_name_plural = _("evaluation dimensions")
        constraints = [models.UniqueConstraint(fields=["report", "key"], name="evaluation_dimension_key")]

    def __str__(self) -> str:
        return self.name
