"""Web pages of stage 3 for one campaign: the KPI dashboard and the daily data grid with import.

Views parse input with forms, call one selector or service and render; errors from services are
rendered by campaignflow.web.errors. htmx requests get partials from the same views.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from campaignflow.campaigns import selectors as campaign_selectors
from campaignflow.campaigns.models import BudgetLine, Campaign
from campaignflow.core.errors import Forbidden
from campaignflow.web.context_processors import current_organization
from campaignflow.web.errors import call_service, web_view

from . import charts, permissions, selectors, services, uploads
from .forms import GRID_FIELDS, DailyMetricForm, ImportForm, KpiFilterForm
from .models import Channel, DailyMetric


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return campaign_selectors.campaign_get(user=request.user, pk=pk)


def plotly_url() -> str:
    """plotly.min.js from the installed plotly package, served by the execution app (no CDN)."""
    import plotly  # its version names the file; imported here, not with every app start

    try:
        return reverse("execution:plotly_js", args=[plotly.__version__])
    except NoReverseMatch:  # pragma: no cover - the execution app ships the route
        return ""


# --- dashboard ------------------------------------------------------------------------------------


def _campaign_channels(campaign: Campaign):
    """Channels the campaign budgets for or has data for."""
    budgeted = BudgetLine.objects.filter(campaign=campaign, channel__isnull=False).values("channel_id")
    recorded = DailyMetric.objects.filter(campaign_id=campaign.pk).values("channel_id")
    return Channel.objects.filter(Q(pk__in=budgeted) | Q(pk__in=recorded)).order_by("name")


@web_view
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """KPIs against the goals, trends, funnels and the channel comparison, with charts."""
    campaign = _campaign(request, pk)
    form = KpiFilterForm(request.GET or None, channels=_campaign_channels(campaign))
    kpis = selectors.campaign_kpis(campaign=campaign, **form.filters())
    currency = current_organization(request).currency
    definitions = {d.key: d for d in kpis.definitions}
    context = {
        "campaign": campaign,
        "form": form,
        "kpis": kpis,
        "currency": currency,
        "cards": _cards(kpis, definitions),
        "figures": charts.figures(kpis, currency),
        "plotly_url": plotly_url(),
        "can_write": permissions.can_write_metrics(request.user, campaign),
        "derived": [d for d in kpis.definitions if not d.is_base],
    }
    return render(request, "metrics/dashboard.html", context)


def _cards(kpis, definitions) -> list[dict]:
    """The headline numbers: revenue, cost, ROAS, conversions, CTR, CVR, CPA, new users."""
    cards = []
    for key in ("revenue", "cost", "roas", "roi", "conversions", "ctr", "cvr", "cpa", "new_users", "visits"):
        definition = definitions.get(key)
        if definition is None:
            continue
        value = kpis.totals.measures.get(key) if definition.is_base else kpis.totals.metrics.get(key)
        cards.append({"key": key, "name": definition.name, "unit": definition.unit, "value": value})
    return cards


# --- data grid --------------------------------------------------------------------------------------


def _day(request: HttpRequest, campaign: Campaign) -> dt.date:
    """The grid's day: ?date=, else the last day with data, else today within the campaign."""
    raw = request.GET.get("date") or request.POST.get("date")
    if raw:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise Http404
    else:
        day = (
            DailyMetric.objects.filter(campaign_id=campaign.pk)
            .order_by("-date")
            .values_list("date", flat=True)
            .first()
        ) or timezone.localdate()
    if campaign.start_date and day < campaign.start_date:
        day = campaign.start_date
    if campaign.end_date and day > campaign.end_date:
        day = campaign.end_date
    return day


def _grid_rows(campaign: Campaign, day: dt.date, extra_channel: Channel | None = None) -> list[dict]:
    stored = {m.channel_id: m for m in DailyMetric.objects.filter(campaign_id=campaign.pk, date=day)}
    channels = list(_campaign_channels(campaign))
    if extra_channel is not None and all(c.pk != extra_channel.pk for c in channels):
        channels.append(extra_channel)
    return [{"channel": channel, "metric": stored.get(channel.pk), "day": day} for channel in channels]


def _data_context(
    request: HttpRequest,
    campaign: Campaign,
    *,
    day: dt.date | None = None,
    extra: Channel | None = None,
    **overrides,
) -> dict:
    day = day or _day(request, campaign)
    if extra is None and request.GET.get("add"):
        extra = Channel.objects.filter(pk=_int(request.GET["add"])).first()
    rows = _grid_rows(campaign, day, extra)
    open_for_data = campaign.status in permissions.DATA_STATUSES
    can_write = open_for_data and permissions.can_write_metrics(request.user, campaign)
    used = {row["channel"].pk for row in rows}
    context = {
        "campaign": campaign,
        "campaign_pk": campaign.pk,
        "day": day,
        "previous": day - dt.timedelta(days=1)
        if not campaign.start_date or day > campaign.start_date
        else None,
        "next": day + dt.timedelta(days=1) if not campaign.end_date or day < campaign.end_date else None,
        "rows": rows,
        "fields": GRID_FIELDS,
        "can_write": can_write,
        "open_for_data": open_for_data,
        "other_channels": Channel.objects.exclude(pk__in=used).order_by("name"),
        "import_form": ImportForm(),
        "import_error": None,
        "import_result": None,
        "import_warnings": [],
        "edit_channel": None,
    }
    if extra is not None and can_write:
        context["edit_channel"] = extra.pk
        context["edit_form"] = DailyMetricForm(prefix=f"m{extra.pk}", form_id=f"grid-form-{extra.pk}")
    return context | overrides


@web_view
def data(request: HttpRequest, pk: int) -> HttpResponse:
    """Table 3 for one day: a row per channel, edited in place; and the file import."""
    campaign = _campaign(request, pk)
    return render(request, "metrics/data.html", _data_context(request, campaign))


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404


def _initial(metric: DailyMetric | None) -> dict:
    if metric is None:
        return {}
    return {name: getattr(metric, name) for name in (*GRID_FIELDS, "note")}


@web_view
def grid_row(request: HttpRequest, pk: int, channel_pk: int, day: str) -> HttpResponse:
    """GET: the row (?edit=1: as a form). POST: save it; the row comes back, or the form with errors."""
    campaign = _campaign(request, pk)
    channel = Channel.objects.filter(pk=channel_pk).first()
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        date = None
    if channel is None or date is None:
        raise Http404
    metric = DailyMetric.objects.filter(campaign_id=campaign.pk, channel=channel, date=date).first()
    row = {"channel": channel, "metric": metric, "day": date}
    context = {"campaign": campaign, "row": row, "fields": GRID_FIELDS}
    context["can_write"] = permissions.can_write_metrics(request.user, campaign) and (
        campaign.status in permissions.DATA_STATUSES
    )
    prefix, form_id = f"m{channel.pk}", f"grid-form-{channel.pk}"
    if request.method != "POST":
        if request.GET.get("edit") and context["can_write"]:
            context["form"] = DailyMetricForm(initial=_initial(metric), prefix=prefix, form_id=form_id)
        return render(request, "metrics/partials/grid_row.html", context)
    form = DailyMetricForm(request.POST, prefix=prefix, form_id=form_id)
    data = {**form.service_data(), "date": date, "channel": channel.pk}
    outcome = call_service(
        services.daily_metric_save, form=form, campaign=campaign, actor=request.user, data=data
    )
    if outcome.ok:
        row["metric"] = outcome.value
        if not request.htmx:
            messages.success(
                request, _("Saved %(channel)s for %(date)s.") % {"channel": channel, "date": date}
            )
            return redirect(f"{reverse('metrics:data', args=[campaign.pk])}?date={date.isoformat()}")
        context["saved"] = True
    else:
        context |= {"form": form, "error": outcome.error}
        if not request.htmx:
            page = _data_context(
                request, campaign, day=date, extra=channel, edit_form=form, error=outcome.error
            )
            return render(request, "metrics/data.html", page, status=outcome.status)
    return render(request, "metrics/partials/grid_row.html", context, status=outcome.status)


@csrf_exempt  # checked below, once the upload size limit is installed (see uploads.py)
@require_POST
@web_view
def import_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Import a file from the Data page; the result (or every problem) replaces the import card."""
    limit = services.max_import_bytes()
    campaign = _campaign(request, pk)
    if uploads.announced_too_large(request, limit):
        return _import_response(request, campaign, error=services.FileTooLarge(limit), status=413)
    handler = uploads.guard(request, limit)
    refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
    if refused is not None:
        return refused
    # Refuse before reading the form: who may not act learns nothing from its errors.
    if not permissions.can_write_metrics(request.user, campaign):
        raise Forbidden(
            _("Only data analysts, the campaign's owner and project managers may record its daily data.")
        )
    form = ImportForm(request.POST, request.FILES)
    if handler is not None and handler.exceeded:
        return _import_response(
            request, campaign, form=ImportForm(), error=services.FileTooLarge(limit), status=413
        )
    if not form.is_valid():
        return _import_response(request, campaign, form=form, status=422)
    upload = form.cleaned_data["file"]
    try:
        with uploads.open_upload(upload) as stream:
            result = services.daily_metrics_import(
                campaign=campaign,
                actor=request.user,
                stream=stream,
                filename=upload.name or "",
                dry_run=form.cleaned_data["dry_run"],
                preset=form.cleaned_data["preset"] or None,
                default_channel=form.cleaned_data["channel"],
            )
    except services.ImportFailed as exc:
        return _import_response(request, campaign, form=form, error=exc, status=exc.status)
    if result.dry_run:
        return _import_response(request, campaign, form=form, result=result)
    messages.success(
        request,
        ngettext(
            "Imported %(rows)d row: %(created)d new, %(updated)d updated.",
            "Imported %(rows)d rows: %(created)d new, %(updated)d updated.",
            result.rows,
        )
        % {"rows": result.rows, "created": result.created, "updated": result.updated},
    )
    url = reverse("metrics:data", args=[campaign.pk])
    if result.date_to:
        url += f"?date={result.date_to.isoformat()}"
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _import_response(request, campaign, *, form=None, error=None, result=None, status=200) -> HttpResponse:
    """The import card with its outcome (htmx), or the whole Data page around it."""
    warnings = result.warnings if result else getattr(error, "warnings", [])
    context = {
        "import_form": form or ImportForm(),
        "import_error": error,
        "import_result": result,
        "import_warnings": warnings,
    }
    if request.htmx:
        return render(
            request,
            "metrics/partials/import_card.html",
            context | {"campaign_pk": campaign.pk},
            status=status,
        )
    return render(request, "metrics/data.html", _data_context(request, campaign, **context), status=status)
