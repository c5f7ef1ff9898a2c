"""API routes of tracked links, their statistics and QR codes, the UTM naming rules, and the signed
conversion postback. Routes parse input, call one service or selector and render.

No `from __future__ import annotations`: Ninja reads the parameter annotations at import time.
"""

from typing import Literal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from campaignflow.campaigns import selectors as campaign_selectors
from campaignflow.campaigns.schemas import MAX_ID
from campaignflow.config.api import ErrorOut
from campaignflow.core.errors import Forbidden, NotFound

from . import permissions, qr, selectors, services
from .models import LinkSettings
from .schemas import (
    ConversionOut,
    LinkIn,
    LinkOut,
    LinkPatch,
    LinkSettingsIn,
    LinkSettingsOut,
    LinkStatsOut,
    conversion_data,
    link_data,
    stats_data,
)

router = Router(tags=["links"])

CAMPAIGN = "/campaigns/{int:campaign_id}"


def _campaign(request, campaign_id: int):
    if campaign_id > MAX_ID:
        raise NotFound(_("Campaign not found."))
    return campaign_selectors.campaign_get(user=request.user, pk=campaign_id)


def _with_stats(link):
    return selectors.link_list(campaign=link.campaign).get(pk=link.pk)


@router.get(f"{CAMPAIGN}/links", response=list[LinkOut])
def list_links(request, campaign_id: int):
    """The campaign's tracked links with human clicks, unique visitors (per day), conversions, revenue."""
    campaign = _campaign(request, campaign_id)
    return [link_data(link) for link in selectors.link_list(campaign=campaign)]


@router.post(f"{CAMPAIGN}/links", response={201: LinkOut})
def create_link(request, campaign_id: int, payload: LinkIn):
    """Create a link: utm_source and utm_medium are required and follow the organization's naming
    rules (422 naming the field); utm_campaign defaults to the campaign's number."""
    campaign = _campaign(request, campaign_id)
    link = services.link_create(campaign=campaign, actor=request.user, data=payload.dict())
    return link_data(_with_stats(link))


@router.get("/links/{int:link_id}", response=LinkOut)
def get_link(request, link_id: int):
    return link_data(_with_stats(selectors.link_get(user=request.user, pk=link_id)))


@router.patch("/links/{int:link_id}", response=LinkOut)
def update_link(request, link_id: int, payload: LinkPatch):
    """Change the target, UTM values, channel, name or `active` (false: the short link answers 404)."""
    link = selectors.link_get(user=request.user, pk=link_id)
    data = {key: value for key, value in payload.dict(exclude_unset=True).items() if value is not None}
    link = services.link_update(link=link, actor=request.user, data=data)
    return link_data(_with_stats(link))


@router.delete("/links/{int:link_id}", response={204: None})
def delete_link(request, link_id: int):
    """Remove a link that has no clicks or conversions (409 otherwise: deactivate it instead)."""
    services.link_delete(link=selectors.link_get(user=request.user, pk=link_id), actor=request.user)


@router.get("/links/{int:link_id}/stats", response=LinkStatsOut)
def link_stats(request, link_id: int):
    """Totals, clients (browser, mobile, bot, other) and numbers per day of one link."""
    link = selectors.link_get(user=request.user, pk=link_id)
    return stats_data(link, selectors.link_stats(link=link))


@router.get("/links/{int:link_id}/qr")
def link_qr(request, link_id: int, format: Literal["png", "svg"] = Query("png")):
    """The QR code of the short URL, as PNG or SVG."""
    link = selectors.link_get(user=request.user, pk=link_id)
    if format == "svg":
        return HttpResponse(qr.svg(link.short_url), content_type="image/svg+xml")
    return HttpResponse(qr.png(link.short_url), content_type="image/png")


# --- naming rules -------------------------------------------------------------------------------------


def _settings_data(current: LinkSettings, user) -> dict:
    data = {
        "lowercase": current.lowercase,
        "allowed_sources": current.allowed_sources or [],
        "allowed_mediums": current.allowed_mediums or [],
    }
    if permissions.can_manage_settings(user):
        data["postback_secret"] = current.postback_secret
    return data


@router.get("/link-settings", response=LinkSettingsOut)
def get_link_settings(request):
    """The UTM naming rules (anyone signed in); the postback secret only for administrators and analysts."""
    return _settings_data(LinkSettings.current(), request.user)


@router.patch("/link-settings", response=LinkSettingsOut)
def update_link_settings(request, payload: LinkSettingsIn):
    data = {key: value for key, value in payload.dict(exclude_unset=True).items() if value is not None}
    return _settings_data(services.link_settings_update(actor=request.user, data=data), request.user)


@router.post("/link-settings/rotate-secret", response=LinkSettingsOut)
def rotate_postback_secret(request):
    if not permissions.can_manage_settings(request.user):
        raise Forbidden(_("Only administrators and data analysts may change the postback secret."))
    return _settings_data(services.link_settings_rotate_secret(actor=request.user), request.user)


# --- conversion postback --------------------------------------------------------------------------------


@router.post(
    "/track/conversions",
    auth=None,
    response={201: ConversionOut, 401: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="track_conversion",
    tags=["tracking"],
)
def track_conversion(request):
    """A conversion posted back by the landing site, signed with the organization's postback secret.

    Body (JSON): `{"code": "<short code>"` or `"click_id": "<cf_click value>", "external_id": "<order
    id>", "value": "199.00"}`. Headers: `X-CampaignFlow-Timestamp: <Unix seconds>` and
    `X-CampaignFlow-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>`.
    401 when the signature is missing, wrong or older than 5 minutes; 409 when the external id was
    recorded already for the link (a replay); 422 naming the field for bad input.
    """
    conversion = services.conversion_postback(
        body=request.body,
        timestamp=request.headers.get(services.TIMESTAMP_HEADER),
        signature=request.headers.get(services.SIGNATURE_HEADER),
    )
    return Status(201, conversion_data(conversion))
