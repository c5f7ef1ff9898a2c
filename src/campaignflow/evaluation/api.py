"""API routes of the evaluation report and the archive download.

Routes parse input, resolve ids, call one service or selector and render; the rules live in
services.py, selectors.py and permissions.py, shared with the web UI and the demo.

No `from __future__ import annotations`: Ninja reads the parameter annotations at import time.
"""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from campaignflow.campaigns import selectors as campaign_selectors
from campaignflow.campaigns.schemas import MAX_ID
from campaignflow.config.api import ErrorOut
from campaignflow.core.errors import NotFound

from . import archive, selectors, services
from .schemas import ActionIn, DimensionOut, DimensionPatch, EvaluationIn, EvaluationOut, evaluation_data

router = Router(tags=["evaluation"])

CAMPAIGN = "/campaigns/{int:campaign_id}"


def _campaign(request, campaign_id: int):
    if campaign_id > MAX_ID:
        raise NotFound(_("Campaign not found."))
    return campaign_selectors.campaign_get(user=request.user, pk=campaign_id)


@router.get(f"{CAMPAIGN}/evaluation", response=EvaluationOut)
def get_evaluation(request, campaign_id: int):
    """The evaluation report (Table 4): live figures while a draft (or not started), frozen once submitted."""
    campaign = _campaign(request, campaign_id)
    return evaluation_data(selectors.evaluation_for(campaign=campaign))


@router.put(f"{CAMPAIGN}/evaluation", response=EvaluationOut)
def put_evaluation(request, campaign_id: int, payload: EvaluationIn):
    """Write summary, what worked / did not, lessons (keep, change, try_next), the retrospective."""
    campaign = _campaign(request, campaign_id)
    data = payload.dict(exclude_unset=True)
    if "meeting_id" in data:
        data["meeting"] = data.pop("meeting_id")
    services.evaluation_update(campaign=campaign, actor=request.user, data=data)
    return evaluation_data(selectors.evaluation_for(campaign=campaign))


@router.patch("/evaluation-dimensions/{int:dimension_id}", response=DimensionOut)
def patch_dimension(request, dimension_id: int, payload: DimensionPatch):
    """Change a dimension's analysis (or the actual of a goal the daily data does not measure)."""
    if dimension_id > MAX_ID:
        raise NotFound(_("Evaluation dimension not found."))
    dimension = selectors.dimension_get(user=request.user, pk=dimension_id)
    services.dimension_update(dimension=dimension, actor=request.user, data=payload.dict(exclude_unset=True))
    view = selectors.evaluation_for(campaign=dimension.report.campaign)
    row = next(row for row in view.dimensions if row.id == dimension.pk)
    return {key: getattr(row, key) for key in DimensionOut.model_fields}


@router.post(f"{CAMPAIGN}/evaluation/{{action}}", response=EvaluationOut)
def evaluation_action(request, campaign_id: int, action: str, payload: ActionIn = None):
    """submit (closing campaigns, with a summary), approve or reject (management; reject needs a comment)."""
    campaign = _campaign(request, campaign_id)
    comment = payload.comment if payload is not None else ""
    services.evaluation_action(campaign=campaign, actor=request.user, action=action, comment=comment)
    return evaluation_data(selectors.evaluation_for(campaign=campaign))


@router.get(f"{CAMPAIGN}/archive.zip", response={200: None, 409: ErrorOut}, tags=["archive"])
def archive_download(request, campaign_id: int):
    """The archived campaign as one zip: snapshot.json and the reports as PDF and XLSX."""
    campaign = _campaign(request, campaign_id)
    content, filename = archive.archive_zip(campaign=campaign)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
