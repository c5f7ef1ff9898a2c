"""Writes to metric data: channels, metric definitions and each campaign's daily channel data.

Every way daily data arrives — a file import (API, web, CLI), a list posted to the API, one row
of the grid — is checked by the same `imports.rows.RowChecker` and written under a lock on the
campaign row, so two writers of one campaign queue instead of racing. An import is all or
nothing: any problem anywhere and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaignflow.audit.services import audit_record, snapshot
from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import (
    ApplicationError,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    ValidationFailed,
    field_error,
)

from . import calc, permissions
from .choices import ChannelKind, MetricUnit
from .imports import headers, sources
from .imports.headers import WRITE_ORDER, Plan, Preset
from .imports.rows import ChannelIndex, Issue, Issues, RowChecker
from .imports.writers import make_writer
from .models import Channel, DailyMetric, MetricDefinition

NAME_MAX = Channel._meta.get_field("name").max_length
HEADER_SEARCH_ROWS = 10  # title lines an export may have above its header

# Called inside the writing transaction after daily data of a campaign changed (import, API
# upsert, grid edit) as hook(campaign=, actor=, result=ImportResult). The alerts app evaluates its
# rules here; anything slow belongs in a job enqueued with transaction.on_commit.
AFTER_IMPORT: list[Callable[..., None]] = []


def register_after_import(hook: Callable[..., None]) -> None:
    if hook not in AFTER_IMPORT:
        AFTER_IMPORT.append(hook)


# --- channels -------------------------------------------------------------------------------------


@transaction.atomic
def channel_create(*, actor, name: str, kind: str = ChannelKind.OTHER, online: bool = True) -> Channel:
    """Add a channel to the organization's list; names are unique regardless of case."""
    if not permissions.can_manage_channels(actor):
        raise Forbidden(_("Only administrators and data analysts may add channels."))
    name = (name or "").strip()
    if not name:
        raise field_error("name", _("This field is required."))
    if len(name) > NAME_MAX:
        raise field_error("name", _("Ensure this value has at most %(max)d characters.") % {"max": NAME_MAX})
    if kind not in ChannelKind.values:
        raise field_error(
            "kind",
            _("Unknown kind “%(kind)s”; choose from %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(ChannelKind.values)},
        )
    duplicate = field_error("name", _("A channel with this name already exists."))
    if Channel.objects.filter(name__iexact=name).exists():
        raise duplicate
    try:
        # A concurrent create of the same name can pass the check above on PostgreSQL; the unique
        # index decides, and the savepoint keeps the outer transaction usable for the 422.
        with transaction.atomic():
            channel = Channel.objects.create(name=name, kind=kind, online=bool(online))
    except IntegrityError:
        raise duplicate
    audit_record(actor=actor, verb="channel.created", obj=channel, after=snapshot(channel))
    return channel


# --- metric definitions -------------------------------------------------------------------------

KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{1,39}")
DEFINITION_NAME_MAX = MetricDefinition._meta.get_field("name_en").max_length


def formula_message(error: calc.FormulaError) -> str:
    """A FormulaError in the user's words."""
    how = _("use base measure names, numbers, + - * / and parentheses")
    params = {"how": how, "names": ", ".join(calc.BASE_MEASURES), "name": "", "part": "", "max": 0}
    params |= error.params
    if error.code == "empty":
        return _("Enter a formula, e.g. clicks / impressions.")
    if error.code == "too_long":
        return _("A formula may have at most %(max)d characters.") % params
    if error.code == "unknown_name":
        return _("“%(name)s” is not a base measure; use one of: %(names)s.") % params
    if error.code == "not_allowed":
        return _("“%(part)s” is not allowed in a formula; %(how)s.") % params
    if error.code == "no_measure":
        return _("A formula must use at least one base measure.")
    return _("The formula cannot be read; %(how)s.") % params


@transaction.atomic
def metric_definition_create(
    *,
    actor,
    key: str,
    formula: str,
    name_en: str,
    name_zh_hans: str = "",
    name_zh_hant: str = "",
    unit: str = MetricUnit.RATIO,
    direction: str = "higher",
) -> MetricDefinition:
    """Define a metric for the whole organization, e.g. lead-to-opportunity rate."""
    if not permissions.can_manage_definitions(actor):
        raise Forbidden(_("Only administrators and data analysts may define metrics."))
    errors: list[FieldError] = []
    key = (key or "").strip()
    if not KEY_PATTERN.fullmatch(key):
        errors.append(
            FieldError(
                "key", _("Use 2–40 lowercase letters, digits and underscores, starting with a letter.")
            )
        )
    elif key in calc.BASE_MEASURES or MetricDefinition.objects.filter(key__iexact=key).exists():
        errors.append(FieldError("key", _("A metric with this key already exists.")))
    try:
        formula = calc.compile_formula(formula).text
    except calc.FormulaError as exc:
        errors.append(FieldError("formula", formula_message(exc)))
    names = {"name_en": name_en, "name_zh_hans": name_zh_hans, "name_zh_hant": name_zh_hant}
    names = {name: (value or "").strip() for name, value in names.items()}
    if not names["name_en"]:
        errors.append(FieldError("name_en", _("This field is required.")))
    for name, value in names.items():
        if len(value) > DEFINITION_NAME_MAX:
            errors.append(
                FieldError(
                    name,
                    _("Ensure this value has at most %(max)d characters.") % {"max": DEFINITION_NAME_MAX},
                )
            )
    if unit not in MetricUnit.values:
        errors.append(
            FieldError("unit", _("Choose one of: %(choices)s.") % {"choices": ", ".join(MetricUnit.values)})
        )
    if direction not in calc.DIRECTIONS:
        errors.append(
            FieldError(
                "direction", _("Choose one of: %(choices)s.") % {"choices": ", ".join(calc.DIRECTIONS)}
            )
        )
    if errors:
        raise ValidationFailed(errors[0].message, errors)
    definition = MetricDefinition.objects.create(
        key=key, formula=formula, unit=unit, direction=direction, **names
    )
    audit_record(actor=actor, verb="metricdefinition.created", obj=definition, after=snapshot(definition))
    return definition


# --- daily data: shared pieces -------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import (or a dry run of it) did or would do."""

    created: int
    updated: int
    rows: int
    dry_run: bool = False
    warnings: list[Issue] = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    channel_ids: list[int] = field(default_factory=list)
    file_format: str = ""
    encoding: str = ""
    preset: str = ""

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "rows": self.rows,
            "dry_run": self.dry_run,
            "errors": [],
            "warnings": [warning.as_dict() for warning in self.warnings],
        }


class ImportFailed(ApplicationError):
    """The input has problems; nothing was written. Errors are {row, column, message}."""

    def __init__(self, issues: Sequence[Issue], *, warnings: Sequence[Issue] = (), message=None, status=422):
        count = len(issues)
        if message is None:
            message = ngettext(
                "The import has %(count)d problem; nothing was imported.",
                "The import has %(count)d problems; nothing was imported.",
                count,
            ) % {"count": count}
        super().__init__(message=message, code="import_invalid", errors=list(issues), status=status)
        self.warnings = list(warnings)

    def as_dict(self) -> dict:
        return {
            "detail": str(self.message),
            "code": self.code,
            "created": 0,
            "updated": 0,
            "errors": [issue.as_dict() for issue in self.errors],
            "warnings": [warning.as_dict() for warning in self.warnings],
        }


class FileTooLarge(ImportFailed):
    def __init__(self, limit: int):
        message = _("The file is too large: imports must be smaller than %(limit)s MB.") % {
            "limit": f"{limit / 1_000_000:g}"
        }
        super().__init__([Issue(None, None, message)], message=message, status=413)
        self.code = "file_too_large"


def max_import_bytes() -> int:
    return int(getattr(settings, "CAMPAIGNFLOW_MAX_IMPORT_BYTES", 200_000_000))


def _check_writer(campaign: Campaign, actor) -> None:
    """404 for a campaign the actor may not see, 403 for one they may not write, 409 for its state."""
    if not permissions.can_view_metrics(actor, campaign):
        raise NotFound(_("Campaign not found."))
    if not permissions.can_write_metrics(actor, campaign):
        raise Forbidden(
            _("Only data analysts, the campaign's owner and project managers may record its daily data.")
        )
    _check_state(campaign)


def _check_state(campaign: Campaign) -> None:
    if campaign.status not in permissions.DATA_STATUSES:
        raise Conflict(
            _("Daily data is recorded from preparation until close-out; this campaign is %(status)s.")
            % {"status": campaign.get_status_display()},
            code="wrong_state",
        )
    if campaign.start_date is None or campaign.end_date is None:
        raise Conflict(
            _("Set the campaign's start and end dates before recording daily data."), code="no_dates"
        )


def _lock(campaign: Campaign) -> Campaign:
    # Every writer of a campaign's daily data takes this row lock first, so an import deciding
    # "nothing stored yet, copy straight in" cannot race another writer of the same campaign.
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _check_state(locked)  # the state may have moved on since the caller read it
    return locked


def _stored_count(campaign: Campaign) -> int:
    return DailyMetric.objects.filter(campaign_id=campaign.pk).count()


def _after_write(campaign: Campaign, actor, result: ImportResult) -> None:
    for hook in AFTER_IMPORT:
        hook(campaign=campaign, actor=actor, result=result)


def _write(
    *, campaign: Campaign, checker: RowChecker, rows, update_fields: Sequence[str], text: bool = False
) -> tuple[int, int]:
    """Stream checked rows into the table; (created, updated). Caller holds the campaign lock."""
    before = _stored_count(campaign)
    writer = make_writer(
        campaign_id=campaign.pk, fields=checker.write_fields, update_fields=update_fields, fresh=before == 0
    )
    try:
        checker.run(rows, writer.write, text=text)
    except sources.SourceError as exc:
        checker.issues.add(exc.row, None, exc.message)
    finally:
        try:
            writer.close(keep=not checker.issues)
        except IntegrityError:
            # Another writer that does not take the campaign lock added a row meanwhile.
            raise Conflict(_("The campaign's daily data changed during the import; please try again."))
    written = checker.rows
    if before == 0:
        return written, 0
    created = _stored_count(campaign) - before
    return created, written - created


def _result(checker: RowChecker, created: int, updated: int, **extra) -> ImportResult:
    first, last, channel_ids = checker.dates_and_channels()
    return ImportResult(
        created=created,
        updated=updated,
        rows=checker.rows,
        warnings=checker.warnings.listed(),
        date_from=first,
        date_to=last,
        channel_ids=channel_ids,
        **extra,
    )


def _channels() -> ChannelIndex:
    return ChannelIndex(Channel.objects.values_list("id", "name"))


# --- daily data: file import ------------------------------------------------------------------------


def _stream_size(stream: BinaryIO) -> int:
    position = stream.tell()
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(position)
    return size


def _read_header(rows, preset: Preset | None, issues: Issues) -> Plan | None:
    """The header is the first row with a date column; title lines above it are skipped."""
    first_line = None
    for searched, (line, cells) in enumerate(rows, start=1):
        first_line = first_line or line
        if headers.looks_like_header(cells, preset):
            return headers.build_plan(cells, line, preset, issues)
        if searched >= HEADER_SEARCH_ROWS:
            break
    if first_line is None:
        issues.add(None, None, _("The file is empty."))
    else:
        issues.add(
            first_line,
            None,
            _("No header row with a date column (日期 or date) in the first %(count)d rows.")
            % {"count": HEADER_SEARCH_ROWS},
        )
    return None


def _default_channel(
    plan: Plan, channels: ChannelIndex, default: Channel | None, preset: Preset | None, issues: Issues
) -> int | None:
    """The channel of rows without one: the one asked for, else the preset's platform channel."""
    if default is not None:
        return default.pk
    if plan.has("channel"):
        return None
    for name in preset.channels if preset else ():
        pk = channels.find(name)
        if pk is not None:
            return pk
    issues.add(
        plan.header_row,
        None,
        _("The file has no channel column (渠道 or channel); choose the channel its rows belong to."),
    )
    return None


def _stored_days(campaign: Campaign, channel_ids: Iterable[int]) -> dict[int, bytearray]:
    """Which (channel, day) rows the campaign already has, as one byte per campaign day."""
    start, days = campaign.start_date, (campaign.end_date - campaign.start_date).days + 1
    stored: dict[int, bytearray] = {}
    rows = DailyMetric.objects.filter(
        campaign_id=campaign.pk,
        channel_id__in=list(channel_ids),
        date__range=(campaign.start_date, campaign.end_date),
    ).values_list("channel_id", "date")
    for channel_id, day in rows.iterator(chunk_size=10000):
        stored.setdefault(channel_id, bytearray(days))[(day - start).days] = 1
    return stored


def daily_metrics_import(
    *,
    campaign: Campaign,
    actor,
    stream: BinaryIO,
    filename: str = "",
    dry_run: bool = False,
    preset: str | None = None,
    default_channel: Channel | int | None = None,
) -> ImportResult:
    """Import a channel export (CSV or XLSX): every row or none, every problem listed.

    Rows are upserted on (campaign, channel, date), updating only the columns the file has. A dry
    run checks the whole file and says what would be created and updated, writing nothing.
    """
    _check_writer(campaign, actor)
    if default_channel is not None and not isinstance(default_channel, Channel):
        default_channel = Channel.objects.filter(pk=default_channel).first()
        if default_channel is None:
            raise field_error("channel", _("Unknown channel."))
    limit = max_import_bytes()
    if _stream_size(stream) >= limit:
        raise FileTooLarge(limit)
    preset_obj = headers.preset_get(preset)
    if preset and preset_obj is None:
        raise field_error(
            "preset",
            _("Unknown preset “%(preset)s”; choose from %(presets)s.")
            % {"preset": preset, "presets": ", ".join(headers.presets())},
        )
    try:
        source = sources.open_source(stream, filename)
    except sources.SourceError as exc:
        raise ImportFailed([Issue(exc.row, None, exc.message)])
    issues = Issues()
    with transaction.atomic():
        campaign = _lock(campaign)
        channels = _channels()
        try:
            plan = _read_header(source.rows, preset_obj, issues)
        except sources.SourceError as exc:
            raise ImportFailed([Issue(exc.row, None, exc.message)])
        if plan is None or issues:
            raise ImportFailed(issues.listed())
        default = _default_channel(plan, channels, default_channel, preset_obj, issues)
        if issues:
            raise ImportFailed(issues.listed())
        checker = RowChecker(
            plan=plan,
            channels=channels,
            start=campaign.start_date,
            end=campaign.end_date,
            issues=issues,
            default_channel=default,
        )
        extra = {"file_format": source.format, "encoding": source.encoding_name, "preset": preset or ""}
        if dry_run:
            try:
                checker.run(source.rows, None, text=source.format == "csv")
            except sources.SourceError as exc:
                issues.add(exc.row, None, exc.message)
            _raise_if_failed(checker)
            channel_ids = checker.dates_and_channels()[2]
            updated = checker.overlap(_stored_days(campaign, channel_ids))
            return _result(checker, checker.rows - updated, updated, dry_run=True, **extra)
        created, updated = _write(
            campaign=campaign,
            checker=checker,
            rows=source.rows,
            update_fields=checker.write_fields,
            text=source.format == "csv",
        )
        _raise_if_failed(checker)
        result = _result(checker, created, updated, **extra)
        audit_record(
            actor=actor,
            verb="metrics.imported",
            obj=campaign,
            campaign=campaign,
            comment=os.path.basename(filename or "")[:200],
            after=_audit_summary(result),
        )
        _after_write(campaign, actor, result)
    return result


def _raise_if_failed(checker: RowChecker) -> None:
    if checker.issues:
        raise ImportFailed(checker.issues.listed(), warnings=checker.warnings.listed())
    if checker.rows == 0:
        raise ImportFailed([Issue(None, None, _("The file has no data rows."))])


def _audit_summary(result: ImportResult) -> dict:
    return {
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "date_from": result.date_from,
        "date_to": result.date_to,
        "channels": result.channel_ids,
        "format": result.file_format,
        "encoding": result.encoding,
        "preset": result.preset,
        "warnings": len(result.warnings),
    }


# --- daily data: rows from the API and the grid -----------------------------------------------------

API_FIELDS = ("date", "channel", *WRITE_ORDER)


def _api_checker(campaign: Campaign, issues: Issues) -> RowChecker:
    return RowChecker(
        plan=Plan.for_fields(API_FIELDS, channel_by_id=True),
        channels=_channels(),
        start=campaign.start_date,
        end=campaign.end_date,
        issues=issues,
    )


def _cells(row: Mapping) -> list:
    channel = row.get("channel")
    if isinstance(channel, Channel):
        channel = channel.pk
    return [row.get("date"), channel, *(row.get(name) for name in WRITE_ORDER)]


def daily_metrics_upsert(*, campaign: Campaign, actor, rows: Sequence[Mapping]) -> ImportResult:
    """Save complete rows (every measure; a missing one is 0), created or replaced per channel and day.

    Errors name the row by its 1-based position in the list and the column by field name.
    """
    _check_writer(campaign, actor)
    if not rows:
        raise ImportFailed([Issue(None, None, _("There are no rows to save."))])
    issues = Issues()
    with transaction.atomic():
        campaign = _lock(campaign)
        checker = _api_checker(campaign, issues)
        numbered = ((index, _cells(row)) for index, row in enumerate(rows, start=1))
        created, updated = _write(
            campaign=campaign, checker=checker, rows=numbered, update_fields=checker.write_fields
        )
        _raise_if_failed(checker)
        result = _result(checker, created, updated)
        audit_record(
            actor=actor,
            verb="metrics.upserted",
            obj=campaign,
            campaign=campaign,
            after=_audit_summary(result),
        )
        _after_write(campaign, actor, result)
    return result


def _single_row(campaign: Campaign, data: Mapping) -> tuple[str, ...]:
    """One row checked by the shared rules; its problems as field errors of a form or payload."""
    issues = Issues()
    checker = _api_checker(campaign, issues)
    values = checker.check(1, _cells(data))
    if values is None:
        errors = [FieldError(issue.column or "__all__", issue.message) for issue in issues.listed()]
        raise ValidationFailed(
            errors[0].message if len(errors) == 1 else _("Please correct the errors below."), errors
        )
    return values


def _apply(metric: DailyMetric, values: tuple[str, ...]) -> None:
    for name, value in zip(WRITE_ORDER, values[2:], strict=True):
        setattr(
            metric, name, value if name == "note" else (DailyMetric._meta.get_field(name).to_python(value))
        )


def daily_metric_save(*, campaign: Campaign, actor, data: Mapping) -> DailyMetric:
    """Create or replace one channel's row for one day (the grid): every measure, a missing one 0."""
    _check_writer(campaign, actor)
    with transaction.atomic():
        campaign = _lock(campaign)
        values = _single_row(campaign, data)
        channel_id, day = int(values[0]), dt.date.fromisoformat(values[1])
        metric = DailyMetric.objects.filter(campaign=campaign, channel_id=channel_id, date=day).first()
        before = snapshot(metric) if metric else None
        if metric is None:
            metric = DailyMetric(campaign=campaign, channel_id=channel_id, date=day)
        _apply(metric, values)
        metric.save()
        verb = "dailymetric.updated" if before else "dailymetric.created"
        audit_record(
            actor=actor, verb=verb, obj=metric, campaign=campaign, before=before, after=snapshot(metric)
        )
        result = ImportResult(
            created=0 if before else 1,
            updated=1 if before else 0,
            rows=1,
            date_from=day,
            date_to=day,
            channel_ids=[channel_id],
        )
        _after_write(campaign, actor, result)
    return metric


def daily_metric_update(*, metric: DailyMetric, actor, data: Mapping) -> DailyMetric:
    """Change some measures of one stored row; its channel and date stay."""
    current = {name: getattr(metric, name) for name in WRITE_ORDER}
    merged = {**current, **{k: v for k, v in data.items() if k in WRITE_ORDER}}
    merged |= {"date": metric.date, "channel": metric.channel_id}
    return daily_metric_save(campaign=metric.campaign, actor=actor, data=merged)


def daily_metric_delete(*, metric: DailyMetric, actor) -> None:
    campaign = metric.campaign
    _check_writer(campaign, actor)
    with transaction.atomic():
        _lock(campaign)
        before = snapshot(metric)
        audit_record(actor=actor, verb="dailymetric.deleted", obj=metric, campaign=campaign, before=before)
        metric.delete()
        result = ImportResult(
            created=0,
            updated=0,
            rows=0,
            date_from=metric.date,
            date_to=metric.date,
            channel_ids=[metric.channel_id],
        )
        _after_write(campaign, actor, result)
