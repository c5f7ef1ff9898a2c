"""API routes for channels, metric definitions, daily data, its import and campaign KPIs.

Routes parse input, resolve ids, call one service or selector and render; the rules live in
services.py, selectors.py and permissions.py, shared with the web UI and the CLI.

No `from __future__ import annotations`: Ninja reads the parameter annotations at import time.
"""

import datetime as dt
from functools import wraps

from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.decorators import decorate_view
from ninja.responses import NinjaJSONEncoder

from campaignflow.accounts.models import Organization
from campaignflow.campaigns import selectors as campaign_selectors
from campaignflow.campaigns.schemas import MAX_ID
from campaignflow.config.api import ErrorOut
from campaignflow.core.errors import NotFound, field_error

from . import permissions, selectors, services, uploads
from .imports import headers
from .models import Channel, DailyMetric
from .schemas import (
    ChannelIn,
    ChannelOut,
    DailyMetricIn,
    DailyMetricOut,
    DailyMetricPatch,
    ImportErrorOut,
    ImportResultOut,
    KpisOut,
    MetricDefinitionIn,
    MetricDefinitionOut,
    PresetOut,
    kpis_data,
)

router = Router(tags=["metrics"])

CAMPAIGN = "/campaigns/{int:campaign_id}"
# `from` is a Python keyword: the parameters are named date_from/date_to and aliased.
FROM = Query(None, alias="from", description="first day (ISO date)")
TO = Query(None, alias="to", description="last day (ISO date)")


def _campaign(request, campaign_id: int):
    if campaign_id > MAX_ID:
        raise NotFound(_("Campaign not found."))
    return campaign_selectors.campaign_get(user=request.user, pk=campaign_id)


def _metric(request, metric_id: int) -> DailyMetric:
    metric = None
    if metric_id <= MAX_ID:
        metric = DailyMetric.objects.select_related("campaign", "channel").filter(pk=metric_id).first()
    if metric is None or not permissions.can_view_metrics(request.user, metric.campaign):
        raise NotFound(_("Daily metric not found."))
    return metric


# --- channels -----------------------------------------------------------------------------------------


@router.get("/channels", response=list[ChannelOut], tags=["channels"])
def list_channels(request):
    """Every channel of the organization, by name; open to anyone signed in."""
    return Channel.objects.order_by("name")


@router.post("/channels", response={201: ChannelOut}, tags=["channels"])
def create_channel(request, payload: ChannelIn):
    """Add a channel (administrators and data analysts)."""
    return services.channel_create(
        actor=request.user, name=payload.name, kind=payload.kind.value, online=payload.online
    )


# --- metric definitions ----------------------------------------------------------------------------


@router.get("/metric-definitions", response=list[MetricDefinitionOut], tags=["metric definitions"])
def list_metric_definitions(request):
    """What each metric means: base measures, then derived metrics with their formula."""
    return selectors.metric_definitions()


@router.post("/metric-definitions", response={201: MetricDefinitionOut}, tags=["metric definitions"])
def create_metric_definition(request, payload: MetricDefinitionIn):
    """Define a metric for the organization (data analysts and administrators).

    The formula combines base measures with numbers, `+ - * /` and parentheses, e.g.
    `opportunities / leads`.
    """
    data = payload.dict()
    data["unit"], data["direction"] = payload.unit.value, payload.direction.value
    return services.metric_definition_create(actor=request.user, **data)


# --- daily data ---------------------------------------------------------------------------------------


@router.get(f"{CAMPAIGN}/metrics", response=list[DailyMetricOut], tags=["daily metrics"])
def list_daily_metrics(
    request,
    campaign_id: int,
    date_from: dt.date | None = FROM,
    date_to: dt.date | None = TO,
    channel: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(1000, ge=1, le=10000),
    offset: int = Query(0, ge=0, le=MAX_ID),
):
    """The campaign's daily rows (Table 3), by date then channel name."""
    campaign = _campaign(request, campaign_id)
    rows = selectors.daily_metric_list(
        campaign=campaign, date_from=date_from, date_to=date_to, channel_id=channel
    )
    return rows[offset : offset + limit]


@router.post(
    f"{CAMPAIGN}/metrics",
    response={200: ImportResultOut, 422: ImportErrorOut | ErrorOut},
    tags=["daily metrics"],
)
def upsert_daily_metrics(request, campaign_id: int, payload: list[DailyMetricIn]):
    """Create or replace whole rows per (channel, date); all or nothing.

    Errors come back as {row, column, message}: `row` is the 1-based position in the list.
    """
    campaign = _campaign(request, campaign_id)
    rows = [item.dict() for item in payload]
    return services.daily_metrics_upsert(campaign=campaign, actor=request.user, rows=rows).as_dict()


def refuse_oversized_upload(run):
    """Refuse an import bigger than the limit before Django reads the request body."""

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        limit = services.max_import_bytes()
        if uploads.announced_too_large(request, limit):
            return JsonResponse(services.FileTooLarge(limit).as_dict(), status=413)
        request._metrics_upload_guard = uploads.guard(request, limit)
        return run(request, *args, **kwargs)

    return wrapper


IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@router.post(
    f"{CAMPAIGN}/metrics/import",
    response={200: ImportResultOut, 413: ImportErrorOut, 422: ImportErrorOut | ErrorOut},
    tags=["daily metrics"],
    openapi_extra=IMPORT_BODY,
)
@decorate_view(refuse_oversized_upload)
def import_daily_metrics(
    request,
    campaign_id: int,
    dry_run: bool = False,
    preset: str | None = Query(None, max_length=40),
    channel: int | None = Query(None, ge=1, le=MAX_ID, description="channel of rows that name none"),
):
    """Import a channel export (multipart field `file`, CSV or XLSX): every row or none.

    CSV in UTF-8 (with or without BOM) or GBK/GB18030; Chinese or English headers; rates such as
    点击率 “2.1%” become counts when the base is present. `dry_run=true` only checks and says what
    would be created and updated. Any error → 422 with every problem as {row, column, message},
    `row` being the file's line; a file over the size limit → 413.
    """
    campaign = _campaign(request, campaign_id)
    handler = getattr(request, "_metrics_upload_guard", None)
    limit = services.max_import_bytes()
    upload = request.FILES.get("file")
    if handler is not None and handler.exceeded:
        raise services.FileTooLarge(limit)
    if upload is None:
        raise field_error("file", _("Attach the file to import in the form field “file”."))
    if upload.size is not None and upload.size >= limit:
        raise services.FileTooLarge(limit)
    with uploads.open_upload(upload) as stream:
        result = services.daily_metrics_import(
            campaign=campaign,
            actor=request.user,
            stream=stream,
            filename=upload.name or "",
            dry_run=dry_run,
            preset=preset,
            default_channel=channel,
        )
    return result.as_dict()


@router.get("/metric-import-presets", response=list[PresetOut], tags=["daily metrics"])
def list_import_presets(request):
    """Column mappings for the usual ad-platform exports (巨量引擎, 腾讯广告, 百度营销, 小红书聚光)."""
    return [{"key": p.key, "name": p.name, "channels": list(p.channels)} for p in headers.presets().values()]


@router.get("/metrics/{int:metric_id}", response=DailyMetricOut, tags=["daily metrics"])
def get_daily_metric(request, metric_id: int):
    return _metric(request, metric_id)


@router.patch("/metrics/{int:metric_id}", response=DailyMetricOut, tags=["daily metrics"])
def update_daily_metric(request, metric_id: int, payload: DailyMetricPatch):
    """Change some measures or the note of one row; channel and date stay."""
    metric = _metric(request, metric_id)
    data = {key: value for key, value in payload.dict(exclude_unset=True).items() if value is not None}
    return services.daily_metric_update(metric=metric, actor=request.user, data=data)


@router.delete("/metrics/{int:metric_id}", response={204: None}, tags=["daily metrics"])
def delete_daily_metric(request, metric_id: int):
    services.daily_metric_delete(metric=_metric(request, metric_id), actor=request.user)


# --- KPIs -----------------------------------------------------------------------------------------------


@router.get(f"{CAMPAIGN}/kpis", response=KpisOut, by_alias=True, tags=["KPIs"])
def campaign_kpis(
    request,
    campaign_id: int,
    date_from: dt.date | None = FROM,
    date_to: dt.date | None = TO,
    channel: int | None = Query(None, ge=1, le=MAX_ID),
):
    """Totals and per-channel measures with derived metrics, the daily trend, both funnels, goal
    achievement, and the channel comparison with a suggested budget shift (its rule included)."""
    campaign = _campaign(request, campaign_id)
    if date_from and date_to and date_from > date_to:
        raise field_error("from", _("“from” must not be after “to”."))
    kpis = selectors.campaign_kpis(
        campaign=campaign, date_from=date_from, date_to=date_to, channel_id=channel
    )
    # kpis_data builds exactly the KpisOut shape (tests/metrics/test_kpis.py checks they agree);
    # validating a year of days against it again on every request would cost more than the queries.
    return JsonResponse(kpis_data(kpis, Organization.current().currency), encoder=NinjaJSONEncoder)
