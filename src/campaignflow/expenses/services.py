"""Writes of the expenses app: expenses with their vouchers, and the settlement's approval flow.

Every public function is one business operation shared by the API, the web UI and the demo: it
checks visibility (404), policy (403), state (409) and input (422) in that order, writes under the
campaign's row lock in one transaction, and records an audit event in the same transaction.
Notifications are rows written in that transaction too (notifications.services.notify).

Rules:
- an expense is recorded against one budget line of its campaign; its category follows the line;
  the amount is positive; the date lies between EXPENSE_DATE_GRACE_DAYS before the start and as
  many days after the end, and not in the future;
- expenses are frozen while the settlement is submitted and for good once it is approved (409);
- the settlement is submitted only while the campaign is closing; each category whose |variance %|
  passes the organization's threshold needs an explanation (422 naming the category);
- management (or an admin) approves it, or rejects it with a comment back to draft, through the
  approval engine (campaigns.approvals, levels ["management"]); each decision is an immutable
  campaigns.Approval with the settlement as subject; once approved nothing changes any more (409).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaignflow.accounts.models import Organization
from campaignflow.audit.services import audit_record, snapshot
from campaignflow.campaigns import approvals
from campaignflow.campaigns.choices import BudgetCategory, CampaignStatus
from campaignflow.campaigns.models import BudgetLine, Campaign
from campaignflow.campaigns.services import _validate as validate_model  # one model-validation rule
from campaignflow.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed, field_error
from campaignflow.core.money import to_money

from . import attachments, permissions, selectors
from .choices import SettlementStatus
from .models import Expense, Settlement

logger = logging.getLogger(__name__)

# Deposits and materials are paid weeks before the start; invoices arrive weeks after the end.
EXPENSE_DATE_GRACE_DAYS = 60
EXPENSE_FIELDS = ("budget_line", "amount", "date", "vendor", "reference", "note")
MAX_AMOUNT = Decimal("999999999999.99")  # 14 digits, 2 places
EXPLANATION_MAX = 2000

REQUESTED_TITLE = gettext_lazy("Settlement approval requested: %(campaign)s")
REQUESTED_BODY = gettext_lazy(
    "%(actor)s submitted the expense settlement of “%(campaign)s”: budget %(budget)s, actual "
    "%(actual)s %(currency)s. It waits for management's approval."
)
APPROVED_TITLE = gettext_lazy("Settlement approved: %(campaign)s")
APPROVED_BODY = gettext_lazy("%(actor)s approved the expense settlement of “%(campaign)s”. %(comment)s")
REJECTED_TITLE = gettext_lazy("Settlement rejected: %(campaign)s")
REJECTED_BODY = gettext_lazy(
    "%(actor)s sent the expense settlement of “%(campaign)s” back to draft: “%(comment)s”."
)


# --- shared checks ----------------------------------------------------------------------------------


def _lock(campaign: Campaign) -> Campaign:
    """Re-read the campaign holding its row lock: expense writes, settlement moves and `archive`
    (campaigns.services locks the same row) serialise, so no expense slips in after approval.
    (On SQLite the IMMEDIATE transaction holds the database write lock from BEGIN.)"""
    return (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("department", "owner")
        .get(pk=campaign.pk)
    )


def _require_view(actor, campaign: Campaign) -> None:
    if not permissions.can_view_expenses(actor, campaign):
        raise NotFound(_("Campaign not found."))


def _require_recorder(actor, campaign: Campaign) -> None:
    _require_view(actor, campaign)
    if not permissions.can_record_expenses(actor, campaign):
        raise Forbidden(_("Only finance and the campaign's owner and project managers may record expenses."))


def _settlement_status(campaign: Campaign) -> str | None:
    return Settlement.objects.filter(campaign_id=campaign.pk).values_list("status", flat=True).first()


def expenses_frozen(campaign: Campaign) -> Conflict | None:
    """Why the campaign's expenses cannot change now (the 409 to raise), or None when they can."""
    status = _settlement_status(campaign)
    if status == SettlementStatus.APPROVED:
        return Conflict(
            _("The expense settlement is approved: expenses are frozen."), code="settlement_approved"
        )
    if status == SettlementStatus.SUBMITTED:
        return Conflict(
            _("The expense settlement is waiting for approval: expenses are frozen until it is decided."),
            code="settlement_submitted",
        )
    if campaign.status not in permissions.EXPENSE_STATUSES:
        return Conflict(
            _("Expenses are recorded from approval until close-out; this campaign is %(status)s.")
            % {"status": campaign.get_status_display()},
            code="campaign_closed",
        )
    return None


def _require_expenses_open(campaign: Campaign) -> None:
    frozen = expenses_frozen(campaign)
    if frozen is not None:
        raise frozen


def _clean(campaign: Campaign, data: dict, *, partial: bool) -> dict:
    """Typed, checked expense fields; ValidationFailed names every bad field."""
    unknown = set(data) - set(EXPENSE_FIELDS)
    if unknown:
        raise field_error(sorted(unknown)[0], _("Unknown field."))
    errors: list[FieldError] = []
    clean: dict = {}
    if "budget_line" in data or not partial:
        line = data.get("budget_line")
        line_id = getattr(line, "pk", line)
        found = None
        if line_id not in (None, ""):
            try:
                found = BudgetLine.objects.filter(pk=int(line_id), campaign_id=campaign.pk).first()
            except (TypeError, ValueError, OverflowError):
                found = None
        if found is None:
            errors.append(FieldError("budget_line", _("Choose a budget line of this campaign.")))
        clean["budget_line"] = found
    if "amount" in data or not partial:
        clean["amount"] = _amount(data.get("amount"), errors)
    if "date" in data or not partial:
        clean["date"] = _date(campaign, data.get("date"), errors)
    for name in ("vendor", "reference", "note"):
        if name in data or not partial:
            value = data.get(name)
            clean[name] = (value if isinstance(value, str) else "" if value is None else str(value)).strip()
    if "vendor" in clean and not clean["vendor"]:
        errors.append(FieldError("vendor", _("Name the vendor or payee.")))
    if errors:
        raise ValidationFailed(errors[0].message, errors)
    return clean


def _amount(value, errors: list[FieldError]) -> Decimal | None:
    if value is None or value == "":
        errors.append(FieldError("amount", _("Enter the amount.")))
        return None
    try:
        amount = to_money(value)
    except (InvalidOperation, ValueError, TypeError):
        errors.append(FieldError("amount", _("Enter a number.")))
        return None
    if amount <= 0:
        errors.append(FieldError("amount", _("The amount must be greater than zero.")))
        return None
    if amount > MAX_AMOUNT:
        errors.append(FieldError("amount", _("The amount is too large.")))
        return None
    return amount


def date_window(campaign: Campaign) -> tuple[dt.date | None, dt.date | None]:
    """The dates an expense of this campaign may carry (the grace period on both sides)."""
    grace = dt.timedelta(days=EXPENSE_DATE_GRACE_DAYS)
    first = campaign.start_date - grace if campaign.start_date else None
    last = campaign.end_date + grace if campaign.end_date else None
    return first, last


def _date(campaign: Campaign, value, errors: list[FieldError]) -> dt.date | None:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, dt.date):
        errors.append(FieldError("date", _("Enter the date as YYYY-MM-DD.")))
        return None
    first, last = date_window(campaign)
    if value > timezone.localdate():
        errors.append(
            FieldError("date", _("An expense is recorded once it is incurred; the date is in the future."))
        )
    elif (first and value < first) or (last and value > last):
        errors.append(
            FieldError(
                "date",
                _("The date must lie between %(first)s and %(last)s (the campaign's dates ± %(days)d days).")
                % {
                    "first": first.isoformat() if first else "…",
                    "last": last.isoformat() if last else "…",
                    "days": EXPENSE_DATE_GRACE_DAYS,
                },
            )
        )
    return value


def _store_attachment(expense: Expense, upload) -> str:
    """Check and save the upload under a generated name; returns the replaced file's name."""
    checked = attachments.check(upload)
    old = expense.attachment.name if expense.attachment else ""
    expense.attachment.save(checked.storage_name, checked.file, save=False)
    expense.attachment_name = checked.display_name
    expense.attachment_type = checked.kind
    expense.attachment_size = checked.size
    return old


def referenced_attachments() -> list[str]:
    """core.files owner: the attachments rows point to; a file left by a rolled-back upload is not."""
    return list(Expense.objects.exclude(attachment="").values_list("attachment", flat=True))


def _delete_file_after_commit(name: str) -> None:
    """Remove a replaced or orphaned file once the database no longer points to it."""
    if not name:
        return
    storage = Expense._meta.get_field("attachment").storage

    def remove() -> None:
        try:
            storage.delete(name)
        except OSError:  # a file that cannot be removed is left behind, never an error for the user
            logger.warning("could not delete attachment %s", name)

    transaction.on_commit(remove)


EXPENSE_SNAPSHOT = [
    "budget_line",
    "category",
    "amount",
    "date",
    "vendor",
    "reference",
    "note",
    "attachment_name",
    "attachment_type",
    "attachment_size",
]


# --- expenses ----------------------------------------------------------------------------------------


@transaction.atomic
def expense_create(*, campaign: Campaign, actor, data: dict, attachment=None) -> Expense:
    """Record an expense against a budget line, with an optional scanned voucher."""
    campaign = _lock(campaign)
    _require_recorder(actor, campaign)
    _require_expenses_open(campaign)
    clean = _clean(campaign, data, partial=False)
    line = clean.pop("budget_line")
    expense = Expense(campaign=campaign, budget_line=line, category=line.category, created_by=actor, **clean)
    validate_model(expense, exclude=["campaign", "budget_line", "created_by", "attachment"])
    if attachment is not None:
        _store_attachment(expense, attachment)
    expense.save()
    audit_record(
        actor=actor,
        verb="expense.created",
        obj=expense,
        campaign=campaign,
        after=snapshot(expense, EXPENSE_SNAPSHOT),
    )
    check_overspend(campaign=campaign, actor=actor)
    return expense


@transaction.atomic
def expense_update(
    *, expense: Expense, actor, data: dict, attachment=None, remove_attachment: bool = False
) -> Expense:
    """Change some fields of an expense; moving it to another line moves its category too.

    A new `attachment` replaces the voucher; `remove_attachment` drops it.
    """
    campaign = _lock(expense.campaign)
    _require_recorder(actor, campaign)
    expense = Expense.objects.select_for_update(of=("self",)).get(pk=expense.pk)
    _require_expenses_open(campaign)
    clean = _clean(campaign, data, partial=True)
    if not clean and attachment is None and not (remove_attachment and expense.attachment):
        return expense
    before = snapshot(expense, EXPENSE_SNAPSHOT)
    if "budget_line" in clean:
        line = clean.pop("budget_line")
        expense.budget_line, expense.category = line, line.category
    for key, value in clean.items():
        setattr(expense, key, value)
    validate_model(expense, exclude=["campaign", "budget_line", "created_by", "attachment"])
    old = ""
    if attachment is not None:
        old = _store_attachment(expense, attachment)
    elif remove_attachment and expense.attachment:
        old = _clear_attachment(expense)
    expense.save()
    audit_record(
        actor=actor,
        verb="expense.updated",
        obj=expense,
        campaign=campaign,
        before=before,
        after=snapshot(expense, EXPENSE_SNAPSHOT),
    )
    _delete_file_after_commit(old)
    check_overspend(campaign=campaign, actor=actor)
    return expense


def _clear_attachment(expense: Expense) -> str:
    old = expense.attachment.name
    expense.attachment = ""
    expense.attachment_name, expense.attachment_type, expense.attachment_size = "", "", 0
    return old


@transaction.atomic
def expense_delete(*, expense: Expense, actor) -> None:
    campaign = _lock(expense.campaign)
    _require_recorder(actor, campaign)
    _require_expenses_open(campaign)
    name = expense.attachment.name if expense.attachment else ""
    audit_record(
        actor=actor,
        verb="expense.deleted",
        obj=expense,
        campaign=campaign,
        before=snapshot(expense, EXPENSE_SNAPSHOT),
    )
    expense.delete()
    _delete_file_after_commit(name)


@transaction.atomic
def expense_attach(*, expense: Expense, actor, upload) -> Expense:
    """Attach (or replace) the expense's scanned invoice, receipt or contract."""
    campaign = _lock(expense.campaign)
    _require_recorder(actor, campaign)
    _require_expenses_open(campaign)
    before = snapshot(expense, ["attachment_name", "attachment_type", "attachment_size"])
    old = _store_attachment(expense, upload)
    expense.save()
    audit_record(
        actor=actor,
        verb="expense.attached",
        obj=expense,
        campaign=campaign,
        before=before,
        after=snapshot(expense, ["attachment_name", "attachment_type", "attachment_size"]),
    )
    _delete_file_after_commit(old)
    return expense


@transaction.atomic
def expense_detach(*, expense: Expense, actor) -> Expense:
    """Remove the expense's attachment."""
    campaign = _lock(expense.campaign)
    _require_recorder(actor, campaign)
    _require_expenses_open(campaign)
    if not expense.attachment:
        return expense
    before = snapshot(expense, ["attachment_name", "attachment_type", "attachment_size"])
    old = _clear_attachment(expense)
    expense.save()
    audit_record(actor=actor, verb="expense.detached", obj=expense, campaign=campaign, before=before)
    _delete_file_after_commit(old)
    return expense


# --- overspend ----------------------------------------------------------------------------------------

# Who watches the budget after every expense change: fn(*, campaign, budget, actor), called inside
# the writing transaction. The alerts app registers the watcher that opens an alert for each
# category, and the total, above its budget (alerts.services.budget_alerts_sync).
BUDGET_WATCHERS: list[Callable] = []


def register_budget_watcher(watcher: Callable) -> None:
    if watcher not in BUDGET_WATCHERS:
        BUDGET_WATCHERS.append(watcher)


def check_overspend(*, campaign: Campaign, actor=None) -> list[str]:
    """Hand the budget, as it stands after an expense change, to the budget watchers.

    Returns the keys now above their budget ("promotion", …, "total").
    """
    budget = selectors.budget_for(campaign=campaign)
    for watcher in BUDGET_WATCHERS:
        watcher(campaign=campaign, budget=budget, actor=actor)
    over = [row.category for row in budget.overspent_categories]
    return [*over, budget.total.category] if budget.total.overspent else over


# --- settlement -------------------------------------------------------------------------------------------


def _settlement_locked(campaign: Campaign) -> Settlement:
    settlement, _created = Settlement.objects.get_or_create(
        campaign=campaign, defaults={"threshold": Organization.current().variance_threshold}
    )
    return Settlement.objects.select_for_update(of=("self",)).get(pk=settlement.pk)


def _require_preparer(actor, campaign: Campaign) -> None:
    _require_view(actor, campaign)
    if not permissions.can_prepare_settlement(actor, campaign):
        raise Forbidden(
            _("Only finance and the campaign's owner and project managers may prepare the settlement.")
        )


def _require_draft(settlement: Settlement) -> None:
    if settlement.status == SettlementStatus.APPROVED:
        raise Conflict(
            _("The expense settlement is approved and can no longer change."), code="settlement_approved"
        )
    if settlement.status != SettlementStatus.DRAFT:
        raise Conflict(
            _("The expense settlement is %(status)s; only a draft can change.")
            % {"status": settlement.get_status_display()},
            code="settlement_not_draft",
        )


def _clean_explanations(explanations) -> dict[str, str]:
    if not isinstance(explanations, dict):
        raise field_error("explanations", _("Give the explanations as {category: text}."))
    clean: dict[str, str] = {}
    for key, text in explanations.items():
        if key not in BudgetCategory.values:
            raise field_error(
                f"explanations.{key}",
                _("Unknown category “%(key)s”; choose from %(keys)s.")
                % {"key": key, "keys": ", ".join(BudgetCategory.values)},
            )
        text = "" if text is None else str(text).strip()
        if "\x00" in text:
            raise field_error(f"explanations.{key}", _("Null characters are not allowed."))
        if len(text) > EXPLANATION_MAX:
            raise field_error(
                f"explanations.{key}",
                _("Keep the explanation under %(max)d characters.") % {"max": EXPLANATION_MAX},
            )
        clean[key] = text
    return clean


@transaction.atomic
def settlement_update(*, campaign: Campaign, actor, explanations: dict) -> Settlement:
    """Write the explanations of a draft settlement (the categories sent replace their text)."""
    campaign = _lock(campaign)
    _require_preparer(actor, campaign)
    clean = _clean_explanations(explanations)
    if campaign.status not in permissions.EXPENSE_STATUSES:
        raise Conflict(
            _("The settlement is prepared from approval until close-out; this campaign is %(status)s.")
            % {"status": campaign.get_status_display()},
            code="campaign_closed",
        )
    settlement = _settlement_locked(campaign)
    _require_draft(settlement)
    _write_explanations(settlement, campaign=campaign, actor=actor, explanations=clean)
    return settlement


def _write_explanations(settlement: Settlement, *, campaign: Campaign, actor, explanations: dict) -> None:
    before = {"explanations": dict(settlement.explanations)}
    merged = {**settlement.explanations, **explanations}
    merged = {key: text for key, text in merged.items() if text}
    if merged == settlement.explanations:
        return
    settlement.explanations = merged
    settlement.save()
    audit_record(
        actor=actor,
        verb="settlement.updated",
        obj=settlement,
        campaign=campaign,
        before=before,
        after={"explanations": settlement.explanations},
    )


def _money_text(value: Decimal) -> str:
    return f"{value:,.2f}"


class SettlementFlow(approvals.SignOffFlow):
    """The settlement's sign-off through the approval engine (campaigns.approvals): management
    decides (administrators too, and they are asked when nobody is in management)."""

    verb = "settlement"
    submitted_status = SettlementStatus.SUBMITTED
    draft_status = SettlementStatus.DRAFT
    approved_status = SettlementStatus.APPROVED
    not_a_decider = gettext_lazy("Only management may approve or reject the expense settlement.")
    reason_required = gettext_lazy("Say why the settlement is rejected.")
    not_submitted = gettext_lazy("Only a submitted settlement can be decided; this one is %(status)s.")
    not_submitted_code = "settlement_not_submitted"
    requested_title, requested_body = REQUESTED_TITLE, REQUESTED_BODY
    approved_title, approved_body = APPROVED_TITLE, APPROVED_BODY
    rejected_title, rejected_body = REJECTED_TITLE, REJECTED_BODY

    def require_view(self, actor) -> None:
        _require_view(actor, self.campaign)

    def may_sign_off(self, actor) -> bool:
        return permissions.can_decide_settlement(actor, self.campaign)

    def approved(self, actor, comment: str) -> None:
        self.subject.approved_at = timezone.now()
        super().approved(actor, comment)

    def rejected(self, actor, comment: str) -> None:
        self.subject.rows = []
        super().rejected(actor, comment)

    def url(self) -> str:
        from django.urls import reverse

        return reverse("expenses:budget", args=[self.campaign.pk]) + "#settlement"

    def params(self, actor) -> dict:
        return super().params(actor) | {"currency": Organization.current().currency}


@transaction.atomic
def settlement_submit(
    *, campaign: Campaign, actor, comment: str = "", explanations: dict | None = None
) -> Settlement:
    """Freeze the figures and send the settlement to management; only while the campaign is closing.

    `explanations` given here are written first (the web form saves and submits in one step).
    """
    campaign = _lock(campaign)
    _require_preparer(actor, campaign)
    comment = approvals.clean_comment(comment)
    clean = _clean_explanations(explanations) if explanations is not None else None
    settlement = _settlement_locked(campaign)
    _require_draft(settlement)
    if campaign.status != CampaignStatus.CLOSING:
        raise Conflict(
            _("The settlement is submitted at close-out; this campaign is %(status)s, not closing.")
            % {"status": campaign.get_status_display()},
            code="campaign_not_closing",
        )
    if clean:
        _write_explanations(settlement, campaign=campaign, actor=actor, explanations=clean)
    threshold = Organization.current().variance_threshold
    rows = selectors.live_rows(campaign, settlement.explanations, threshold)
    missing = [row for row in rows if row.explanation_required and not row.explanation.strip()]
    if missing:
        errors = [
            FieldError(
                f"explanations.{row.category}",
                _("Explain the variance of “%(category)s” (%(variance)s, past the %(threshold)s threshold).")
                % {
                    "category": row.label,
                    "variance": f"{row.variance_pct:+.1%}"
                    if row.variance_pct is not None
                    else _money_text(row.variance),
                    "threshold": f"{threshold:.0%}",
                },
            )
            for row in missing
        ]
        raise ValidationFailed(
            _("An explanation is required for %(categories)s.")
            % {"categories": ", ".join(f"“{row.label}”" for row in missing)},
            errors,
            code="explanation_required",
        )
    settlement.rows = [row.as_dict() for row in rows]
    settlement.threshold = threshold
    settlement.status = SettlementStatus.SUBMITTED
    settlement.submitted_by = actor
    settlement.submitted_at = timezone.now()
    settlement.save()
    total_budget = sum((row.budget for row in rows), Decimal("0"))
    total_actual = sum((row.actual for row in rows), Decimal("0"))
    approvals.submitted(
        SettlementFlow(settlement, campaign),
        actor,
        comment,
        before={"status": SettlementStatus.DRAFT},
        after={"status": settlement.status, "revision": settlement.revision, "rows": settlement.rows},
        budget=_money_text(total_budget),
        actual=_money_text(total_actual),
    )
    return settlement


def _settlement_flow(campaign: Campaign) -> SettlementFlow:
    """The campaign and its settlement (None before one is started), both locked."""
    campaign = _lock(campaign)
    settlement = Settlement.objects.select_for_update(of=("self",)).filter(campaign=campaign).first()
    return SettlementFlow(settlement, campaign)


@transaction.atomic
def settlement_approve(*, campaign: Campaign, actor, comment: str = "") -> Settlement:
    """Management signs the settlement off; from now on it and the expenses are immutable."""
    flow = _settlement_flow(campaign)
    approvals.approve(flow, actor, comment)
    return flow.subject


@transaction.atomic
def settlement_reject(*, campaign: Campaign, actor, comment: str = "") -> Settlement:
    """Send the settlement back to draft with the approver's comment; the next revision starts."""
    flow = _settlement_flow(campaign)
    approvals.reject(flow, actor, comment)
    return flow.subject


def settlement_action(
    *, campaign: Campaign, actor, action: str, comment: str = "", explanations: dict | None = None
) -> Settlement:
    """submit, approve or reject by name: the one entry point for the API and the web UI."""
    if action == "submit":
        return settlement_submit(campaign=campaign, actor=actor, comment=comment, explanations=explanations)
    if action == "approve":
        return settlement_approve(campaign=campaign, actor=actor, comment=comment)
    if action == "reject":
        return settlement_reject(campaign=campaign, actor=actor, comment=comment)
    raise NotFound(_("Unknown action “%(action)s”.") % {"action": action})


# --- lifecycle guard ---------------------------------------------------------------------------------------


def archive_guard(campaign: Campaign) -> list[str]:
    """Lifecycle guard on `archive`: the settlement must be approved first."""
    status = _settlement_status(campaign)
    if status == SettlementStatus.APPROVED:
        return []
    if status is None:
        return [_("the expense settlement has not been prepared and approved")]
    return [
        _("the expense settlement is %(status)s, not approved") % {"status": SettlementStatus(status).label}
    ]


__all__ = [
    "archive_guard",
    "check_overspend",
    "date_window",
    "expense_attach",
    "expense_create",
    "expense_delete",
    "expense_detach",
    "expense_update",
    "expenses_frozen",
    "settlement_action",
    "settlement_approve",
    "settlement_reject",
    "settlement_submit",
    "settlement_update",
]
