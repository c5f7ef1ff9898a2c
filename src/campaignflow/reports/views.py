"""Web pages of the reports app: a campaign's Reports tab (daily reports with their anomalies,
interim reviews), report downloads, and the organization's marketing calendar.

Views parse input with forms, call one service or selector and render; errors from services are
rendered by campaignflow.web.errors. htmx requests get partials from the same views.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from campaignflow.campaigns import selectors as campaign_selectors
from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import Forbidden
from campaignflow.web.errors import call_service, web_view

from . import interim, permissions, registry, selectors, services
from .api import file_response
from .forms import GenerateForm, ItemForm, ReviewCreateForm, SummaryForm
from .models import InterimReview, InterimReviewItem

DOWNLOADS = ("pdf", "xlsx", "md")


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return campaign_selectors.campaign_get(user=request.user, pk=pk)


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _date(raw: str | None) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise Http404


# --- the Reports tab ----------------------------------------------------------------------------------


def _tab_context(request: HttpRequest, campaign: Campaign, **extra) -> dict:
    reports = list(selectors.daily_reports_for(campaign=campaign)[:60])
    wanted = _date(request.GET.get("day"))
    shown = (
        next((r for r in reports if r.day == wanted), None) if wanted else (reports[0] if reports else None)
    )
    today = timezone.localdate()
    period_to = min(today - dt.timedelta(days=1), campaign.end_date or today)
    context = {
        "campaign": campaign,
        "reports": reports,
        "shown": shown,
        "reviews": list(selectors.reviews_for(campaign=campaign)),
        "can_write": permissions.can_write_reports(request.user, campaign),
        "downloads": [(fmt, registry.FORMAT_LABELS[fmt]) for fmt in DOWNLOADS],
        "kinds": [
            registry.KINDS[key]
            for key in ("plan", "tasks", "daily", "evaluation", "settlement")
            if key in registry.KINDS
        ],
        "generate_form": GenerateForm(initial={"date": today - dt.timedelta(days=1)}),
        "review_form": ReviewCreateForm(
            initial={
                "period_from": campaign.start_date,
                "period_to": max(period_to, campaign.start_date or period_to),
            }
        ),
    }
    return context | extra


@web_view
def campaign_reports(request: HttpRequest, pk: int) -> HttpResponse:
    """Today's and past daily reports with their anomalies, interim reviews and downloads."""
    campaign = _campaign(request, pk)
    return render(request, "reports/campaign.html", _tab_context(request, campaign))


@require_POST
@web_view
def daily_generate(request: HttpRequest, pk: int) -> HttpResponse:
    """Generate the daily report of a day now (the worker does it every morning)."""
    campaign = _campaign(request, pk)
    form = GenerateForm(request.POST)
    outcome = call_service(
        services.daily_report_generate,
        form=form,
        campaign=campaign,
        actor=request.user,
        day=form.cleaned_data.get("date") if form.is_valid() else None,
    )
    if not outcome.ok:
        context = _tab_context(request, campaign, generate_form=form, generate_error=outcome.error)
        return render(request, "reports/campaign.html", context, status=outcome.status)
    report = outcome.value
    messages.success(request, _("Daily report for %(day)s generated.") % {"day": report.day.isoformat()})
    return _redirect(
        request, f"{reverse('reports:campaign', args=[campaign.pk])}?day={report.day.isoformat()}"
    )


@web_view
def daily_download(request: HttpRequest, report_pk: int) -> HttpResponse:
    """A stored daily report as it was generated, in md, xlsx or json."""
    report = selectors.daily_report_get(user=request.user, pk=report_pk)
    kind = registry.kind_get("daily")
    fmt = registry.check_format(kind, request.GET.get("format") or "xlsx")
    return file_response(registry.render(registry.document_from_data(report.data), fmt))


@web_view
def report_download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Any report of the campaign built now: ?format=md|xlsx|json, ?date= (daily), ?review= (interim)."""
    campaign = _campaign(request, pk)
    review = request.GET.get("review")
    rendered = registry.produce(
        kind,
        request.GET.get("format") or "xlsx",
        campaign=campaign,
        request=registry.Request(
            date=_date(request.GET.get("date")),
            review_id=int(review) if review and review.isdigit() and len(review) < 12 else None,
            user=request.user,
        ),
    )
    return file_response(rendered)


# --- interim reviews ----------------------------------------------------------------------------------


@require_POST
@web_view
def review_create(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    # Refuse before reading the form: who may not act learns nothing from its errors.
    if not permissions.can_write_reports(request.user, campaign):
        raise Forbidden(
            _("Only the campaign's owner, project managers and data analysts may write interim reviews.")
        )
    form = ReviewCreateForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    outcome = call_service(
        services.interim_review_create,
        form=form,
        campaign=campaign,
        actor=request.user,
        period_from=data.get("period_from"),
        period_to=data.get("period_to"),
        summary=data.get("summary", ""),
    )
    if not outcome.ok:
        context = _tab_context(request, campaign, review_form=form, review_error=outcome.error)
        return render(request, "reports/campaign.html", context, status=outcome.status)
    messages.success(request, _("Interim review started; fill in causes and adjustments."))
    return _redirect(request, reverse("reports:review", args=[outcome.value.pk]))


def _item_rows(review: InterimReview, editable: bool, forms: dict | None = None) -> list[dict]:
    rows = []
    for item in review.items.all():
        form = (forms or {}).get(item.pk)
        if form is None and editable:
            form = ItemForm(prefix=f"i{item.pk}", initial=_item_initial(item))
        rows.append(_item_row(item, form))
    return rows


def _item_initial(item: InterimReviewItem) -> dict:
    return {
        "stage_target": item.stage_target.normalize() if item.stage_target is not None else None,
        "cause": item.cause,
        "adjustment": item.adjustment,
        "expected_effect": item.expected_effect,
    }


def _item_row(item: InterimReviewItem, form=None) -> dict:
    kind = interim.item_kind(item)
    return {
        "item": item,
        "kind": kind,
        "achievement": interim.achievement(item),
        "form": form,
    }


def _review_context(request: HttpRequest, review: InterimReview, **extra) -> dict:
    campaign = review.campaign
    editable = not review.is_final and permissions.can_write_reports(request.user, campaign)
    context = {
        "campaign": campaign,
        "review": review,
        "editable": editable,
        "rows": _item_rows(review, editable),
        "summary_form": SummaryForm(initial={"summary": review.summary}),
        "downloads": [(fmt, registry.FORMAT_LABELS[fmt]) for fmt in DOWNLOADS],
    }
    return context | extra


@web_view
def review_detail(request: HttpRequest, review_pk: int) -> HttpResponse:
    """GET: the review with its items (editable while draft). POST: save the summary."""
    review = selectors.review_get(user=request.user, pk=review_pk)
    if request.method != "POST":
        return render(request, "reports/review.html", _review_context(request, review))
    form = SummaryForm(request.POST)
    outcome = call_service(
        services.interim_review_update,
        form=form,
        review=review,
        actor=request.user,
        data=form.cleaned_data if form.is_valid() else {},
    )
    if not outcome.ok:
        context = _review_context(request, review, summary_form=form, summary_error=outcome.error)
        return render(request, "reports/review.html", context, status=outcome.status)
    messages.success(request, _("Summary saved."))
    return _redirect(request, reverse("reports:review", args=[review.pk]))


@require_POST
@web_view
def item_update(request: HttpRequest, item_pk: int) -> HttpResponse:
    """Save one item; htmx gets the row back (with errors beside the inputs), others the page."""
    item = selectors.item_get(user=request.user, pk=item_pk)
    review = item.review
    form = ItemForm(request.POST, prefix=f"i{item.pk}")
    data = form.service_data() if form.is_valid() else {}
    outcome = call_service(services.interim_item_update, form=form, item=item, actor=request.user, data=data)
    if outcome.ok and not request.htmx:
        messages.success(request, _("Saved “%(item)s”.") % {"item": item.name})
        return redirect(reverse("reports:review", args=[review.pk]) + f"#item-{item.pk}")
    if not outcome.ok and not request.htmx:
        context = _review_context(request, review)
        context["rows"] = _item_rows(review, True, {item.pk: form})
        return render(
            request, "reports/review.html", context | {"item_error": outcome.error}, status=outcome.status
        )
    if outcome.ok:
        item.refresh_from_db()
        form = ItemForm(prefix=f"i{item.pk}", initial=_item_initial(item))
    context = {"row": _item_row(item, form), "editable": True, "saved": outcome.ok, "error": outcome.error}
    return render(request, "reports/partials/item_row.html", context, status=outcome.status)


@require_POST
@web_view
def review_finalise(request: HttpRequest, review_pk: int) -> HttpResponse:
    review = selectors.review_get(user=request.user, pk=review_pk)
    services.interim_review_finalise(review=review, actor=request.user)
    messages.success(request, _("The interim review is final."))
    return _redirect(request, reverse("reports:review", args=[review.pk]))


@require_POST
@web_view
def review_refresh(request: HttpRequest, review_pk: int) -> HttpResponse:
    review = selectors.review_get(user=request.user, pk=review_pk)
    services.interim_review_refresh(review=review, actor=request.user)
    messages.success(request, _("Actuals recalculated from the daily data."))
    return _redirect(request, reverse("reports:review", args=[review.pk]))


@web_view
def review_download(request: HttpRequest, review_pk: int) -> HttpResponse:
    review = selectors.review_get(user=request.user, pk=review_pk)
    fmt = registry.check_format(registry.kind_get("interim"), request.GET.get("format") or "xlsx")
    return file_response(registry.render(interim.document(review), fmt))


# --- marketing calendar -------------------------------------------------------------------------------


def _month(raw: str | None) -> dt.date:
    if raw:
        try:
            year, month = (int(part) for part in raw.split("-", 1))
            if 1900 <= year <= 2999:  # a neighbour month must exist too
                return dt.date(year, month, 1)
        except (ValueError, TypeError):
            pass
    return timezone.localdate().replace(day=1)


@web_view
def calendar(request: HttpRequest) -> HttpResponse:
    """All campaigns the user may see on a month timeline, with overlapping promotions listed."""
    month = _month(request.GET.get("month"))
    plan = selectors.calendar_month(user=request.user, month=month)
    today = timezone.localdate()
    context = {
        "plan": plan,
        "today_day": today.day if month_matches(plan.month, today) else None,
        "day_count": len(plan.days),
    }
    return render(request, "reports/calendar.html", context)


def month_matches(month: dt.date, day: dt.date) -> bool:
    return (month.year, month.month) == (day.year, day.month)
