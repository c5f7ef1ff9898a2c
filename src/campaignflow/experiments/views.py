"""Web pages of a campaign's A/B tests: the list with the design form, and each test's results.

Views parse input, call one selector or service and render; service errors are rendered by
campaignflow.web.errors. The interval chart is drawn by the plotly.min.js of the plotly package.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaignflow.campaigns import selectors as campaign_selectors
from campaignflow.core.errors import Forbidden
from campaignflow.metrics.views import plotly_url
from campaignflow.web.errors import call_service, web_view

from . import analysis, permissions, selectors, services, stats
from .choices import DataSource, ExperimentStatus, PrimaryMetric
from .forms import DecideForm, ExperimentForm


@web_view
def experiment_list(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the campaign's tests with their verdicts. POST: design a new test."""
    campaign = campaign_selectors.campaign_get(user=request.user, pk=pk)
    can_write = permissions.can_write(request.user, campaign)
    form = ExperimentForm(
        request.POST or None, campaign=campaign, initial={"mde": 0.1, "alpha": 0.05, "power": 0.8}
    )
    status, error = 200, None
    if request.method == "POST":
        # Refuse before reading the form: who may not act learns nothing from its errors.
        if not can_write:
            raise Forbidden(
                _("Only the campaign's owner, project managers and data analysts may change its A/B tests.")
            )
        outcome = call_service(
            services.experiment_create,
            form=form,
            campaign=campaign,
            actor=request.user,
            data=form.service_data(),
        )
        if outcome.ok:
            messages.success(request, _("A/B test designed. Start it when the traffic is split."))
            return redirect("experiments:detail", outcome.value.pk)
        status, error = outcome.status, outcome.error
    experiments = [(e, analysis.experiment_results(e)) for e in selectors.experiment_list(campaign=campaign)]
    context = {
        "campaign": campaign,
        "experiments": experiments,
        "form": form,
        "error": error,
        "can_write": can_write,
    }
    return render(request, "experiments/list.html", context, status=status)


@web_view
def sample_size(request: HttpRequest, pk: int) -> HttpResponse:
    """The design form's live answer: visitors per variant and days at the expected traffic (htmx)."""
    campaign_selectors.campaign_get(user=request.user, pk=pk)
    form = ExperimentForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    variants = max(
        len([line for line in (request.GET.get("variants") or "").splitlines() if line.strip()]), 2
    )
    context = {"per_variant": None, "days": None, "variants": variants}
    try:
        mde, alpha, power = data.get("mde"), data.get("alpha") or 0.05, data.get("power") or 0.8
        if data.get("metric") == PrimaryMetric.REVENUE_PER_VISITOR:
            if data.get("baseline_mean") and data.get("baseline_sd") and mde:
                context["per_variant"] = stats.sample_size_means(
                    data["baseline_mean"], data["baseline_sd"], mde, alpha=alpha, power=power
                )
        elif data.get("baseline_rate") and mde:
            context["per_variant"] = stats.sample_size_proportions(
                data["baseline_rate"], mde, alpha=alpha, power=power
            )
    except ValueError:
        context["invalid"] = True
    if context["per_variant"] and data.get("daily_visitors"):
        context["days"] = stats.days_needed(
            per_variant=context["per_variant"], variants=variants, daily_visitors=data["daily_visitors"]
        )
    if context["per_variant"]:
        context["total"] = context["per_variant"] * variants
    return render(request, "experiments/partials/size.html", context)


def _detail_context(request: HttpRequest, experiment, **extra) -> dict:
    results = analysis.experiment_results(experiment)
    campaign = experiment.campaign
    can_write = permissions.can_write(request.user, campaign)
    return {
        "campaign": campaign,
        "experiment": experiment,
        "results": results,
        "figure": analysis.interval_figure(results) if results.enough_data else None,
        "plotly_url": plotly_url(),
        "can_write": can_write,
        "can_record": can_write
        and experiment.data_source == DataSource.MANUAL
        and experiment.status in (ExperimentStatus.RUNNING, ExperimentStatus.STOPPED),
        "decide_form": DecideForm(experiment=experiment),
        "revenue_metric": experiment.metric == PrimaryMetric.REVENUE_PER_VISITOR,
        **extra,
    }


@web_view
def experiment_detail(request: HttpRequest, experiment_pk: int) -> HttpResponse:
    experiment = selectors.experiment_get(user=request.user, pk=experiment_pk)
    return render(request, "experiments/detail.html", _detail_context(request, experiment))


@web_view
@require_POST
def observations(request: HttpRequest, experiment_pk: int) -> HttpResponse:
    """Record every variant's counts from the page's table."""
    experiment = selectors.experiment_get(user=request.user, pk=experiment_pk)
    rows = []
    for variant in experiment.variants.all():
        row = {"variant": variant.pk}
        for key in ("visitors", "conversions", "revenue", "revenue_sum_squares"):
            value = request.POST.get(f"{key}-{variant.pk}", "").strip()
            if value != "" or key == "visitors":
                row[key] = value
        rows.append(row)
    outcome = call_service(services.observations_record, experiment=experiment, actor=request.user, rows=rows)
    if outcome.ok:
        messages.success(request, _("Results recorded."))
        return redirect("experiments:detail", experiment.pk)
    names = {f"observations.{index}": v.name for index, v in enumerate(experiment.variants.all())}
    for item in outcome.error.others:
        prefix, _dot, _rest = item.field.rpartition(".")
        if prefix in names:
            item.message = f"{names[prefix]}: {item.message}"
    context = _detail_context(request, experiment, error=outcome.error, posted=request.POST)
    return render(request, "experiments/detail.html", context, status=outcome.status)


@web_view
@require_POST
def transition(request: HttpRequest, experiment_pk: int, action: str) -> HttpResponse:
    if action not in services.TRANSITIONS:
        raise Http404
    experiment = selectors.experiment_get(user=request.user, pk=experiment_pk)
    winner = request.POST.get("winner") or None
    outcome = call_service(
        services.experiment_transition,
        experiment=experiment,
        actor=request.user,
        action=action,
        winner=winner,
        comment=request.POST.get("comment", ""),
    )
    if outcome.ok:
        return redirect("experiments:detail", experiment.pk)
    context = _detail_context(request, experiment, error=outcome.error)
    return render(request, "experiments/detail.html", context, status=outcome.status)


@web_view
@require_POST
def experiment_delete(request: HttpRequest, experiment_pk: int) -> HttpResponse:
    experiment = selectors.experiment_get(user=request.user, pk=experiment_pk)
    campaign_pk = experiment.campaign_id
    outcome = call_service(services.experiment_delete, experiment=experiment, actor=request.user)
    if outcome.ok:
        messages.success(request, _("A/B test deleted."))
        return redirect(reverse("experiments:list", args=[campaign_pk]))
    context = _detail_context(request, experiment, error=outcome.error)
    return render(request, "experiments/detail.html", context, status=outcome.status)
