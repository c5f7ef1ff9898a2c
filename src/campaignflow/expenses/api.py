"""API routes for expenses, their attachments, the budget view and the settlement.

Routes parse input, resolve ids, call one service or selector and render; the rules live in
services.py, selectors.py and permissions.py, shared with the web UI and the demo.

No `from __future__ import annotations`: Ninja reads the parameter annotations at import time.
"""

import json
from functools import wraps

import pydantic
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.decorators import decorate_view
from ninja.errors import ValidationError as NinjaValidationError

from campaignflow.accounts.models import Organization
from campaignflow.campaigns import selectors as campaign_selectors
from campaignflow.campaigns.choices import BudgetCategory
from campaignflow.campaigns.schemas import MAX_ID
from campaignflow.core.errors import Forbidden, NotFound, field_error
from campaignflow.metrics import uploads

from . import attachments, permissions, selectors, services
from .models import Expense
from .schemas import (
    BudgetOut,
    ExpenseIn,
    ExpenseOut,
    ExpensePatch,
    SettlementActionIn,
    SettlementIn,
    SettlementOut,
    budget_data,
    settlement_data,
)

router = Router(tags=["expenses"])

CAMPAIGN = "/campaigns/{int:campaign_id}"
EXPENSE = "/expenses/{int:expense_id}"


def _campaign(request, campaign_id: int):
    if campaign_id > MAX_ID:
        raise NotFound(_("Campaign not found."))
    return campaign_selectors.campaign_get(user=request.user, pk=campaign_id)


def _expense(request, expense_id: int) -> Expense:
    if expense_id > MAX_ID:
        raise NotFound(_("Expense not found."))
    return selectors.expense_get(user=request.user, pk=expense_id)


def guard_upload(run):
    """Stop reading an attachment as soon as it passes the size limit (422, nothing stored)."""

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        limit = attachments.max_bytes()
        if uploads.announced_too_large(request, limit):
            request._expense_upload_too_large = True
        else:
            # +1: a file of exactly the limit is allowed; the handler stops at limit + 1 bytes.
            request._expense_upload_guard = uploads.guard(request, limit + 1)
        return run(request, *args, **kwargs)

    return wrapper


def _too_large():
    limit = attachments.max_bytes()
    return field_error(
        "attachment",
        _("The file is larger than %(limit)s, the limit for attachments.")
        % {"limit": attachments.human_size(limit)},
    )


def _upload(request, name: str = "attachment"):
    """The uploaded file of a multipart request, or None; 422 when it passed the size limit."""
    guard = getattr(request, "_expense_upload_guard", None)
    if getattr(request, "_expense_upload_too_large", False) or (guard is not None and guard.exceeded):
        raise _too_large()
    return request.FILES.get(name)


def _validated(schema, data) -> dict:
    """Validate form or JSON data with a schema; errors in the API's usual 422 shape."""
    if not isinstance(data, dict):
        raise field_error("body", _("Send a JSON object."))
    try:
        return schema.model_validate(data).model_dump(exclude_unset=True)
    except pydantic.ValidationError as exc:
        raise NinjaValidationError(
            [
                {"loc": ("body", *error["loc"]), "msg": error["msg"], "type": error["type"]}
                for error in exc.errors()
            ]
        )


def _body(request) -> dict:
    if (
        request.content_type == "multipart/form-data"
        or request.content_type == "application/x-www-form-urlencoded"
    ):
        return {key: request.POST.get(key) for key in request.POST}
    try:
        return json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise field_error("body", _("The body is not valid JSON."))


EXPENSE_FIELDS_SCHEMA = {
    "type": "object",
    "required": ["budget_line", "amount", "date", "vendor"],
    "properties": {
        "budget_line": {"type": "integer"},
        "amount": {"type": "string", "example": "12000.00"},
        "date": {"type": "string", "format": "date"},
        "vendor": {"type": "string", "maxLength": 200},
        "reference": {"type": "string", "maxLength": 100},
        "note": {"type": "string", "maxLength": 1000},
    },
}
CREATE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": EXPENSE_FIELDS_SCHEMA},
            "multipart/form-data": {
                "schema": {
                    **EXPENSE_FIELDS_SCHEMA,
                    "properties": {
                        **EXPENSE_FIELDS_SCHEMA["properties"],
                        "attachment": {"type": "string", "format": "binary"},
                    },
                }
            },
        },
    }
}
ATTACH_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["attachment"],
                    "properties": {"attachment": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


# --- expenses --------------------------------------------------------------------------------------------


@router.get(f"{CAMPAIGN}/expenses", response=list[ExpenseOut])
def list_expenses(
    request,
    campaign_id: int,
    category: BudgetCategory | None = None,
    limit: int = Query(1000, ge=1, le=10000),
    offset: int = Query(0, ge=0, le=MAX_ID),
):
    """The campaign's expenses, newest first."""
    campaign = _campaign(request, campaign_id)
    rows = selectors.expense_list(campaign=campaign, category=category.value if category else None)
    return rows[offset : offset + limit]


@router.post(f"{CAMPAIGN}/expenses", response={201: ExpenseOut}, openapi_extra=CREATE_BODY)
@decorate_view(guard_upload)
def create_expense(request, campaign_id: int):
    """Record an expense: JSON, or multipart form fields with an optional `attachment` file.

    The attachment must be a PDF, JPG, PNG or XLSX by content (not just by name) and at most
    CAMPAIGNFLOW_MAX_ATTACHMENT_BYTES (10 MB by default); anything else is a 422 naming the field.
    """
    campaign = _campaign(request, campaign_id)
    # Refuse before reading the body: someone who may not record expenses learns nothing from its errors.
    if not permissions.can_record_expenses(request.user, campaign):
        raise Forbidden(_("Only finance and the campaign's owner and project managers may record expenses."))
    data = _validated(ExpenseIn, _body(request))
    upload = _upload(request)
    return services.expense_create(campaign=campaign, actor=request.user, data=data, attachment=upload)


@router.get(EXPENSE, response=ExpenseOut)
def get_expense(request, expense_id: int):
    return _expense(request, expense_id)


@router.patch(EXPENSE, response=ExpenseOut)
def update_expense(request, expense_id: int, payload: ExpensePatch):
    """Change some fields; a new budget line moves the expense to that line's category."""
    expense = _expense(request, expense_id)
    data = {key: value for key, value in payload.dict(exclude_unset=True).items() if value is not None}
    return services.expense_update(expense=expense, actor=request.user, data=data)


@router.delete(EXPENSE, response={204: None})
def delete_expense(request, expense_id: int):
    services.expense_delete(expense=_expense(request, expense_id), actor=request.user)


@router.get(f"{EXPENSE}/attachment", url_name="expense_attachment")
def download_attachment(request, expense_id: int):
    """The expense's voucher as it was uploaded, offered under its original (cleaned) name."""
    return attachments.download_response(_expense(request, expense_id))


@router.post(f"{EXPENSE}/attachment", response=ExpenseOut, openapi_extra=ATTACH_BODY)
@decorate_view(guard_upload)
def upload_attachment(request, expense_id: int):
    """Attach or replace the voucher (multipart field `attachment`)."""
    expense = _expense(request, expense_id)
    upload = _upload(request)
    if upload is None:
        raise field_error("attachment", _("Attach the file in the form field “attachment”."))
    return services.expense_attach(expense=expense, actor=request.user, upload=upload)


@router.delete(f"{EXPENSE}/attachment", response=ExpenseOut)
def delete_attachment(request, expense_id: int):
    return services.expense_detach(expense=_expense(request, expense_id), actor=request.user)


# --- budget ----------------------------------------------------------------------------------------------


@router.get(f"{CAMPAIGN}/budget", response=BudgetOut, tags=["budget"])
def campaign_budget(request, campaign_id: int):
    """Budget against actual per category and line, burn rate, forecast at completion (linear on
    elapsed days), the cumulative spend by day, and the reconciliation of promotion expenses with
    the cost in the daily data."""
    campaign = _campaign(request, campaign_id)
    budget = selectors.budget_for(campaign=campaign)
    return budget_data(budget, Organization.current().currency, str(selectors.FORECAST_METHOD))


# --- settlement ----------------------------------------------------------------------------------------


@router.get(f"{CAMPAIGN}/settlement", response=SettlementOut, tags=["settlement"])
def get_settlement(request, campaign_id: int):
    """The expense settlement (活动费用决算表): live figures while a draft, frozen once submitted."""
    campaign = _campaign(request, campaign_id)
    return settlement_data(selectors.settlement_for(campaign=campaign))


@router.put(f"{CAMPAIGN}/settlement", response=SettlementOut, tags=["settlement"])
def put_settlement(request, campaign_id: int, payload: SettlementIn):
    """Write explanations per category ({"explanations": {"promotion": "…"}}) of a draft."""
    campaign = _campaign(request, campaign_id)
    services.settlement_update(campaign=campaign, actor=request.user, explanations=payload.explanations)
    return settlement_data(selectors.settlement_for(campaign=campaign))


@router.post(f"{CAMPAIGN}/settlement/{{action}}", response=SettlementOut, tags=["settlement"])
def settlement_action(request, campaign_id: int, action: str, payload: SettlementActionIn = None):
    """submit (closing campaigns; 422 naming each category missing its explanation), approve or
    reject (management; reject needs a comment and returns it to draft)."""
    campaign = _campaign(request, campaign_id)
    comment = payload.comment if payload is not None else ""
    services.settlement_action(campaign=campaign, actor=request.user, action=action, comment=comment)
    return settlement_data(selectors.settlement_for(campaign=campaign))
