"""Expenses recorded against budget lines, and the expense settlement (活动费用决算表) at close-out."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaignflow.campaigns.choices import BudgetCategory

from .choices import AttachmentType, SettlementStatus

USER = settings.AUTH_USER_MODEL


def attachment_path(instance: Expense, filename: str) -> str:
    """Where an attachment is stored: the services pass a generated name, never the user's."""
    return f"expenses/{instance.campaign_id}/{filename}"


class Expense(models.Model):
    """One payment of the campaign: what, to whom, when, against which budget line, with its voucher.

    `category` is copied from the budget line when the expense is saved, so the expense keeps its
    category if a change request later removes the line (the line is then set to null).
    """

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="expenses"
    )
    budget_line = models.ForeignKey(
        "campaigns.BudgetLine",
        verbose_name=_("budget line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expenses",
    )
    category = models.CharField(_("category"), max_length=20, choices=BudgetCategory.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    date = models.DateField(_("date"))
    vendor = models.CharField(_("vendor"), max_length=200)
    reference = models.CharField(_("invoice or contract reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=1000)
    attachment = models.FileField(_("attachment"), upload_to=attachment_path, blank=True, max_length=200)
    attachment_name = models.CharField(_("attachment file name"), max_length=200, blank=True)
    attachment_type = models.CharField(
        _("attachment type"), max_length=10, choices=AttachmentType.choices, blank=True
    )
    attachment_size = models.PositiveIntegerField(_("attachment size"), default=0)
    created_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        indexes = [models.Index(fields=["campaign", "date"], name="expense_campaign_date")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="expense_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.vendor} {self.amount}"

    @property
    def has_attachment(self) -> bool:
        return bool(self.attachment)


class Settlement(models.Model):
    """The expense settlement of one campaign: per category budget, actual, variance, explanation.

    While it is a draft the figures are computed from the budget lines and expenses each time it
    is read; on submission they are frozen into `rows`, which is what management approves.
    """

    campaign = models.OneToOneField(
        "campaigns.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="settlement"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SettlementStatus.choices, default=SettlementStatus.DRAFT
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    # category key -> explanation of its variance (超支/节余原因)
    explanations = models.JSONField(_("explanations"), default=dict, blank=True)
    # The rows as submitted (selectors.SettlementRow.as_dict), empty while a draft.
    rows = models.JSONField(_("figures as submitted"), default=list, blank=True)
    threshold = models.DecimalField(
        _("variance threshold"), max_digits=5, decimal_places=4, default=Decimal("0.05")
    )
    submitted_by = models.ForeignKey(
        USER,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    # Every decision, one immutable campaigns.Approval each (the approval engine's one record).
    approvals = GenericRelation(
        "campaigns.Approval",
        content_type_field="subject_type",
        object_id_field="subject_id",
        related_query_name="settlement",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("expense settlement")
        verbose_name_plural = _("expense settlements")

    def __str__(self) -> str:
        return f"{self.campaign} · {self.get_status_display()}"

    @property
    def is_draft(self) -> bool:
        return self.status == SettlementStatus.DRAFT
