"""The "A/B tests" section of the evaluation report (Table 4), registered from apps.ready.

Every figure is analysis.py's, as the results page shows it: the relative uplift over the control
with its interval, the p-value (Holm-adjusted across variants, the one the verdict follows), the
Bayesian chance to beat the control, and the verdict. Nothing is computed here. Tests that are
stopped or decided are listed, running ones marked as still running; drafts are left out, and a
campaign without any such test gets no section.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from campaignflow.reports.registry import INTEGER, MONEY, NUMBER, PERCENT, Column, Section, Table

from . import analysis, selectors
from .choices import ExperimentStatus, PrimaryMetric

REPORTED_STATUSES = (ExperimentStatus.RUNNING, ExperimentStatus.STOPPED, ExperimentStatus.DECIDED)


def _p(value: float | None) -> float | None:
    """A p-value to four significant digits (0.0312, 0.00001234): small ones do not read as 0."""
    return None if value is None else float(f"{value:.4g}")


def _status_text(experiment) -> str:
    if experiment.status == ExperimentStatus.RUNNING:
        return _("Still running")
    return str(experiment.get_status_display())


def _verdict_text(experiment, results: analysis.Results) -> str:
    text = str(results.verdict.message)
    if experiment.status == ExperimentStatus.RUNNING:
        text = _("Still running; the results so far: %(verdict)s") % {"verdict": text}
    if experiment.decision_note:
        text = f"{text} {experiment.decision_note}"
    return text


def _variants_table(experiment, results: analysis.Results) -> Table:
    revenue_metric = experiment.metric == PrimaryMetric.REVENUE_PER_VISITOR
    columns = [
        Column("variant", _("Variant")),
        Column("visitors", _("Visitors"), INTEGER),
        Column("conversions", _("Conversions"), INTEGER),
    ]
    if revenue_metric:
        columns += [
            Column("revenue", _("Revenue"), MONEY),
            Column("value", _("Revenue per visitor"), MONEY),
        ]
    else:
        columns.append(Column("value", _("Conversion rate"), PERCENT))
    columns += [
        Column("uplift", _("Uplift over control"), PERCENT),
        Column("ci_low", _("Interval from"), PERCENT),
        Column("ci_high", _("Interval to"), PERCENT),
        Column("p_value", _("p-value"), NUMBER),
        Column("chance_to_beat_control", _("Chance to beat control"), PERCENT),
    ]
    rows = []
    for row in results.variants:
        name = row.variant.name
        if row.variant.is_control:
            name = _("%(name)s (control)") % {"name": name}
        c, b = row.comparison, row.bayes
        cells = [name, row.visitors, row.conversions]
        if revenue_metric:
            cells.append(round(row.revenue, 2))
        cells += [
            row.value,
            c.uplift if c else None,
            c.ci_low if c else None,
            c.ci_high if c else None,
            _p(row.p_adjusted),
            b.chance_to_beat if b else None,
        ]
        rows.append(cells)
    return Table(columns=columns, rows=rows, title=experiment.name)


def evaluation_section(campaign) -> Section | None:
    """The campaign's A/B tests for the evaluation report, or None when it has none to report."""
    experiments = list(
        selectors.experiment_list(campaign=campaign)
        .filter(status__in=REPORTED_STATUSES)
        .order_by("created_at", "id")
    )
    if not experiments:
        return None
    overview = Table(
        columns=[
            Column("name", _("A/B test")),
            Column("status", _("Status")),
            Column("hypothesis", _("Hypothesis")),
            Column("metric", _("Primary metric")),
            Column("verdict", _("Verdict")),
        ],
        rows=[],
    )
    variant_tables = []
    for experiment in experiments:
        results = selectors.experiment_results(experiment=experiment)
        overview.rows.append(
            [
                experiment.name,
                _status_text(experiment),
                experiment.hypothesis or None,
                str(experiment.get_metric_display()),
                _verdict_text(experiment, results),
            ]
        )
        variant_tables.append(_variants_table(experiment, results))
    return Section(
        _("A/B tests"),
        tables=[overview, *variant_tables],
        paragraphs=[
            _(
                "Uplift and its interval are the relative change of the primary metric over the control. With "
                "several variants the p-value is Holm-adjusted; the verdict follows it, and the chance to beat control is the "
                "Bayesian view of the same data."
            )
        ],
    )
