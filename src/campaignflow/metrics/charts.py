"""The campaign dashboard's plotly figures as plain JSON-ready dicts.

Built by hand rather than with plotly's Python objects, which validate every property and cost
far more; the browser draws them with the plotly.min.js the plotly package ships (no CDN).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from .selectors import Kpis

COLORS = ["#1f5fbf", "#12a07c", "#d8a300", "#c0392b", "#6c4fbf", "#2f9fd0", "#8a5a00", "#495057"]
FONT = {"family": "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif", "size": 12}


def _num(value) -> float | None:
    return None if value is None else float(value)


def _layout(**extra) -> dict:
    layout = {
        "font": FONT,
        "margin": {"l": 56, "r": 56, "t": 16, "b": 40},
        "legend": {"orientation": "h", "y": -0.2},
        "hovermode": "x unified",
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "height": 300,
    }
    layout.update(extra)
    return layout


def trend_money(kpis: Kpis, currency: str) -> dict:
    dates = [day.date.isoformat() for day in kpis.trend]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _("Revenue"),
                "x": dates,
                "y": [_num(day.measures["revenue"]) for day in kpis.trend],
                "line": {"color": COLORS[1]},
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _("Cost"),
                "x": dates,
                "y": [_num(day.measures["cost"]) for day in kpis.trend],
                "line": {"color": COLORS[3]},
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": "ROAS",
                "x": dates,
                "y": [_num(day.metrics.get("roas")) for day in kpis.trend],
                "yaxis": "y2",
                "line": {"color": COLORS[0], "dash": "dot"},
            },
        ],
        "layout": _layout(
            yaxis={"title": {"text": currency}, "rangemode": "tozero"},
            yaxis2={"title": {"text": "ROAS"}, "overlaying": "y", "side": "right", "rangemode": "tozero"},
        ),
    }


def trend_rates(kpis: Kpis) -> dict:
    dates = [day.date.isoformat() for day in kpis.trend]
    series = [("ctr", _("CTR"), COLORS[0]), ("cvr", _("CVR"), COLORS[2])]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "x": dates,
                "y": [_num(day.metrics.get(key)) for day in kpis.trend],
                "line": {"color": color},
            }
            for key, name, color in series
        ],
        "layout": _layout(yaxis={"tickformat": ".1%", "rangemode": "tozero"}),
    }


def funnel(kpis: Kpis, name: str) -> dict | None:
    steps = kpis.funnels[name]
    if not steps[0].value:
        return None
    return {
        "data": [
            {
                "type": "funnel",
                "y": [step.name for step in steps],
                "x": [int(step.value) for step in steps],
                "textinfo": "value+percent previous",
                "marker": {"color": COLORS[: len(steps)]},
            }
        ],
        "layout": _layout(
            height=260,
            margin={"l": 24, "r": 24, "t": 8, "b": 24},
            hovermode="closest",
            yaxis={"automargin": True},
        ),
    }


def channels(kpis: Kpis, currency: str) -> dict | None:
    if not kpis.channels:
        return None
    names = [channel.name for channel in kpis.channels]
    return {
        "data": [
            {
                "type": "bar",
                "name": _("Cost"),
                "x": names,
                "y": [_num(c.measures["cost"]) for c in kpis.channels],
                "marker": {"color": COLORS[3]},
            },
            {
                "type": "bar",
                "name": _("Revenue"),
                "x": names,
                "y": [_num(c.measures["revenue"]) for c in kpis.channels],
                "marker": {"color": COLORS[1]},
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": "ROAS",
                "x": names,
                "y": [_num(c.metrics.get("roas")) for c in kpis.channels],
                "yaxis": "y2",
                "marker": {"color": COLORS[0], "size": 11, "symbol": "diamond"},
            },
        ],
        "layout": _layout(
            barmode="group",
            hovermode="closest",
            yaxis={"title": {"text": currency}, "rangemode": "tozero"},
            yaxis2={"title": {"text": "ROAS"}, "overlaying": "y", "side": "right", "rangemode": "tozero"},
        ),
    }


def goals(kpis: Kpis) -> dict | None:
    tracked = [g for g in kpis.goals if g.achievement is not None]
    if not tracked:
        return None
    values = [float(min(g.achievement, Decimal(3))) for g in tracked]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [g.goal.name or g.definition.name for g in tracked],
                "x": values,
                "text": [f"{float(g.achievement):.0%}" for g in tracked],
                "textposition": "auto",
                "marker": {"color": [COLORS[1] if g.met else COLORS[2] for g in tracked]},
                "hoverinfo": "y+text",
            }
        ],
        "layout": _layout(
            height=max(160, 48 * len(tracked) + 60),
            margin={"l": 24, "r": 24, "t": 8, "b": 32},
            hovermode="closest",
            yaxis={"automargin": True},
            xaxis={"tickformat": ".0%", "rangemode": "tozero"},
            shapes=[
                {
                    "type": "line",
                    "x0": 1,
                    "x1": 1,
                    "yref": "paper",
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": "#394452", "dash": "dash", "width": 1},
                }
            ],
        ),
    }


def figures(kpis: Kpis, currency: str) -> dict[str, dict]:
    """Every chart of the dashboard that has something to show, by element id."""
    result = {}
    if kpis.trend:
        result["chart-trend-money"] = trend_money(kpis, currency)
        result["chart-trend-rates"] = trend_rates(kpis)
    for name in ("acquisition", "leads"):
        figure = funnel(kpis, name)
        if figure is not None:
            result[f"chart-funnel-{name}"] = figure
    for key, figure in (("chart-channels", channels(kpis, currency)), ("chart-goals", goals(kpis))):
        if figure is not None:
            result[key] = figure
    return result
