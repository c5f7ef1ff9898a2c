"""API routes of the reports app: every report of a campaign in json, md or xlsx (DESIGN §5), the
stored daily reports, and interim reviews.

Routes parse input, call one service or selector and render; permissions live in permissions.py.

No `from __future__ import annotations`: Ninja reads the parameter annotations at import time.
"""

import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router

from campaignflow.campaigns import selectors as campaign_selectors
from campaignflow.campaigns.schemas import MAX_ID
from campaignflow.core.errors import NotFound

from . import registry, selectors, services
from .schemas import (
    DailyReportIn,
    DailyReportOut,
    InterimItemOut,
    InterimItemPatch,
    InterimReviewIn,
    InterimReviewOut,
    InterimReviewPatch,
)

router = Router(tags=["reports"])

CAMPAIGN = "/campaigns/{int:campaign_id}"
# `format` shadows a builtin: the parameter is named fmt and aliased.
FORMAT = Query("json", alias="format", max_length=10, description="json, md, xlsx or pdf")
DATE = Query(None, description="daily: the day (default: the last day with data)")
REVIEW = Query(None, ge=1, le=MAX_ID, description="interim: the review (default: the latest)")


def _campaign(request, campaign_id: int):
    if campaign_id > MAX_ID:
        raise NotFound(_("Campaign not found."))
    return campaign_selectors.campaign_get(user=request.user, pk=campaign_id)


def file_response(rendered: registry.Rendered, *, attachment: bool = True) -> HttpResponse:
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    if attachment:
        response["Content-Disposition"] = f'attachment; filename="{rendered.filename}"'
    return response


@router.get(f"{CAMPAIGN}/reports/{{kind}}", response={200: dict}, tags=["reports"])
def campaign_report(
    request,
    campaign_id: int,
    kind: str,
    fmt: str = FORMAT,
    date: dt.date | None = DATE,
    review: int | None = REVIEW,
):
    """A report of the campaign: plan (Table 1), tasks (Table 2), daily (Table 3) or interim.

    `format=json` returns the document (title, meta, sections with typed columns and rows, notes);
    `md` and `xlsx` download a file. Evaluation and settlement arrive with the close-out stage.
    """
    campaign = _campaign(request, campaign_id)
    rendered = registry.produce(
        kind, fmt, campaign=campaign, request=registry.Request(date=date, review_id=review, user=request.user)
    )
    return file_response(rendered, attachment=not rendered.content_type.startswith("application/json"))


# --- daily reports ------------------------------------------------------------------------------------


@router.get(f"{CAMPAIGN}/daily-reports", response=list[DailyReportOut], tags=["reports"])
def list_daily_reports(request, campaign_id: int):
    """The stored daily reports of the campaign, newest first, with their anomaly notes."""
    return selectors.daily_reports_for(campaign=_campaign(request, campaign_id))[:366]


@router.post(f"{CAMPAIGN}/daily-reports", response={201: DailyReportOut}, tags=["reports"])
def generate_daily_report(request, campaign_id: int, payload: DailyReportIn):
    """Generate (or regenerate) the daily report of a day; owner, project managers, data analysts."""
    campaign = _campaign(request, campaign_id)
    return services.daily_report_generate(campaign=campaign, actor=request.user, day=payload.date)


# --- interim reviews -------------------------------------------------------------------------------


@router.get(f"{CAMPAIGN}/interim-reviews", response=list[InterimReviewOut], tags=["interim reviews"])
def list_reviews(request, campaign_id: int):
    return selectors.reviews_for(campaign=_campaign(request, campaign_id)).prefetch_related("items")


@router.post(f"{CAMPAIGN}/interim-reviews", response={201: InterimReviewOut}, tags=["interim reviews"])
def create_review(request, campaign_id: int, payload: InterimReviewIn):
    """Start a draft review of the period, prefilled from the goals and core KPIs with the actuals."""
    campaign = _campaign(request, campaign_id)
    return services.interim_review_create(
        campaign=campaign,
        actor=request.user,
        period_from=payload.period_from,
        period_to=payload.period_to,
        summary=payload.summary,
    )


def _review(request, review_id: int):
    return selectors.review_get(user=request.user, pk=review_id)


@router.get("/interim-reviews/{int:review_id}", response=InterimReviewOut, tags=["interim reviews"])
def get_review(request, review_id: int):
    return _review(request, review_id)


@router.patch("/interim-reviews/{int:review_id}", response=InterimReviewOut, tags=["interim reviews"])
def update_review(request, review_id: int, payload: InterimReviewPatch):
    """Change the summary; 409 once the review is final."""
    return services.interim_review_update(
        review=_review(request, review_id), actor=request.user, data=payload.dict()
    )


@router.post("/interim-reviews/{int:review_id}/finalise", response=InterimReviewOut, tags=["interim reviews"])
def finalise_review(request, review_id: int):
    return services.interim_review_finalise(review=_review(request, review_id), actor=request.user)


@router.post("/interim-reviews/{int:review_id}/refresh", response=InterimReviewOut, tags=["interim reviews"])
def refresh_review(request, review_id: int):
    """Recompute the actuals from the daily data as it stands; drafts only."""
    return services.interim_review_refresh(review=_review(request, review_id), actor=request.user)


@router.patch("/interim-review-items/{int:item_id}", response=InterimItemOut, tags=["interim reviews"])
def update_item(request, item_id: int, payload: InterimItemPatch):
    """Change an item's stage target, cause, adjustment or expected effect; 409 once final."""
    item = selectors.item_get(user=request.user, pk=item_id)
    return services.interim_item_update(item=item, actor=request.user, data=payload.dict(exclude_unset=True))
