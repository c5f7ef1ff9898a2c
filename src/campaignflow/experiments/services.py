"""Writes to A/B tests: design, lifecycle, observations. The API, the web UI and the demo call these.

Every service checks permissions.py, runs in one transaction, locks the experiment row where the
state matters (two people pressing "stop" and "decide" at once queue instead of racing) and
records an audit event on the campaign's history.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaignflow.audit.services import audit_record, snapshot
from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from campaignflow.links.models import TrackedLink
from campaignflow.metrics.models import Channel

from . import permissions
from .choices import LOCKED_CAMPAIGN_STATUSES, DataSource, ExperimentStatus, PrimaryMetric
from .models import Experiment, Variant

MAX_VARIANTS = 6
NAME_MAX = Experiment._meta.get_field("name").max_length
VARIANT_NAME_MAX = Variant._meta.get_field("name").max_length
MAX_COUNT = 10**15
DESIGN_FIELDS = (
    "metric",
    "data_source",
    "mde",
    "alpha",
    "power",
    "sequential",
    "baseline_rate",
    "baseline_mean",
    "baseline_sd",
    "variants",
)
ALWAYS_EDITABLE = ("name", "hypothesis", "daily_visitors")
# Campaign states in which a test can send traffic somewhere.
STARTABLE_CAMPAIGN_STATUSES = ("preparing", "live", "optimizing")


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    verb: str


TRANSITIONS: dict[str, Transition] = {
    "start": Transition((ExperimentStatus.DRAFT,), ExperimentStatus.RUNNING, "experiment.started"),
    "stop": Transition((ExperimentStatus.RUNNING,), ExperimentStatus.STOPPED, "experiment.stopped"),
    "decide": Transition(
        (ExperimentStatus.RUNNING, ExperimentStatus.STOPPED), ExperimentStatus.DECIDED, "experiment.decided"
    ),
}


# --- checks -----------------------------------------------------------------------------------------


def _check_writer(campaign: Campaign, actor) -> None:
    """404 for a campaign the actor may not see, 403 for one they may not write, 409 when it is over."""
    if not permissions.can_view(actor, campaign):
        raise NotFound(_("Campaign not found."))
    if not permissions.can_write(actor, campaign):
        raise Forbidden(
            _("Only the campaign's owner, project managers and data analysts may change its A/B tests.")
        )
    if campaign.status in LOCKED_CAMPAIGN_STATUSES:
        raise Conflict(
            _("The campaign is %(status)s; its A/B tests can no longer change.")
            % {"status": campaign.get_status_display()}
        )


def _locked(experiment: Experiment) -> Experiment:
    # Lock the row: a concurrent transition or observation waits and then sees the new state.
    return Experiment.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=experiment.pk)


def _number(
    value, field: str, errors: list[FieldError], *, low=None, high=None, low_open=True, high_open=True
):
    """A finite float within (low, high), or None with an error naming the field."""
    try:
        if isinstance(value, bool):
            raise TypeError
        number = float(value)
    except (TypeError, ValueError):
        errors.append(FieldError(field, _("Enter a number.")))
        return None
    if not math.isfinite(number):
        errors.append(FieldError(field, _("Enter a number.")))
        return None
    too_low = low is not None and (number <= low if low_open else number < low)
    too_high = high is not None and (number >= high if high_open else number > high)
    if too_low or too_high:
        if low is not None and high is not None:
            message = _("Enter a value between %(low)s and %(high)s.") % {
                "low": f"{low:g}",
                "high": f"{high:g}",
            }
        elif low is not None:
            message = _("Enter a value greater than %(low)s.") % {"low": f"{low:g}"}
        else:
            message = _("Enter a value less than %(high)s.") % {"high": f"{high:g}"}
        errors.append(FieldError(field, message))
        return None
    return number


def _count(value, field: str, errors: list[FieldError], *, minimum: int = 0) -> int | None:
    """A whole number ≥ minimum; "12", 12 and 12.0 are read, "abc" and 1.5 named as errors."""
    try:
        if isinstance(value, bool):
            raise TypeError
        number = Decimal(str(value).strip())
        if not number.is_finite() or number != number.to_integral_value():
            raise ValueError
        count = int(number)
    except (TypeError, ValueError, InvalidOperation):
        errors.append(FieldError(field, _("Enter a whole number.")))
        return None
    if count < minimum or count > MAX_COUNT:
        errors.append(FieldError(field, _("Enter a whole number of at least %(min)d.") % {"min": minimum}))
        return None
    return count


def _amount(value, field: str, errors: list[FieldError]) -> Decimal | None:
    try:
        amount = Decimal(str(value).strip())
        if not amount.is_finite():
            raise ValueError
    except (TypeError, ValueError, InvalidOperation):
        errors.append(FieldError(field, _("Enter an amount.")))
        return None
    if amount < 0 or amount >= Decimal(10) ** 20:
        errors.append(FieldError(field, _("Enter an amount of at least 0.")))
        return None
    return amount.quantize(Decimal("0.0001"))


def _clean_design(
    data: Mapping, *, campaign: Campaign, current: Experiment | None
) -> tuple[dict, list[dict] | None]:
    """Check the design fields present in `data`; returns (model fields, variants or None)."""
    errors: list[FieldError] = []
    fields: dict = {}
    if "name" in data or current is None:
        name = (data.get("name") or "").strip()
        if not name:
            errors.append(FieldError("name", _("This field is required.")))
        elif len(name) > NAME_MAX:
            errors.append(
                FieldError("name", _("Ensure this value has at most %(max)d characters.") % {"max": NAME_MAX})
            )
        fields["name"] = name
    if "hypothesis" in data:
        fields["hypothesis"] = (data.get("hypothesis") or "").strip()
    for key, choices in (("metric", PrimaryMetric), ("data_source", DataSource)):
        if key in data:
            value = data[key]
            if value not in choices.values:
                errors.append(
                    FieldError(key, _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)})
                )
            fields[key] = value
    if "mde" in data:
        fields["mde"] = _number(data["mde"], "mde", errors, low=0, high=10)
    if "alpha" in data:
        fields["alpha"] = _number(data["alpha"], "alpha", errors, low=0, high=0.5, high_open=False)
    if "power" in data:
        fields["power"] = _number(data["power"], "power", errors, low=0.5, high=1, low_open=False)
    if "sequential" in data:
        fields["sequential"] = bool(data["sequential"])
    for key, high in (("baseline_rate", 1), ("baseline_mean", None), ("baseline_sd", None)):
        if key in data:
            value = data[key]
            fields[key] = None if value in (None, "") else _number(value, key, errors, low=0, high=high)
    if "daily_visitors" in data:
        value = data["daily_visitors"]
        fields["daily_visitors"] = (
            None if value in (None, "") else _count(value, "daily_visitors", errors, minimum=1)
        )

    metric = fields.get("metric", current.metric if current else PrimaryMetric.CONVERSION_RATE)
    source = fields.get("data_source", current.data_source if current else DataSource.MANUAL)
    if metric == PrimaryMetric.REVENUE_PER_VISITOR and source == DataSource.DAILY_METRICS:
        errors.append(
            FieldError(
                "data_source",
                _(
                    "Daily data has no per-visitor revenue, so revenue per visitor cannot be tested from it; "
                    "enter the counts instead."
                ),
            )
        )
    rate = fields.get("baseline_rate", current.baseline_rate if current else None)
    mde = fields.get("mde", current.mde if current else 0.1)
    if rate and mde and metric == PrimaryMetric.CONVERSION_RATE and rate * (1 + mde) >= 1:
        errors.append(
            FieldError("mde", _("With this baseline rate the effect would push the rate above 100 %."))
        )

    variants = None
    if "variants" in data or current is None:
        variants = _clean_variants(data.get("variants") or [], source, campaign, errors)
    elif source == DataSource.TRACKED_LINK and current.data_source != source:
        # Switching a draft to tracked links: its variants must already have their links.
        _clean_variants(
            [
                {"name": v.name, "is_control": v.is_control, "weight": v.weight, "link": v.link_id}
                for v in current.variants.all()
            ],
            source,
            campaign,
            errors,
        )
    if errors:
        raise ValidationFailed(errors[0].message, errors)
    return fields, variants


def _clean_variants(raw: Sequence, source: str, campaign: Campaign, errors: list[FieldError]) -> list[dict]:
    if len(raw) < 2:
        errors.append(
            FieldError("variants", _("An A/B test needs a control and at least one other variant."))
        )
        return []
    if len(raw) > MAX_VARIANTS:
        errors.append(
            FieldError(
                "variants", _("An A/B test may have at most %(max)d variants.") % {"max": MAX_VARIANTS}
            )
        )
        return []
    variants, names = [], set()
    links_seen: set[int] = set()
    for index, item in enumerate(raw):
        item = dict(item)
        prefix = f"variants.{index}"
        name = (item.get("name") or "").strip()
        if not name:
            errors.append(FieldError(f"{prefix}.name", _("This field is required.")))
        elif len(name) > VARIANT_NAME_MAX:
            errors.append(
                FieldError(
                    f"{prefix}.name",
                    _("Ensure this value has at most %(max)d characters.") % {"max": VARIANT_NAME_MAX},
                )
            )
        elif name.lower() in names:
            errors.append(FieldError(f"{prefix}.name", _("Two variants have the same name.")))
        names.add(name.lower())
        weight = _number(
            item.get("weight", 1) if item.get("weight") is not None else 1,
            f"{prefix}.weight",
            errors,
            low=0,
            high=1000,
        )
        channel = item.get("channel")
        if isinstance(channel, Channel):
            channel = channel.pk
        if channel not in (None, ""):
            channel = Channel.objects.filter(pk=channel).first() if str(channel).isdigit() else None
            if channel is None:
                errors.append(FieldError(f"{prefix}.channel", _("Unknown channel.")))
        elif source == DataSource.DAILY_METRICS and name:
            # "Daily data by variant name": a channel named like the variant feeds it.
            channel = Channel.objects.filter(name__iexact=name).first()
            if channel is None:
                errors.append(
                    FieldError(
                        f"{prefix}.channel", _("Choose the channel whose daily data counts for this variant.")
                    )
                )
        else:
            channel = None
        link = _clean_link(item.get("link"), f"{prefix}.link", source, campaign, links_seen, errors)
        variants.append(
            {
                "name": name,
                "is_control": bool(item.get("is_control")),
                "weight": weight,
                "channel": channel,
                "link": link,
            }
        )
    controls = [v for v in variants if v["is_control"]]
    if not controls:
        variants[0]["is_control"] = True  # the first variant is the control unless one is marked
    elif len(controls) > 1:
        errors.append(FieldError("variants", _("Mark exactly one variant as the control.")))
    return variants


def _clean_link(
    value, field: str, source: str, campaign: Campaign, seen: set[int], errors: list[FieldError]
) -> TrackedLink | None:
    """The variant's tracked link: one of the campaign's, required and distinct with that source."""
    if isinstance(value, TrackedLink):
        value = value.pk
    if value in (None, ""):
        if source == DataSource.TRACKED_LINK:
            errors.append(
                FieldError(field, _("Choose the tracked link whose visitors count for this variant."))
            )
        return None
    link = TrackedLink.objects.filter(pk=value).first() if str(value).isdigit() else None
    if link is None:
        errors.append(FieldError(field, _("Unknown link.")))
        return None
    if link.campaign_id != campaign.pk:
        errors.append(FieldError(field, _("Choose a tracked link of this campaign.")))
        return None
    if source == DataSource.TRACKED_LINK:
        if link.pk in seen:
            errors.append(FieldError(field, _("Each variant needs its own tracked link.")))
            return None
        seen.add(link.pk)
    return link


def _write_variants(experiment: Experiment, variants: list[dict]) -> None:
    experiment.variants.all().delete()
    Variant.objects.bulk_create(
        Variant(experiment=experiment, position=index, **variant) for index, variant in enumerate(variants)
    )


def _state(experiment: Experiment) -> dict:
    data = snapshot(
        experiment, fields=["name", "hypothesis", "status", *DESIGN_FIELDS[:-1], "daily_visitors"]
    )
    data["variants"] = [
        {
            "name": v.name,
            "is_control": v.is_control,
            "weight": v.weight,
            "channel": v.channel_id,
            "link": v.link_id,
        }
        for v in experiment.variants.all()
    ]
    return data


# --- design ----------------------------------------------------------------------------------------


@transaction.atomic
def experiment_create(*, campaign: Campaign, actor, data: Mapping) -> Experiment:
    """Design a new A/B test for the campaign (a draft): at least a control and one variant."""
    _check_writer(campaign, actor)
    fields, variants = _clean_design(data, campaign=campaign, current=None)
    experiment = Experiment.objects.create(campaign=campaign, created_by=actor, **fields)
    _write_variants(experiment, variants or [])
    audit_record(
        actor=actor, verb="experiment.created", obj=experiment, campaign=campaign, after=_state(experiment)
    )
    return experiment


@transaction.atomic
def experiment_update(*, experiment: Experiment, actor, data: Mapping) -> Experiment:
    """Change a test. The design (metric, variants, MDE, …) only while it is a draft."""
    _check_writer(experiment.campaign, actor)
    experiment = _locked(experiment)
    if experiment.status == ExperimentStatus.DECIDED:
        raise Conflict(_("The test has been decided and can no longer change."))
    frozen = [key for key in data if key in DESIGN_FIELDS]
    if frozen and experiment.status != ExperimentStatus.DRAFT:
        raise Conflict(
            _("The design cannot change once the test has started (%(fields)s); start a new test instead.")
            % {"fields": ", ".join(frozen)},
            errors=[FieldError(key, _("Only a draft test's design can change.")) for key in frozen],
        )
    before = _state(experiment)
    fields, variants = _clean_design(data, campaign=experiment.campaign, current=experiment)
    for key, value in fields.items():
        setattr(experiment, key, value)
    experiment.save()
    if variants is not None:
        _write_variants(experiment, variants)
    after = _state(experiment)
    if after != before:
        audit_record(
            actor=actor,
            verb="experiment.updated",
            obj=experiment,
            campaign=experiment.campaign,
            before=before,
            after=after,
        )
    return experiment


@transaction.atomic
def experiment_delete(*, experiment: Experiment, actor) -> None:
    """Delete a draft; a test that ran keeps its record (stop and decide it instead)."""
    _check_writer(experiment.campaign, actor)
    experiment = _locked(experiment)
    if experiment.status != ExperimentStatus.DRAFT:
        raise Conflict(_("Only a draft test can be deleted; a test that ran is stopped and decided instead."))
    audit_record(
        actor=actor,
        verb="experiment.deleted",
        obj=experiment,
        campaign=experiment.campaign,
        before=_state(experiment),
    )
    experiment.delete()


# --- lifecycle -------------------------------------------------------------------------------------


@transaction.atomic
def experiment_transition(
    *, experiment: Experiment, actor, action: str, winner: int | Variant | None = None, comment: str = ""
) -> Experiment:
    """Start, stop or decide the test. `decide` names the shipped variant (None keeps the control)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise NotFound(_("Unknown action."))
    _check_writer(experiment.campaign, actor)
    experiment = _locked(experiment)
    if experiment.status not in transition.sources:
        raise Conflict(
            _("A test that is %(status)s cannot be %(action)s.")
            % {"status": experiment.get_status_display(), "action": _ACTION_WORDS().get(action, action)},
            code="invalid_transition",
        )
    now = timezone.now()
    if action == "start":
        if experiment.campaign.status not in STARTABLE_CAMPAIGN_STATUSES:
            raise Conflict(
                _("A test starts once the campaign is being prepared or is live; it is %(status)s.")
                % {"status": experiment.campaign.get_status_display()}
            )
        if experiment.variants.count() < 2:
            raise Conflict(_("An A/B test needs a control and at least one other variant."))
        if (
            experiment.data_source == DataSource.TRACKED_LINK
            and experiment.variants.filter(link__isnull=True).exists()
        ):
            # A link removed after the design leaves its variant without data.
            raise Conflict(_("Every variant needs its tracked link before the test starts."))
        experiment.started_at = now
    elif action == "stop":
        experiment.stopped_at = now
    else:
        variants = {v.pk: v for v in experiment.variants.all()}
        if isinstance(winner, Variant):
            winner = winner.pk
        if winner in (None, ""):
            chosen = next(v for v in variants.values() if v.is_control)
        else:
            chosen = variants.get(int(winner)) if str(winner).isdigit() else None
            if chosen is None:
                raise ValidationFailed(
                    _("Choose one of this test's variants."),
                    [FieldError("winner", _("Choose one of this test's variants."))],
                )
        experiment.winner = chosen
        experiment.decided_at = now
        experiment.stopped_at = experiment.stopped_at or now
        experiment.decision_note = (comment or "").strip()
    before = experiment.status
    experiment.status = transition.target
    experiment.save()
    audit_record(
        actor=actor,
        verb=transition.verb,
        obj=experiment,
        campaign=experiment.campaign,
        before={"status": before},
        after={"status": experiment.status, "winner": experiment.winner.name if experiment.winner else None},
        comment=comment,
    )
    return experiment


def _ACTION_WORDS() -> dict[str, str]:
    return {"start": _("started"), "stop": _("stopped"), "decide": _("decided")}


# --- observations ----------------------------------------------------------------------------------


@transaction.atomic
def observations_record(*, experiment: Experiment, actor, rows: Sequence[Mapping]) -> Experiment:
    """Replace every variant's counts: visitors, conversions, revenue and its sum of squares.

    One row per variant, named by id or name. Counts arrive while the test runs or after it stops;
    with the daily-data source they come from the channels instead and cannot be entered.
    """
    _check_writer(experiment.campaign, actor)
    experiment = _locked(experiment)
    if experiment.status not in (ExperimentStatus.RUNNING, ExperimentStatus.STOPPED):
        raise Conflict(
            _("Results are recorded while the test runs or after it stopped, not when it is %(status)s.")
            % {"status": experiment.get_status_display()}
        )
    if experiment.data_source == DataSource.DAILY_METRICS:
        raise Conflict(_("This test reads its counts from the channels' daily data; record the data there."))
    if experiment.data_source == DataSource.TRACKED_LINK:
        raise Conflict(
            _("This test counts the clicks and conversions of its tracked links; nothing to enter.")
        )
    variants = list(experiment.variants.all())
    by_id = {v.pk: v for v in variants}
    by_name = {v.name.lower(): v for v in variants}
    revenue_metric = experiment.metric == PrimaryMetric.REVENUE_PER_VISITOR
    errors: list[FieldError] = []
    seen: dict[int, dict] = {}
    for index, row in enumerate(rows):
        prefix = f"observations.{index}"
        key = row.get("variant")
        variant = by_id.get(key) if isinstance(key, int) else None
        if variant is None and key is not None:
            variant = by_id.get(int(key)) if str(key).isdigit() else by_name.get(str(key).strip().lower())
        if variant is None:
            errors.append(FieldError(f"{prefix}.variant", _("Name one of this test's variants.")))
            continue
        if variant.pk in seen:
            errors.append(FieldError(f"{prefix}.variant", _("This variant appears twice.")))
            continue
        visitors = _count(row.get("visitors"), f"{prefix}.visitors", errors, minimum=1)
        conversions = _count(row.get("conversions", 0) or 0, f"{prefix}.conversions", errors)
        if visitors is not None and conversions is not None and conversions > visitors:
            errors.append(FieldError(f"{prefix}.conversions", _("Conversions cannot exceed visitors.")))
        revenue = _amount(row.get("revenue") or 0, f"{prefix}.revenue", errors)
        squares_raw = row.get("revenue_sum_squares")
        squares = None
        if squares_raw in (None, ""):
            if revenue_metric:
                errors.append(
                    FieldError(
                        f"{prefix}.revenue_sum_squares",
                        _("Revenue per visitor needs the sum of each visitor's revenue squared."),
                    )
                )
        else:
            squares = _amount(squares_raw, f"{prefix}.revenue_sum_squares", errors)
        if (
            visitors
            and revenue is not None
            and squares is not None
            and squares * visitors < revenue * revenue * Decimal("0.999999")
        ):
            # Σx² ≥ (Σx)² / n for any numbers (Cauchy–Schwarz): a smaller value is a typing error.
            errors.append(
                FieldError(
                    f"{prefix}.revenue_sum_squares",
                    _("The sum of squares cannot be less than revenue² / visitors."),
                )
            )
        seen[variant.pk] = {
            "visitors": visitors,
            "conversions": conversions,
            "revenue": revenue,
            "revenue_sum_squares": squares if squares is not None else Decimal(0),
        }
    missing = [
        v.name
        for v in variants
        if v.pk not in seen
        and not any(e.field.startswith("observations.") and e.field.endswith(".variant") for e in errors)
    ]
    if missing:
        errors.append(
            FieldError(
                "observations",
                _("Give counts for every variant; missing: %(names)s.") % {"names": ", ".join(missing)},
            )
        )
    if errors:
        raise ValidationFailed(errors[0].message, errors)
    before = {
        v.name: {"visitors": v.visitors, "conversions": v.conversions, "revenue": str(v.revenue)}
        for v in variants
    }
    now = timezone.now()
    for variant in variants:
        for key, value in seen[variant.pk].items():
            setattr(variant, key, value)
        variant.observed_at = now
    Variant.objects.bulk_update(
        variants, ["visitors", "conversions", "revenue", "revenue_sum_squares", "observed_at"]
    )
    after = {
        v.name: {"visitors": v.visitors, "conversions": v.conversions, "revenue": str(v.revenue)}
        for v in variants
    }
    audit_record(
        actor=actor,
        verb="experiment.observed",
        obj=experiment,
        campaign=experiment.campaign,
        before=before,
        after=after,
    )
    return experiment
