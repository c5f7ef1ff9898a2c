"""The public redirect `/r/<code>` and the Links pages of a campaign.

The redirect reads only the lookup cache on a repeat hit and hands the click to the buffer
(tracking.py, buffer.py): it never writes to the database. The pages parse input with forms, call
one service or selector and render; htmx requests get partials from the same views.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaignflow.campaigns import selectors as campaign_selectors
from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import Forbidden
from campaignflow.web.errors import call_service, web_view

from . import permissions, qr, selectors, services, tracking, utm
from .buffer import ClickRecord, record_click
from .forms import LinkForm, LinkSettingsForm
from .models import LinkSettings

CLICK_PARAM = "cf_click"


# --- the public redirect ---------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def link_redirect(request: HttpRequest, code: str) -> HttpResponse:
    """302 to the link's tagged URL, with ?cf_click=<click id> for conversion postbacks.

    A GET is counted (bots apart); a HEAD (link previews) is answered without counting.
    """
    target = tracking.lookup(code)
    if target is None:
        # No context processors: the 404 of a public link does not touch the database either.
        return HttpResponse(render_to_string("links/not_found.html", {"code": code[:32]}), status=404)
    url = target.url
    if request.method == "GET":
        user_agent = request.META.get("HTTP_USER_AGENT", "")[:512]
        ua_class, is_bot = tracking.classify(user_agent)
        now = time.time()
        day = timezone.localtime(dt.datetime.fromtimestamp(now, tz=dt.UTC)).date()
        token = secrets.token_urlsafe(9)
        visitor = tracking.visitor_hash(tracking.client_ip(request.META), user_agent, day)
        record_click(ClickRecord(target.link_id, now, visitor, ua_class, is_bot, token))
        url = _with_click(url, token)
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "no-store"  # every follow must reach us to be counted
    response["X-Robots-Tag"] = "noindex"
    return response


def _with_click(url: str, token: str) -> str:
    base, hash_, fragment = url.partition("#")
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}{CLICK_PARAM}={token}{hash_}{fragment}"


# --- campaign pages ---------------------------------------------------------------------------------


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return campaign_selectors.campaign_get(user=request.user, pk=pk)


def _context(request: HttpRequest, campaign: Campaign, **overrides) -> dict:
    can_manage = permissions.can_manage_links(request.user, campaign) and (
        campaign.status not in permissions.FROZEN_STATUSES
    )
    context = {
        "campaign": campaign,
        "links": selectors.link_list(campaign=campaign),
        "can_manage": can_manage,
        "can_manage_settings": permissions.can_manage_settings(request.user),
        "form": LinkForm(initial={"utm_campaign": (campaign.number or "").lower()}) if can_manage else None,
        "rules": LinkSettings.current(),
        "preview": None,
        "error": None,
    }
    return context | overrides


@web_view
def campaign_links(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the campaign's links with their numbers and the create form. POST: create a link."""
    campaign = _campaign(request, pk)
    if request.method != "POST":
        return render(request, "links/campaign_links.html", _context(request, campaign))
    # Refuse before reading the form: who may not act learns nothing from its errors.
    if not permissions.can_manage_links(request.user, campaign):
        raise Forbidden(
            _("Only the campaign's owner, its project managers and data analysts may manage its links.")
        )
    form = LinkForm(request.POST)
    outcome = call_service(
        services.link_create, form=form, campaign=campaign, actor=request.user, data=form.service_data()
    )
    if outcome.ok:
        if request.htmx:
            fresh = _context(request, campaign, created=outcome.value)
            return render(request, "links/partials/links_section.html", fresh)
        messages.success(request, _("Link %(code)s created.") % {"code": outcome.value.code})
        return redirect("links:campaign", pk=campaign.pk)
    context = _context(request, campaign, form=form, error=outcome.error, preview=_preview(form.data))
    template = "links/partials/links_section.html" if request.htmx else "links/campaign_links.html"
    return render(request, template, context, status=outcome.status)


def _preview(data) -> dict:
    """The final URL the builder would produce, with the naming-rule problems of the values so far."""
    values = {name: (data.get(name) or "").strip() for name in ("target_url", *utm.UTM_FIELDS)}
    errors = utm.check_target(values["target_url"]) + utm.check_utm(values, settings=LinkSettings.current())
    url = utm.build_url(values["target_url"], values) if values["target_url"] else ""
    return {"url": url, "errors": errors}


@require_GET
@web_view
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the tagged URL as the form is typed."""
    campaign = _campaign(request, pk)
    data = request.GET.copy()
    if not data.get("utm_campaign") and campaign.number:
        data["utm_campaign"] = campaign.number.lower()
    return render(request, "links/partials/preview.html", {"preview": _preview(data)})


def _link(request: HttpRequest, pk: int):
    return selectors.link_get(user=request.user, pk=pk)  # NotFound: web_view answers 404


def _row_response(request: HttpRequest, link, status: int = 200, error=None) -> HttpResponse:
    campaign = link.campaign
    row = selectors.link_list(campaign=campaign).filter(pk=link.pk).first()
    context = _context(request, campaign, link=row, error=error)
    return render(request, "links/partials/link_row.html", context, status=status)


@require_POST
@web_view
def toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (the short link answers 404) or reactivate a link."""
    link = _link(request, pk)
    outcome = call_service(
        services.link_update, link=link, actor=request.user, data={"active": not link.active}
    )
    if request.htmx:
        link.refresh_from_db()
        return _row_response(request, link, outcome.status, outcome.error)
    if not outcome.ok:
        messages.error(request, outcome.error.detail)
    return redirect("links:campaign", pk=link.campaign_id)


@require_POST
@web_view
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a link that was never used."""
    link = _link(request, pk)
    outcome = call_service(services.link_delete, link=link, actor=request.user)
    if request.htmx:
        if outcome.ok:
            return HttpResponse("")
        return _row_response(request, link, outcome.status, outcome.error)
    if outcome.ok:
        messages.success(request, _("Link %(code)s removed.") % {"code": link.code})
    else:
        messages.error(request, outcome.error.detail)
    return redirect("links:campaign", pk=link.campaign_id)


@require_GET
@web_view
def qr_code(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The link's QR code as PNG or SVG; ?download=1 saves it as a file."""
    link = _link(request, pk)
    if fmt == "png":
        response = HttpResponse(qr.png(link.short_url), content_type="image/png")
    else:
        response = HttpResponse(qr.svg(link.short_url), content_type="image/svg+xml")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="qr-{link.code}.{fmt}"'
    return response


# --- naming rules -----------------------------------------------------------------------------------


@web_view
def link_settings(request: HttpRequest) -> HttpResponse:
    """The organization's UTM naming rules and the postback secret (administrators, data analysts)."""
    if not permissions.can_manage_settings(request.user):
        raise Http404
    current = LinkSettings.current()
    initial = {
        "lowercase": current.lowercase,
        "allowed_sources": ", ".join(current.allowed_sources or []),
        "allowed_mediums": ", ".join(current.allowed_mediums or []),
    }
    form, error, status = LinkSettingsForm(initial=initial), None, 200
    if request.method == "POST":
        if request.POST.get("rotate"):
            call_service(services.link_settings_rotate_secret, actor=request.user)
            messages.success(
                request, _("A new postback secret is in use; update the sites that sign postbacks.")
            )
            return redirect("links:settings")
        form = LinkSettingsForm(request.POST)
        outcome = call_service(
            services.link_settings_update, form=form, actor=request.user, data=form.service_data()
        )
        if outcome.ok:
            messages.success(request, _("UTM naming rules saved."))
            return redirect("links:settings")
        error, status = outcome.error, outcome.status
    context = {
        "form": form,
        "error": error,
        "rules": current,
        "postback_url": request.build_absolute_uri(reverse("api:track_conversion")),
        "signature_header": services.SIGNATURE_HEADER,
        "timestamp_header": services.TIMESTAMP_HEADER,
    }
    return render(request, "links/settings.html", context, status=status)
