"""Checking and converting rows of daily data: every rule an import, the API and the grid share.

`RowChecker.check` is the definition: it parses one row's cells (text from a CSV, typed values
from XLSX or JSON), converts rates to counts, applies every rule and returns the values to write,
or records each problem as (row, column, message) and returns None.

`RowChecker.run` streams a whole file. For a CSV row whose cells are already in canonical form
(plain digits, a known date and channel) it takes a shortcut that produces exactly what `check`
would and falls back to `check` for anything else, so a million-row export is validated at
several hundred thousand rows a second without a second set of rules.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from operator import itemgetter

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..calc import AMOUNT_MEASURES, COUNT_MEASURES
from .headers import RATES, TOTAL_INDEX, Plan, normalize
from .sources import FormulaValue

MAX_COUNT = 10**15  # beyond any real day of any channel; keeps values inside a bigint
MAX_AMOUNT = Decimal("100000000000000")  # 10^14 fits DecimalField(max_digits=16, decimal_places=2)
NOTE_MAX = 500
MAX_LISTED_ERRORS = 1000  # a file that is wrong everywhere is reported with its first 1000 errors
BLANKS = frozenset({"", "-", "--", "—", "–", "/", "n/a", "na", "null", "none", "nan", "#n/a"})
CENT = Decimal("0.01")
UNITS = {"万": 10_000, "w": 10_000, "亿": 100_000_000}
_NUMBER_JUNK = str.maketrans("", "", ",，_ \u00a0\u2009\u202f'¥￥$元")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DIGITS = re.compile(r"\d{1,15}")
_AMOUNT = re.compile(r"\d{1,14}(?:\.\d{1,2})?")
EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass
class Issue:
    """One problem with an import: the file's line (None for the whole file), its column, why."""

    row: int | None
    column: str | None
    message: str

    @property
    def field(self) -> str:  # read by the web error partial, like core.errors.FieldError
        return self.column or ""

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": str(self.message)}


@dataclass
class Issues:
    """Problems found so far; the first MAX_LISTED_ERRORS are kept, the rest only counted."""

    limit: int = MAX_LISTED_ERRORS
    items: list[Issue] = field(default_factory=list)
    count: int = 0

    def add(self, row: int | None, column: str | None, message) -> None:
        self.count += 1
        if len(self.items) < self.limit:
            self.items.append(Issue(row, column or None, str(message)))

    def __bool__(self) -> bool:
        return self.count > 0

    def listed(self) -> list[Issue]:
        if self.count <= len(self.items):
            return list(self.items)
        hidden = self.count - len(self.items)
        message = ngettext(
            "… and %(count)d more problem not listed.", "… and %(count)d more problems not listed.", hidden
        )
        return [*self.items, Issue(None, None, message % {"count": hidden})]


class _Invalid(Exception):
    """A cell's value is unusable; the message says why."""


def _blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str) and not isinstance(value, FormulaValue):
        return value.strip().casefold() in BLANKS
    return False


def _refuse_formula(value) -> None:
    if isinstance(value, FormulaValue):
        raise _Invalid(
            _("The cell holds a formula (%(formula)s); paste the values instead.")
            % {"formula": str(value)[:60]}
        )


def _number(value) -> Decimal:
    """A cell as a Decimal: thousands separators, currency signs and 万/亿 are understood."""
    _refuse_formula(value)
    if isinstance(value, bool):
        raise _Invalid(_("Not a number: “%(value)s”.") % {"value": value})
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _Invalid(_("Not a number: “%(value)s”.") % {"value": value})
        return Decimal(repr(value))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    cleaned = text.translate(_NUMBER_JUNK)
    multiplier = 1
    if cleaned[-1:].casefold() in UNITS:
        multiplier = UNITS[cleaned[-1:].casefold()]
        cleaned = cleaned[:-1]
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise _Invalid(_("Not a number: “%(value)s”.") % {"value": text[:40]})
    if not number.is_finite():
        raise _Invalid(_("Not a number: “%(value)s”.") % {"value": text[:40]})
    return number * multiplier


def parse_count(value) -> int | None:
    if _blank(value):
        return None
    number = _number(value)
    if number < 0:
        raise _Invalid(_("Must not be negative (got %(value)s).") % {"value": _plain(number)})
    if number != number.to_integral_value():
        raise _Invalid(_("Must be a whole number (got %(value)s).") % {"value": _plain(number)})
    if number >= MAX_COUNT:
        raise _Invalid(_("%(value)s is too large.") % {"value": _plain(number)})
    return int(number)


def parse_amount(value) -> Decimal | None:
    if _blank(value):
        return None
    number = _number(value)
    if number < 0:
        raise _Invalid(_("Must not be negative (got %(value)s).") % {"value": _plain(number)})
    if number >= MAX_AMOUNT:
        raise _Invalid(_("%(value)s is too large.") % {"value": _plain(number)})
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_rate(value, percent_column: bool = False) -> Decimal | None:
    """“2.1%” and 0.021 are the same rate; in a column headed “(%)”, plain numbers are percents."""
    if _blank(value):
        return None
    _refuse_formula(value)
    text = unicodedata.normalize("NFKC", str(value)).strip() if isinstance(value, str) else None
    if text is not None and text.endswith("%"):
        rate = _number(text[:-1]) / 100
    else:
        rate = _number(value)
        if percent_column:
            rate = rate / 100
    if rate < 0:
        raise _Invalid(_("A rate cannot be negative (got %(value)s).") % {"value": _show_rate(rate)})
    if rate > 1:
        raise _Invalid(_("A rate cannot be above 100%% (got %(value)s).") % {"value": _show_rate(rate)})
    return rate


def parse_date(value) -> dt.date:
    _refuse_formula(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        return EXCEL_EPOCH + dt.timedelta(days=int(value))  # an Excel serial day number
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        pass
    raise _Invalid(_("Not a date: “%(value)s”. Write dates as YYYY-MM-DD.") % {"value": text[:40]})


def parse_note(value) -> str:
    _refuse_formula(value)
    if _blank(value):
        return ""
    text = str(value).strip()
    if len(text) > NOTE_MAX:
        raise _Invalid(_("A note may have at most %(max)d characters.") % {"max": NOTE_MAX})
    return text


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _show_rate(rate: Decimal) -> str:
    return _plain((rate * 100).quantize(Decimal("0.01"))) + "%"


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def channel_key(name) -> str:
    return "".join(unicodedata.normalize("NFKC", str(name)).casefold().split())


class ChannelIndex:
    """The organization's channels by id and by name (case, width and spaces ignored)."""

    def __init__(self, channels: Iterable[tuple[int, str]]):
        self.names: dict[int, str] = {}
        self.by_key: dict[str, int] = {}
        for pk, name in channels:
            self.names[pk] = name
            self.by_key[channel_key(name)] = pk

    def find(self, value, *, by_id: bool = False) -> int | None:
        if by_id:
            try:
                pk = int(value)
            except (TypeError, ValueError):
                return None
            return pk if pk in self.names else None
        return self.by_key.get(channel_key(value))


# The values written for one row: channel id, ISO date, then Plan.write_fields, all as text.
Values = tuple[str, ...]


@dataclass
class RowChecker:
    """Every rule a row of daily data must meet, for one campaign and one file's columns."""

    plan: Plan
    channels: ChannelIndex
    start: dt.date
    end: dt.date
    issues: Issues
    default_channel: int | None = None
    warnings: Issues = field(default_factory=lambda: Issues(limit=200))
    rows: int = 0  # rows that passed

    def __post_init__(self) -> None:
        self.days = (self.end - self.start).days + 1
        self.write_fields = self.plan.write_fields
        self._seen: dict[int, array] = {}  # channel id -> file line per campaign day (0: not yet)
        self._dates: dict = {}  # raw cell -> (iso, day index) for valid in-range dates
        self._channels: dict = {}  # raw cell -> (id text, id) for known channels

    # --- one row, every rule ------------------------------------------------------------------------

    def check(self, line: int, cells) -> Values | None:
        """The values to write for this row, or None after recording each of its problems."""
        plan, issues = self.plan, self.issues
        before = issues.count
        positions, label = plan.positions, plan.label

        def cell(name):
            index = positions.get(name)
            return cells[index] if index is not None and index < len(cells) else None

        def parse(name, parser, *args):
            try:
                return parser(cell(name), *args)
            except _Invalid as exc:
                issues.add(line, label(name), exc)
                return None

        if len(cells) > plan.width and any(not _blank(value) for value in cells[plan.width :]):
            issues.add(line, None, _("The row has more values than the header has columns."))

        day = self._date(line, cell("date"))
        channel = self._channel(line, cell("channel") if plan.has("channel") else None)
        counts = {name: parse(name, parse_count) for name in COUNT_MEASURES if name in positions}
        amounts = {name: parse(name, parse_amount) for name in AMOUNT_MEASURES if name in positions}
        rates = {name: parse(name, parse_rate, name in plan.percent) for name in RATES if name in positions}
        note = parse("note", parse_note) if "note" in positions else ""
        self._counts_from_rates(line, counts, rates)
        for count, base in (("clicks", "impressions"), ("conversions", "clicks")):
            # A base of 0 means the channel does not measure it (a store has no clicks): only a
            # measured base caps the count, or CTR/CVR would exceed 100 %.
            value, limit = counts.get(count), counts.get(base)
            if value is not None and limit and value > limit:
                issues.add(
                    line,
                    label(count) if count in positions else label(RATES_OF[count]),
                    _("%(count)s (%(value)s) cannot be more than %(base)s (%(limit)s).")
                    % {
                        "count": capfirst(str(MEASURE_LABELS[count])),
                        "value": value,
                        "base": MEASURE_LABELS[base],
                        "limit": limit,
                    },
                )
        if day is not None and channel is not None and issues.count == before:
            self._mark(line, channel, day)
        if issues.count != before:
            return None
        values = [str(channel), day.isoformat()]
        for name in self.write_fields:
            if name == "note":
                values.append(note)
            elif name in AMOUNT_MEASURES:
                amount = amounts.get(name)
                values.append(format(amount, "f") if amount is not None else "0")
            else:
                count = counts.get(name)
                values.append(str(count) if count is not None else "0")
        self.rows += 1
        return tuple(values)

    def _date(self, line: int, value) -> dt.date | None:
        label = self.plan.label("date")
        if _blank(value):
            self.issues.add(line, label, _("The date is missing."))
            return None
        try:
            day = parse_date(value)
        except _Invalid as exc:
            self.issues.add(line, label, exc)
            return None
        if not self.start <= day <= self.end:
            self.issues.add(
                line,
                label,
                _("%(date)s is outside the campaign (%(start)s – %(end)s).")
                % {"date": day.isoformat(), "start": self.start.isoformat(), "end": self.end.isoformat()},
            )
            return None
        return day

    def _channel(self, line: int, value) -> int | None:
        label = self.plan.label("channel")
        if _blank(value):
            if self.default_channel is not None:
                return self.default_channel
            self.issues.add(line, label, _("The channel is missing."))
            return None
        if isinstance(value, FormulaValue):
            self.issues.add(line, label, _("The cell holds a formula; paste the values instead."))
            return None
        pk = self.channels.find(value, by_id=self.plan.channel_by_id)
        if pk is None:
            self.issues.add(
                line,
                label,
                _("Unknown channel “%(channel)s”; add it to the channel list first.")
                % {"channel": str(value)[:100]},
            )
        return pk

    def _counts_from_rates(self, line: int, counts: dict, rates: dict) -> None:
        """clicks = impressions × CTR and conversions = clicks × CVR, when the count is not given."""
        for rate_name in ("ctr", "cvr"):
            rate = rates.get(rate_name)
            count_name, base_name = RATES[rate_name]
            if rate is None or counts.get(count_name) is not None:
                continue
            base = counts.get(base_name)
            if base is None:
                self.warnings.add(
                    line,
                    self.plan.label(rate_name),
                    _("%(rate)s was not used: the row has no %(base)s to apply it to.")
                    % {"rate": self.plan.label(rate_name), "base": MEASURE_LABELS[base_name]},
                )
                continue
            counts[count_name] = _round(base * rate)

    def _mark(self, line: int, channel: int, day: dt.date) -> None:
        """Record (channel, day) as taken by this line; a second line for it is an error."""
        index = (day - self.start).days
        seen = self._seen.get(channel)
        if seen is None:
            seen = self._seen[channel] = array("I", [0]) * self.days
        first = seen[index]
        if first:
            label = self.plan.label("channel") if self.plan.has("channel") else self.plan.label("date")
            self.issues.add(
                line,
                label,
                _("%(channel)s on %(date)s already appears on row %(row)d.")
                % {
                    "channel": self.channels.names.get(channel, channel),
                    "date": day.isoformat(),
                    "row": first,
                },
            )
            return
        seen[index] = line

    # --- a whole file -----------------------------------------------------------------------------

    def run(
        self, rows: Iterator[tuple[int, list]], write: Callable[[Values], None] | None, *, text: bool = False
    ) -> None:
        """Check every row; pass each good row to `write` until the first problem, then only check.

        With `text` (a CSV: every cell a string), rows whose cells are already canonical take the
        shortcut below; it produces what `check` would and hands anything unusual to `check`.
        """
        plan, issues = self.plan, self.issues
        shortcut = self._shortcut() if text else None
        fast = 0
        for line, cells in rows:
            values = shortcut(line, cells) if shortcut is not None else None
            if values is not None:
                fast += 1
            else:
                if _is_total_row(cells, plan):
                    continue
                values = self.check(line, cells)
                if values is not None:
                    self._remember(cells, values)
            if values is not None and write is not None and not issues.count:
                write(values)
        self.rows += fast

    def _remember(self, cells, values: Values) -> None:
        """Cache the row's date and channel cells so the shortcut knows them next time."""
        plan = self.plan
        if "date" in plan.positions and isinstance(cells[plan.positions["date"]], str):
            raw = cells[plan.positions["date"]]
            day = dt.date.fromisoformat(values[1])
            self._dates.setdefault(raw, (values[1], (day - self.start).days))
        if plan.has("channel") and isinstance(cells[plan.positions["channel"]], str):
            raw = cells[plan.positions["channel"]]
            if not _blank(raw):
                self._channels.setdefault(raw, (values[0], int(values[0])))

    def _shortcut(self) -> Callable[[int, list], Values | None] | None:
        """A fast path for CSV rows of plain counts and amounts, or None when the file has rates."""
        plan = self.plan
        if not plan.has("date") or not plan.has("channel") or plan.channel_by_id:
            return None
        if any(rate in plan.positions for rate in RATES):
            return None
        fields = self.write_fields
        count_names = [name for name in fields if name in COUNT_MEASURES]
        amount_names = [name for name in fields if name in AMOUNT_MEASURES]
        if not count_names and not amount_names:
            return None
        positions = plan.positions
        width = plan.width
        date_at, channel_at = positions["date"], positions["channel"]
        note_at = positions.get("note")
        measures_of = _getter([positions[name] for name in (*count_names, *amount_names)])
        # All measures of a row checked by one regular expression over their tab-joined text.
        measures_ok = re.compile(
            "\t".join([_DIGITS.pattern] * len(count_names) + [_AMOUNT.pattern] * len(amount_names))
        ).fullmatch
        pairs = [
            (count_names.index(count), count_names.index(base))
            for count, base in (("clicks", "impressions"), ("conversions", "clicks"))
            if count in count_names and base in count_names
        ]
        dates, channels, seen = self._dates, self._channels, self._seen
        days, start, end = self.days, self.start, self.end
        blank_notes = BLANKS
        fromisoformat = dt.date.fromisoformat

        def known_date(raw: str):
            """A plain ISO date inside the campaign, remembered; None sends the row to `check`."""
            if len(raw) != 10:
                return None
            try:
                day = fromisoformat(raw)
            except ValueError:
                return None
            if not start <= day <= end:
                return None
            entry = dates[raw] = (day.isoformat(), (day - start).days)
            return entry

        def shortcut(line: int, cells: list) -> Values | None:
            if len(cells) != width:
                return None
            raw_date = cells[date_at]
            day = dates.get(raw_date) or known_date(raw_date)
            channel = channels.get(cells[channel_at])
            if day is None or channel is None:
                return None
            measures = measures_of(cells)
            if not measures_ok("\t".join(measures)):
                return None
            for count, base in pairs:
                limit = int(measures[base])
                if limit and int(measures[count]) > limit:
                    return None
            taken = seen.get(channel[1])
            if taken is None:
                taken = seen[channel[1]] = array("I", [0]) * days
            index = day[1]
            if taken[index]:
                return None
            if note_at is None:
                taken[index] = line
                return (channel[0], day[0], *measures)
            note = cells[note_at]
            if note:
                if len(note) > NOTE_MAX or note != note.strip():
                    return None
                if note.casefold() in blank_notes:
                    note = ""
            taken[index] = line
            return (channel[0], day[0], *measures, note)

        return shortcut

    def overlap(self, stored: dict[int, bytearray]) -> int:
        """How many accepted rows hit a (channel, day) in `stored` (what a dry run would update)."""
        hits = 0
        for channel, seen in self._seen.items():
            existing = stored.get(channel)
            if existing is not None:
                hits += sum(1 for index, line in enumerate(seen) if line and existing[index])
        return hits

    def dates_and_channels(self) -> tuple[dt.date | None, dt.date | None, list[int]]:
        """The first and last day and the channels that rows were accepted for."""
        first = last = None
        for seen in self._seen.values():
            used = [index for index, line in enumerate(seen) if line]
            if used:
                low, high = self.start + dt.timedelta(days=used[0]), self.start + dt.timedelta(days=used[-1])
                first = low if first is None or low < first else first
                last = high if last is None or high > last else last
        return first, last, sorted(self._seen)


def _getter(indexes: list[int]) -> Callable[[list], tuple]:
    if not indexes:
        return lambda cells: ()
    if len(indexes) == 1:
        index = indexes[0]
        return lambda cells: (cells[index],)
    return itemgetter(*indexes)


def _is_total_row(cells, plan: Plan) -> bool:
    """A “合计/Total” line at the end of an export: not a day, skipped."""
    index = plan.positions.get("date")
    if index is None or index >= len(cells) or not isinstance(cells[index], str):
        return False
    return normalize(cells[index]) in TOTAL_INDEX


RATES_OF = {count: rate for rate, (count, _base) in RATES.items()}

# Measure names for messages, translated when the message is made.
MEASURE_LABELS = {
    "impressions": gettext_lazy("impressions"),
    "clicks": gettext_lazy("clicks"),
    "conversions": gettext_lazy("conversions"),
}
