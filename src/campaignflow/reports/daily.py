"""Table 3 (活动数据日报表): one day of a campaign per channel, the totals to date, target
completion per SMART goal, and the anomalies worth a line in the morning digest.

Every number comes from metrics.selectors.campaign_kpis (sums in the database, derived metrics by
metrics.calc); this module only arranges them and judges what is anomalous:

- a goal counted up over the campaign (revenue, new users, …) whose completion is behind the share
  of the campaign's time that has elapsed; a rate or a lower-is-better goal that misses its target;
- a channel whose impressions, clicks, visits, conversions, revenue or cost moved more than
  SWING_THRESHOLD against the day before (ignored below SWING_MIN_PREVIOUS, where a swing is noise);
- the notes entered with the day's data (DailyMetric.note), as the seed's 异常说明 column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import field_error
from campaignflow.metrics import calc, selectors
from campaignflow.metrics.models import DailyMetric

from . import registry
from .registry import INTEGER, MONEY, PERCENT, RATIO, TEXT, Column, Document, Section, Table

SWING_THRESHOLD = Decimal("0.30")
SWING_MIN_PREVIOUS = Decimal(100)
SWING_MEASURES = ("impressions", "clicks", "visits", "conversions", "revenue", "cost")
MULTIPLES = {"roas"}  # ratios read as multiples (ROAS 3.5), not percentages
# Table 3's columns: the seed's (曝光量, 点击率, 转化率, 新增用户, 销售额, 异常说明) with the counts
# and costs behind its rates, and foot traffic for stores.
DAY_KEYS = (
    "impressions",
    "clicks",
    "ctr",
    "visits",
    "conversions",
    "cvr",
    "new_users",
    "cost",
    "cpa",
    "revenue",
    "roas",
)


@dataclass
class Anomaly:
    kind: str  # pace, target, swing, note
    message: str
    channel: str = ""
    metric: str = ""


def stem(campaign: Campaign) -> str:
    return campaign.number or f"campaign-{campaign.pk}"


def kind_of(key: str, unit: str) -> str:
    """The registry column kind a metric of this unit reads as."""
    if unit == calc.CURRENCY:
        return MONEY
    if unit == calc.COUNT:
        return INTEGER
    return RATIO if key in MULTIPLES else PERCENT


def default_day(campaign: Campaign) -> dt.date:
    """The last day with data (not in the future), else yesterday within the campaign's dates."""
    today = timezone.localdate()
    day = (
        DailyMetric.objects.filter(campaign_id=campaign.pk, date__lte=today)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    return clip(campaign, day or today - dt.timedelta(days=1))


def clip(campaign: Campaign, day: dt.date) -> dt.date:
    if campaign.start_date and day < campaign.start_date:
        return campaign.start_date
    if campaign.end_date and day > campaign.end_date:
        return campaign.end_date
    return day


def check_day(campaign: Campaign, day: dt.date) -> dt.date:
    """A day inside the campaign's dates, or a 422 naming `date`."""
    if (campaign.start_date and day < campaign.start_date) or (campaign.end_date and day > campaign.end_date):
        raise field_error(
            "date",
            _("The date must be within the campaign (%(start)s – %(end)s).")
            % {"start": campaign.start_date or "…", "end": campaign.end_date or "…"},
        )
    return day


def elapsed_share(campaign: Campaign, day: dt.date) -> Decimal | None:
    """The share of the campaign's days up to and including `day`."""
    if not campaign.start_date or not campaign.end_date:
        return None
    total = (campaign.end_date - campaign.start_date).days + 1
    elapsed = min(max((day - campaign.start_date).days + 1, 0), total)
    return calc.ratio(elapsed, total)


def _value(breakdown, key: str):
    return breakdown.measures.get(key) if key in calc.BASE_MEASURES else breakdown.metrics.get(key)


def _count(value):
    return int(value) if value is not None else None


def _channel_values(breakdown) -> list:
    values = []
    for key in DAY_KEYS:
        value = _value(breakdown, key)
        values.append(_count(value) if key in calc.COUNT_MEASURES else value)
    return values


@dataclass
class GoalLine:
    name: str
    metric: str
    unit: str
    target: Decimal | None
    actual: Decimal | None
    completion: Decimal | None
    status: str  # met, on_track, behind, missed, no_data


def _goal_lines(kpis, elapsed: Decimal | None) -> list[GoalLine]:
    lines = []
    for kpi in kpis.goals:
        definition = kpi.definition
        cumulative = definition.is_base and definition.direction == calc.HIGHER
        if kpi.actual is None or kpi.goal.target is None:
            status = "no_data"
        elif kpi.met:
            status = "met"
        elif cumulative:
            behind = elapsed is not None and kpi.achievement is not None and kpi.achievement < elapsed
            status = "behind" if behind else "on_track"
        else:
            status = "missed"
        lines.append(
            GoalLine(
                name=kpi.goal.name or definition.name,
                metric=definition.key,
                unit=definition.unit,
                target=kpi.goal.target,
                actual=kpi.actual,
                completion=kpi.achievement,
                status=status,
            )
        )
    return lines


def _goal_anomalies(lines: list[GoalLine], elapsed: Decimal | None) -> list[Anomaly]:
    result = []
    for line in lines:
        kind = kind_of(line.metric, line.unit)
        if line.status == "behind":
            message = _(
                "%(goal)s: %(completion)s of the target reached with %(elapsed)s of the campaign's time elapsed."
            ) % {
                "goal": line.name,
                "completion": registry.display(line.completion, PERCENT),
                "elapsed": registry.display(elapsed, PERCENT),
            }
            result.append(Anomaly("pace", message, metric=line.metric))
        elif line.status == "missed":
            message = _("%(goal)s: %(actual)s to date against a target of %(target)s.") % {
                "goal": line.name,
                "actual": registry.display(line.actual, kind),
                "target": registry.display(line.target, kind),
            }
            result.append(Anomaly("target", message, metric=line.metric))
    return result


def _swings(today, previous, names: dict[str, str]) -> list[Anomaly]:
    """Channels whose base measures moved more than the threshold since the day before."""
    before = {channel.channel_id: channel for channel in previous.channels}
    result = []
    for channel in today.channels:
        prior = before.get(channel.channel_id)
        if prior is None:
            continue
        for key in SWING_MEASURES:
            old, new = prior.measures[key], channel.measures[key]
            if old < SWING_MIN_PREVIOUS:
                continue
            change = calc.ratio(new - old, old)
            if change is None or abs(change) <= SWING_THRESHOLD:
                continue
            kind = MONEY if key in calc.AMOUNT_MEASURES else INTEGER
            message = _("%(channel)s: %(metric)s %(change)s day over day (%(old)s → %(new)s).") % {
                "channel": channel.name,
                "metric": names.get(key, key),
                "change": ("+" if change > 0 else "−") + registry.display(abs(change), PERCENT),
                "old": registry.display(old, kind),
                "new": registry.display(new, kind),
            }
            result.append(Anomaly("swing", message, channel=channel.name, metric=key))
    return result


@dataclass
class DailyData:
    campaign: Campaign
    day: dt.date
    today: selectors.Kpis
    cumulative: selectors.Kpis
    goals: list[GoalLine]
    elapsed: Decimal | None
    notes: dict[int, str]
    anomalies: list[Anomaly]


def daily_data(*, campaign: Campaign, day: dt.date) -> DailyData:
    today = selectors.campaign_kpis(campaign=campaign, date_from=day, date_to=day)
    cumulative = selectors.campaign_kpis(campaign=campaign, date_from=campaign.start_date, date_to=day)
    previous = selectors.campaign_kpis(
        campaign=campaign, date_from=day - dt.timedelta(days=1), date_to=day - dt.timedelta(days=1)
    )
    names = {d.key: d.name for d in today.definitions}
    elapsed = elapsed_share(campaign, day)
    goals = _goal_lines(cumulative, elapsed)
    notes = dict(
        DailyMetric.objects.filter(campaign_id=campaign.pk, date=day)
        .exclude(note="")
        .values_list("channel_id", "note")
    )
    channel_names = {channel.channel_id: channel.name for channel in today.channels}
    anomalies = _goal_anomalies(goals, elapsed) + _swings(today, previous, names)
    for channel_id, note in sorted(notes.items(), key=lambda item: channel_names.get(item[0], "")):
        name = channel_names.get(channel_id, "")
        anomalies.append(Anomaly("note", f"{name}: {note}", channel=name))
    return DailyData(campaign, day, today, cumulative, goals, elapsed, notes, anomalies)


STATUS_LABELS = {
    "met": lambda: _("Met"),
    "on_track": lambda: _("On track"),
    "behind": lambda: _("Behind schedule"),
    "missed": lambda: _("Below target"),
    "no_data": lambda: _("No data"),
}


def _metric_columns(definitions) -> list[Column]:
    by_key = {d.key: d for d in definitions}
    columns = []
    for key in DAY_KEYS:
        definition = by_key.get(key)
        unit = definition.unit if definition else (calc.COUNT if key in calc.COUNT_MEASURES else calc.RATIO)
        columns.append(Column(key, definition.name if definition else key, kind_of(key, unit)))
    return columns


def document(data: DailyData) -> Document:
    campaign, day = data.campaign, data.day
    metric_columns = _metric_columns(data.today.definitions)
    channel = Column("channel", _("Channel"))
    total = _("Total")

    day_rows = [[c.name, *_channel_values(c), data.notes.get(c.channel_id, "")] for c in data.today.channels]
    day_rows.append([total, *_channel_values(data.today.totals), ""])
    cumulative_rows = [[c.name, *_channel_values(c)] for c in data.cumulative.channels]
    cumulative_rows.append([total, *_channel_values(data.cumulative.totals)])
    goal_rows = [
        [
            line.name,
            registry.display(line.target, kind_of(line.metric, line.unit)),
            registry.display(line.actual, kind_of(line.metric, line.unit)),
            line.completion,
            data.elapsed,
            STATUS_LABELS[line.status](),
        ]
        for line in data.goals
    ]
    days_total = (
        (campaign.end_date - campaign.start_date).days + 1
        if campaign.start_date and campaign.end_date
        else None
    )
    day_number = (day - campaign.start_date).days + 1 if campaign.start_date else None
    meta = [
        (_("Campaign"), f"{campaign.number or ''} {campaign.name}".strip()),
        (_("Date"), day),
        (_("Campaign dates"), f"{campaign.start_date or '…'} – {campaign.end_date or '…'}"),
    ]
    if day_number and days_total:
        meta.append(
            (
                _("Campaign day"),
                _("%(day)s of %(days)s (%(share)s of the time elapsed)")
                % {"day": day_number, "days": days_total, "share": registry.display(data.elapsed, PERCENT)},
            )
        )
    meta.append((_("Generated"), timezone.localtime().strftime("%Y-%m-%d %H:%M")))
    return Document(
        kind="daily",
        title=f"{_('Daily data report')} · {campaign.name} · {day.isoformat()}",
        filename=f"{stem(campaign)}-daily-{day.isoformat()}",
        meta=meta,
        sections=[
            Section(
                _("Channels on %(day)s") % {"day": day.isoformat()},
                [Table([channel, *metric_columns, Column("note", _("Anomaly note"))], day_rows)],
            ),
            Section(
                _("Cumulative to %(day)s") % {"day": day.isoformat()},
                [Table([channel, *metric_columns], cumulative_rows)],
            ),
            Section(
                _("Target completion"),
                [
                    Table(
                        [
                            Column("goal", _("Goal")),
                            Column("target", _("Target")),
                            Column("actual", _("Actual to date")),
                            Column("completion", _("Completion"), PERCENT),
                            Column("elapsed", _("Time elapsed"), PERCENT),
                            Column("status", _("Status"), TEXT),
                        ],
                        goal_rows,
                    )
                ],
            ),
        ],
        notes=[anomaly.message for anomaly in data.anomalies],
        notes_title=_("Anomalies"),
    )


def anomalies_data(data: DailyData) -> list[dict]:
    return [asdict(anomaly) for anomaly in data.anomalies]


def build(*, campaign: Campaign, request: registry.Request) -> Document:
    day = check_day(campaign, request.date) if request.date else default_day(campaign)
    return document(daily_data(campaign=campaign, day=day))
