"""Writes of the reports app: generating the daily report and keeping interim reviews.

Each service checks reports.permissions, runs in one transaction, records an audit event and, for
the daily report, writes its digest notification in the same transaction (outbox).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaignflow.audit.services import audit_record, snapshot
from campaignflow.campaigns.choices import CampaignStatus, MemberRole
from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import Conflict, FieldError, Forbidden, ValidationFailed, field_error
from campaignflow.notifications.services import notify_once

from . import daily, interim, permissions, registry
from .choices import ReviewStatus
from .models import DailyReport, InterimReview, InterimReviewItem

DIGEST_EVENT = "report.daily"
DIGEST_LINES = 5
REVIEW_STATUSES = tuple(s for s in permissions.REPORT_STATUSES if s != CampaignStatus.ARCHIVED)  # frozen
TEXT_MAX = 2000
SUMMARY_MAX = 5000
ITEM_FIELDS = ("stage_target", "cause", "adjustment", "expected_effect")


# --- daily report ---------------------------------------------------------------------------------


def _check_writer(actor, campaign: Campaign, message) -> None:
    if not permissions.can_write_reports(actor, campaign):
        raise Forbidden(message)


@transaction.atomic
def daily_report_generate(
    *, campaign: Campaign, actor=None, day: dt.date | None = None, digest: bool = True
) -> DailyReport:
    """Build Table 3 for the day (default: the last day with data) and store it as a snapshot.

    `actor` None is the worker. Generating the same day again replaces the snapshot; the digest to
    the owner and project managers (and the campaign's webhooks) goes out once per campaign and day.
    """
    if actor is not None:
        _check_writer(
            actor,
            campaign,
            _("Only the campaign's owner, project managers and data analysts may generate daily reports."),
        )
    if campaign.status not in permissions.REPORT_STATUSES:
        raise Conflict(
            _("A %(status)s campaign has no daily data to report.")
            % {"status": campaign.get_status_display()}
        )
    day = daily.check_day(campaign, day) if day else daily.default_day(campaign)
    data = daily.daily_data(campaign=campaign, day=day)
    document = registry.document_data(daily.document(data))
    anomalies = daily.anomalies_data(data)
    # Locked so that the worker and a button press for the same day write one row, one after the other.
    report = DailyReport.objects.select_for_update().filter(campaign=campaign, day=day).first()
    created = report is None
    if created:
        report = DailyReport(campaign=campaign, day=day)
    report.generated_at = timezone.now()
    report.generated_by = actor if getattr(actor, "pk", None) else None
    report.data, report.anomalies = document, anomalies
    report.save()
    audit_record(
        actor=actor,
        verb="dailyreport.generated",
        obj=report,
        campaign=campaign,
        after={"day": day, "anomalies": len(anomalies), "replaced": not created},
    )
    if digest:
        _digest(report, campaign, actor)
    return report


def _digest(report: DailyReport, campaign: Campaign, actor) -> None:
    recipients = [campaign.owner] + [
        member.user
        for member in campaign.members.filter(role__in=(MemberRole.OWNER, MemberRole.PROJECT_MANAGER))
        .select_related("user")
        .order_by("pk")
    ]
    lines = [anomaly["message"] for anomaly in report.anomalies[:DIGEST_LINES]]
    if len(report.anomalies) > DIGEST_LINES:
        lines.append("…")
    notify_once(
        key=f"{DIGEST_EVENT}:{campaign.pk}:{report.day.isoformat()}",
        event=DIGEST_EVENT,
        recipients=recipients,
        title=gettext_lazy("Daily data report of %(campaign)s for %(day)s"),
        body=gettext_lazy("Anomalies noted: %(count)s\n%(anomalies)s")
        if lines
        else gettext_lazy("No anomalies."),
        params={
            "campaign": campaign.name,
            "day": report.day.isoformat(),
            "count": len(report.anomalies),
            "anomalies": "\n".join(lines),
        },
        campaign=campaign,
        url=reverse("reports:campaign", args=[campaign.pk]) + f"?day={report.day.isoformat()}",
        actor=actor,
    )


# --- interim review -------------------------------------------------------------------------------


def _check_review_writer(actor, campaign: Campaign) -> None:
    _check_writer(
        actor,
        campaign,
        _("Only the campaign's owner, project managers and data analysts may write interim reviews."),
    )


def _lock_draft(review: InterimReview) -> InterimReview:
    """The review row, locked; a final review is never changed again (409)."""
    locked = InterimReview.objects.select_for_update().get(pk=review.pk)
    if locked.status == ReviewStatus.FINAL:
        raise Conflict(_("This interim review is final and can no longer be changed."), code="review_final")
    status = Campaign.objects.filter(pk=locked.campaign_id).values_list("status", flat=True).get()
    if status not in REVIEW_STATUSES:  # archived or cancelled: its records are frozen
        raise Conflict(
            _("The campaign is %(status)s; its interim reviews can no longer be changed.")
            % {"status": CampaignStatus(status).label},
            code="campaign_closed",
        )
    return locked


def _clean_period(campaign: Campaign, period_from, period_to) -> tuple[dt.date, dt.date]:
    errors = []
    for name, value in (("period_from", period_from), ("period_to", period_to)):
        if not isinstance(value, dt.date):
            errors.append(FieldError(name, _("Enter a valid date.")))
        elif (campaign.start_date and value < campaign.start_date) or (
            campaign.end_date and value > campaign.end_date
        ):
            errors.append(
                FieldError(
                    name,
                    _("The date must be within the campaign (%(start)s – %(end)s).")
                    % {"start": campaign.start_date or "…", "end": campaign.end_date or "…"},
                )
            )
    if not errors and period_from > period_to:
        errors.append(FieldError("period_to", _("The period must not end before it starts.")))
    if errors:
        raise ValidationFailed(errors[0].message, errors)
    return period_from, period_to


def _clean_text(data: Mapping, name: str, limit: int = TEXT_MAX) -> str:
    value = str(data.get(name) or "").strip()
    if len(value) > limit:
        raise field_error(name, _("Ensure this value has at most %(max)d characters.") % {"max": limit})
    return value


def _clean_target(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        target = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise field_error("stage_target", _("Enter a number."))
    if not target.is_finite() or abs(target) >= Decimal("1e14"):
        raise field_error("stage_target", _("Enter a number."))
    return target.quantize(interim.TARGET_PLACES)


@transaction.atomic
def interim_review_create(
    *, campaign: Campaign, actor, period_from: dt.date, period_to: dt.date, summary: str = ""
) -> InterimReview:
    """A draft review of the period, prefilled from the goals and core KPIs with the period's actuals."""
    _check_review_writer(actor, campaign)
    if campaign.status not in REVIEW_STATUSES:
        raise Conflict(
            _("An interim review needs a running campaign; this one is %(status)s.")
            % {"status": campaign.get_status_display()}
        )
    period_from, period_to = _clean_period(campaign, period_from, period_to)
    review = InterimReview.objects.create(
        campaign=campaign,
        period_from=period_from,
        period_to=period_to,
        summary=_clean_text({"summary": summary}, "summary", SUMMARY_MAX),
        created_by=actor,
    )
    InterimReviewItem.objects.bulk_create(
        InterimReviewItem(
            review=review,
            position=position,
            goal=draft.goal,
            metric=draft.metric,
            name=draft.name[:200],
            unit=draft.unit,
            direction=draft.direction,
            stage_target=draft.stage_target,
            actual=draft.actual,
        )
        for position, draft in enumerate(interim.prefill(campaign, period_from, period_to), start=1)
    )
    audit_record(
        actor=actor, verb="interimreview.created", obj=review, campaign=campaign, after=snapshot(review)
    )
    return review


@transaction.atomic
def interim_review_update(*, review: InterimReview, actor, data: Mapping) -> InterimReview:
    """Change the summary of a draft review."""
    _check_review_writer(actor, review.campaign)
    locked = _lock_draft(review)
    before = snapshot(locked, ["summary"])
    locked.summary = _clean_text(data, "summary", SUMMARY_MAX)
    locked.save(update_fields=["summary", "updated_at"])
    audit_record(
        actor=actor,
        verb="interimreview.updated",
        obj=locked,
        campaign=review.campaign,
        before=before,
        after=snapshot(locked, ["summary"]),
    )
    return locked


@transaction.atomic
def interim_item_update(*, item: InterimReviewItem, actor, data: Mapping) -> InterimReviewItem:
    """Change the stage target, cause, adjustment or expected effect of one item of a draft review."""
    review = item.review
    _check_review_writer(actor, review.campaign)
    _lock_draft(review)
    before = snapshot(item, list(ITEM_FIELDS))
    changed = []
    for name in ITEM_FIELDS:
        if name not in data:
            continue
        value = _clean_target(data[name]) if name == "stage_target" else _clean_text(data, name)
        setattr(item, name, value)
        changed.append(name)
    if changed:
        item.save(update_fields=changed)
        InterimReview.objects.filter(pk=review.pk).update(updated_at=timezone.now())
        audit_record(
            actor=actor,
            verb="interimreviewitem.updated",
            obj=item,
            campaign=review.campaign,
            before=before,
            after=snapshot(item, list(ITEM_FIELDS)),
        )
    return item


@transaction.atomic
def interim_review_refresh(*, review: InterimReview, actor) -> InterimReview:
    """Recompute the actuals of a draft review from the daily data as it stands now."""
    _check_review_writer(actor, review.campaign)
    locked = _lock_draft(review)
    actuals = interim.period_actuals(review.campaign, locked.period_from, locked.period_to)
    known = set(actuals)
    for item in locked.items.all():
        item.actual = actuals.get(item.metric) if item.metric in known else None
        item.save(update_fields=["actual"])
    audit_record(actor=actor, verb="interimreview.refreshed", obj=locked, campaign=review.campaign)
    return locked


@transaction.atomic
def interim_review_finalise(*, review: InterimReview, actor) -> InterimReview:
    """Record the review as final: shared with the teams and never edited again."""
    _check_review_writer(actor, review.campaign)
    locked = _lock_draft(review)
    locked.status = ReviewStatus.FINAL
    locked.finalised_by = actor
    locked.finalised_at = timezone.now()
    locked.save(update_fields=["status", "finalised_by", "finalised_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="interimreview.finalised",
        obj=locked,
        campaign=review.campaign,
        before={"status": ReviewStatus.DRAFT},
        after={"status": ReviewStatus.FINAL},
    )
    return locked
