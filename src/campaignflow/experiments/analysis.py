"""An experiment's results, design and verdict, computed from its variants' counts with stats.py.

The verdict follows the frequentist test of the primary metric (Holm-adjusted across variants);
the Bayesian chance to beat control and expected loss are shown beside it. A fixed-horizon test
is only judged once every variant reached the planned sample size, because looking earlier
inflates false positives; a sequential test may be judged at any look.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from . import sources, stats
from .choices import ExperimentStatus, PrimaryMetric, VerdictKind
from .models import Experiment, Variant

NOT_ENOUGH = {
    "visitors": lambda: _("Every variant needs visitors first."),
    "control_zero": lambda: _("The control has no conversions yet, so an uplift over it is not defined."),
    "variance": lambda: _("A variant has no spread yet (no conversions, or every visitor converted)."),
}


@dataclass
class VariantResult:
    variant: Variant
    visitors: int
    conversions: int
    revenue: float
    value: float | None  # conversion rate or revenue per visitor
    comparison: stats.Comparison | None = None
    difference: stats.Comparison | None = None
    p_adjusted: float | None = None
    bayes: stats.BayesResult | None = None
    significant: bool = False

    @property
    def uplift_text(self) -> str:
        return _pct(self.comparison.uplift) if self.comparison else ""

    @property
    def interval_text(self) -> str:
        c = self.comparison
        return f"{_pct(c.ci_low)} … {_pct(c.ci_high)}" if c else ""

    def as_dict(self) -> dict:
        c, b = self.comparison, self.bayes
        return {
            "variant": self.variant.pk,
            "name": self.variant.name,
            "is_control": self.variant.is_control,
            "visitors": self.visitors,
            "conversions": self.conversions,
            "revenue": f"{self.revenue:.2f}",
            "value": self.value,
            "uplift": c.uplift if c else None,
            "ci_low": c.ci_low if c else None,
            "ci_high": c.ci_high if c else None,
            "p_value": c.p_value if c else None,
            "p_value_adjusted": self.p_adjusted,
            "significant": self.significant,
            "difference": self.difference.uplift if self.difference else None,
            "chance_to_beat_control": b.chance_to_beat if b else None,
            "expected_loss": b.expected_loss if b else None,
            "expected_loss_control": b.expected_loss_control if b else None,
        }


@dataclass
class Design:
    """The planned sample and how long it takes at the traffic known so far."""

    per_variant: int | None = None
    total: int | None = None
    daily_visitors: float | None = None
    traffic_source: str = ""  # "observed" or "planned"
    days_needed: int | None = None
    days_left: int | None = None
    progress: float | None = None  # smallest variant's visitors / per_variant
    problem: str = ""

    def as_dict(self) -> dict:
        return {
            "sample_size_per_variant": self.per_variant,
            "sample_size_total": self.total,
            "daily_visitors": self.daily_visitors,
            "traffic_source": self.traffic_source,
            "days_needed": self.days_needed,
            "days_left": self.days_left,
            "progress": self.progress,
            "problem": self.problem,
        }


@dataclass
class Verdict:
    kind: str
    message: str
    variant: Variant | None = None


@dataclass
class Results:
    experiment: Experiment
    variants: list[VariantResult]
    design: Design
    verdict: Verdict
    enough_data: bool = False
    message: str = ""
    srm_p_value: float | None = None
    srm_mismatch: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def treatments(self) -> list[VariantResult]:
        return [r for r in self.variants if not r.variant.is_control]

    def as_dict(self) -> dict:
        return {
            "experiment": self.experiment.pk,
            "status": self.experiment.status,
            "metric": self.experiment.metric,
            "sequential": self.experiment.sequential,
            "alpha": self.experiment.alpha,
            "enough_data": self.enough_data,
            "message": self.message,
            "srm_p_value": self.srm_p_value,
            "srm_mismatch": self.srm_mismatch,
            "variants": [r.as_dict() for r in self.variants],
            "design": self.design.as_dict(),
            "verdict": {
                "kind": self.verdict.kind,
                "message": self.verdict.message,
                "variant": self.verdict.variant.pk if self.verdict.variant else None,
            },
        }


def _sample(result: VariantResult, squares, revenue_metric: bool) -> stats.Sample:
    if revenue_metric:
        return stats.Sample(result.visitors, result.revenue, float(squares or 0))
    return stats.Sample(result.visitors, result.conversions)


def design(experiment: Experiment, rows: list[VariantResult], squares: dict[int, float]) -> Design:
    """Sample size per variant from the baseline (entered, else control's observed) and the MDE."""
    result = Design()
    control = next((r for r in rows if r.variant.is_control), None)
    try:
        if experiment.metric == PrimaryMetric.REVENUE_PER_VISITOR:
            mean, sd = experiment.baseline_mean, experiment.baseline_sd
            if (not mean or not sd) and control and control.visitors > 1:
                sample = _sample(control, squares.get(control.variant.pk), True)
                mean, sd = sample.mean, math.sqrt(max(sample.variance, 0))
            if not mean or not sd:
                result.problem = _(
                    "Enter the baseline revenue per visitor and its standard deviation to size the test."
                )
                return result
            per_variant = stats.sample_size_means(
                mean, sd, experiment.mde, alpha=experiment.alpha, power=experiment.power
            )
        else:
            rate = experiment.baseline_rate
            if not rate and control and control.visitors and control.conversions:
                rate = control.conversions / control.visitors
            if not rate:
                result.problem = _("Enter the baseline conversion rate to size the test.")
                return result
            per_variant = stats.sample_size_proportions(
                rate, experiment.mde, alpha=experiment.alpha, power=experiment.power
            )
    except ValueError:
        result.problem = _("The baseline and the effect cannot be sized together; check both.")
        return result
    result.per_variant = per_variant
    result.total = per_variant * len(rows)
    seen = sum(r.visitors for r in rows)
    if experiment.started_at and seen:
        end = experiment.stopped_at or timezone.now()
        days = max((end - experiment.started_at).total_seconds() / 86400, 1.0)
        result.daily_visitors, result.traffic_source = seen / days, "observed"
    elif experiment.daily_visitors:
        result.daily_visitors, result.traffic_source = float(experiment.daily_visitors), "planned"
    if result.daily_visitors:
        weights = [r.variant.weight for r in rows]
        # The variant with the smallest share decides when everyone has enough.
        smallest = min(weights) / sum(weights)
        missing = max(per_variant - min(r.visitors for r in rows), 0) if rows else per_variant
        result.days_left = math.ceil(missing / (result.daily_visitors * smallest)) if missing else 0
        result.days_needed = math.ceil(per_variant / (result.daily_visitors * smallest))
    if rows:
        result.progress = min(r.visitors for r in rows) / per_variant
    return result


def experiment_results(experiment: Experiment) -> Results:
    """Everything the results page and GET …/results show, with "not enough data yet" instead of NaN."""
    variants = list(experiment.variants.select_related("channel", "link"))
    counts = sources.observations(experiment, variants)
    revenue_metric = experiment.metric == PrimaryMetric.REVENUE_PER_VISITOR
    rows, squares = [], {}
    for v in variants:
        c = counts[v.pk]
        revenue = float(c.revenue)
        squares[v.pk] = float(c.revenue_sum_squares) if c.revenue_sum_squares is not None else None
        value = None
        if c.visitors:
            value = (revenue if revenue_metric else c.conversions) / c.visitors
        rows.append(VariantResult(v, c.visitors, c.conversions, revenue, value))
    plan = design(experiment, rows, squares)
    control = next((r for r in rows if r.variant.is_control), None)
    results = Results(experiment, rows, plan, Verdict(VerdictKind.KEEP_RUNNING, ""))
    if control is None or len(rows) < 2:
        results.message = _("The test needs a control and at least one other variant.")
        results.verdict = Verdict(VerdictKind.KEEP_RUNNING, results.message)
        return results
    if sum(r.visitors for r in rows) and all(w > 0 for w in (r.variant.weight for r in rows)):
        results.srm_p_value = stats.srm_p_value([r.visitors for r in rows], [r.variant.weight for r in rows])
        results.srm_mismatch = results.srm_p_value < stats.SRM_THRESHOLD
    a = _sample(control, squares.get(control.variant.pk), revenue_metric)
    reasons = []
    for row in results.treatments:
        b = _sample(row, squares.get(row.variant.pk), revenue_metric)
        try:
            row.comparison = stats.compare(a, b, alpha=experiment.alpha, sequential=experiment.sequential)
            row.difference = stats.difference_test(a, b, alpha=experiment.alpha)
            row.bayes = stats.bayes(a, b)
        except stats.NotEnoughData as exc:
            row.comparison = row.difference = row.bayes = None
            reasons.append(exc.reason)
    results.enough_data = not reasons
    if reasons:
        for row in results.treatments:
            row.comparison = row.difference = row.bayes = None
        results.message = _("Not enough data yet.") + " " + str(NOT_ENOUGH[reasons[0]]())
    else:
        adjusted = stats.holm([r.comparison.p_value for r in results.treatments])
        for row, p in zip(results.treatments, adjusted, strict=True):
            row.p_adjusted = p
            row.significant = p < experiment.alpha
    results.verdict = verdict(results)
    return results


def _pct(value: float) -> str:
    return f"{value * 100:+.1f} %"


def verdict(results: Results) -> Verdict:
    """Keep running, ship a variant, or stop: in plain words."""
    experiment, plan = results.experiment, results.design
    if experiment.status == ExperimentStatus.DECIDED:
        winner = experiment.winner
        if winner is None or winner.is_control:
            return Verdict(VerdictKind.STOP, _("Decided: the control was kept."), winner)
        return Verdict(
            VerdictKind.SHIP, _("Decided: “%(name)s” was shipped.") % {"name": winner.name}, winner
        )
    if results.srm_mismatch:
        return Verdict(
            VerdictKind.STOP,
            _(
                "Stop: visitors did not reach the variants in the planned split (sample-ratio mismatch, "
                "p = %(p).4f). The assignment is broken, so these results cannot be trusted; fix it and start again."
            )
            % {"p": results.srm_p_value},
        )
    if not results.enough_data:
        return Verdict(VerdictKind.KEEP_RUNNING, _("Keep running: %(why)s") % {"why": results.message})
    reached = plan.progress is not None and plan.progress >= 1
    can_judge = experiment.sequential or reached
    winners = [r for r in results.treatments if r.significant and r.comparison.uplift > 0]
    losers = [r for r in results.treatments if r.significant and r.comparison.uplift < 0]
    if winners and can_judge:
        best = max(winners, key=lambda r: r.comparison.uplift)
        return Verdict(
            VerdictKind.SHIP,
            _(
                "Ship “%(name)s”: it changes the metric by %(uplift)s (interval %(low)s to %(high)s) with a "
                "%(chance).0f %% chance to beat the control."
            )
            % {
                "name": best.variant.name,
                "uplift": _pct(best.comparison.uplift),
                "low": _pct(best.comparison.ci_low),
                "high": _pct(best.comparison.ci_high),
                "chance": best.bayes.chance_to_beat * 100,
            },
            best.variant,
        )
    if losers and len(losers) == len(results.treatments) and can_judge:
        return Verdict(
            VerdictKind.STOP, _("Stop: every variant does worse than the control. Keep the control.")
        )
    if reached:
        return Verdict(
            VerdictKind.STOP,
            _(
                "Stop: the planned sample is reached and no variant differs from the control by the effect "
                "you looked for (%(mde)s). Keep the control."
            )
            % {"mde": _pct(experiment.mde)},
        )
    left = ""
    if plan.days_left is not None:
        left = " " + _("About %(days)d more days at the current traffic.") % {"days": plan.days_left}
    if winners:
        return Verdict(
            VerdictKind.KEEP_RUNNING,
            _(
                "Keep running: “%(name)s” looks better, but the planned sample is not reached and an early look "
                "at a fixed-horizon test often shows a difference that is not there."
            )
            % {"name": winners[0].variant.name}
            + left,
        )
    return Verdict(VerdictKind.KEEP_RUNNING, _("Keep running: no clear difference yet.") + left)


def interval_figure(results: Results) -> dict:
    """A plotly figure: each variant's relative uplift with its interval, 0 and ±MDE marked."""
    rows = [r for r in results.treatments if r.comparison]
    names = [r.variant.name for r in rows]
    uplift = [r.comparison.uplift * 100 for r in rows]
    mde = results.experiment.mde * 100
    colors = [
        "#12a07c" if r.significant and r.comparison.uplift > 0 else "#c0392b" if r.significant else "#1f5fbf"
        for r in rows
    ]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "markers",
                "x": uplift,
                "y": names,
                "marker": {"size": 12, "color": colors},
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": [r.comparison.ci_high * 100 - u for r, u in zip(rows, uplift, strict=True)],
                    "arrayminus": [u - r.comparison.ci_low * 100 for r, u in zip(rows, uplift, strict=True)],
                    "thickness": 3,
                    "width": 8,
                },
                "hovertemplate": "%{y}: %{x:.2f} %<extra></extra>",
            }
        ],
        "layout": {
            "height": 120 + 50 * len(rows),
            "margin": {"l": 120, "r": 24, "t": 16, "b": 40},
            "xaxis": {"title": {"text": _("Uplift over control (%)")}, "zeroline": False, "ticksuffix": " %"},
            "yaxis": {"automargin": True},
            "shapes": [
                {
                    "type": "line",
                    "x0": 0,
                    "x1": 0,
                    "yref": "paper",
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": "#495057", "width": 1},
                },
                *[
                    {
                        "type": "line",
                        "x0": x,
                        "x1": x,
                        "yref": "paper",
                        "y0": 0,
                        "y1": 1,
                        "line": {"color": "#d8a300", "dash": "dot", "width": 1},
                    }
                    for x in (-mde, mde)
                ],
            ],
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "showlegend": False,
        },
    }
