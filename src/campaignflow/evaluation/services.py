"""Writes of the evaluation report (seed 003 Table 4): prepare, edit, submit, approve or reject.

Every public function is one business operation shared by the API, the web UI and the demo: it
checks visibility (404), policy (403), state (409) and input (422) in that order, writes under the
campaign's row lock in one transaction and records an audit event in the same transaction.
Notifications are rows written in that transaction too (notifications.services.notify).

Rules:
- a draft is started and edited while the campaign is live, optimizing or closing; it is submitted
  only while the campaign is closing, with a summary;
- the dimensions follow the goals: each write re-reads the goals and the daily data, keeps the
  analysis text of every dimension, and adds or drops dimensions for added or removed goals;
- management (or an admin) approves it, or rejects it with a comment back to draft, through the
  approval engine (campaigns.approvals, levels ["management"]): each decision is an immutable
  campaigns.Approval with the report as subject, and decided_by/_at/decision_comment repeat the last;
- once approved nothing changes any more (409), and the campaign may be archived.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaignflow.audit.services import audit_record
from campaignflow.campaigns import approvals
from campaignflow.campaigns.models import Campaign
from campaignflow.core.errors import Conflict, Forbidden, NotFound, field_error

from . import permissions, selectors
from .choices import EvaluationStatus
from .models import TEXT_MAX, EvaluationDimension, EvaluationReport

TEXT_FIELDS = ("summary", "what_worked", "what_did_not", "keep", "change", "try_next", "meeting_notes")
MAX_ACTUAL = Decimal("99999999999999")

REQUESTED_TITLE = gettext_lazy("Evaluation report approval requested: %(campaign)s")
REQUESTED_BODY = gettext_lazy(
    "%(actor)s submitted the evaluation report of “%(campaign)s”. It waits for management's approval."
)
APPROVED_TITLE = gettext_lazy("Evaluation report approved: %(campaign)s")
APPROVED_BODY = gettext_lazy("%(actor)s approved the evaluation report of “%(campaign)s”. %(comment)s")
REJECTED_TITLE = gettext_lazy("Evaluation report rejected: %(campaign)s")
REJECTED_BODY = gettext_lazy(
    "%(actor)s sent the evaluation report of “%(campaign)s” back to draft: “%(comment)s”."
)


# --- shared checks -------------------------------------------------------------------------------


def _lock(campaign: Campaign) -> Campaign:
    # The campaign's row lock serialises every write of its report (and its status changes).
    return Campaign.objects.select_for_update(of=("self",)).select_related("owner").get(pk=campaign.pk)


def _require_view(actor, campaign: Campaign) -> None:
    if not permissions.can_view_evaluation(actor, campaign):
        raise NotFound(_("Campaign not found."))


def _require_writer(actor, campaign: Campaign) -> None:
    _require_view(actor, campaign)
    if not permissions.can_write_evaluation(actor, campaign):
        raise Forbidden(
            _(
                "Only data analysts and the campaign's owner and project managers may write the evaluation report."
            )
        )


def _require_open_campaign(campaign: Campaign) -> None:
    if campaign.status not in permissions.WRITABLE_STATUSES:
        raise Conflict(
            _(
                "The evaluation report is written while the campaign runs and closes; this campaign is %(status)s."
            )
            % {"status": campaign.get_status_display()},
            code="campaign_not_open",
        )


def _require_draft(report: EvaluationReport) -> None:
    if report.status == EvaluationStatus.APPROVED:
        raise Conflict(
            _("The evaluation report is approved and can no longer change."), code="evaluation_approved"
        )
    if report.status != EvaluationStatus.DRAFT:
        raise Conflict(
            _("The evaluation report is %(status)s; only a draft can change.")
            % {"status": report.get_status_display()},
            code="evaluation_not_draft",
        )


def _report_locked(campaign: Campaign) -> EvaluationReport | None:
    return EvaluationReport.objects.select_for_update(of=("self",)).filter(campaign=campaign).first()


def _text(name: str, value) -> str:
    text = "" if value is None else str(value).strip()
    if "\x00" in text:
        raise field_error(name, _("Null characters are not allowed."))
    if len(text) > TEXT_MAX:
        raise field_error(name, _("Keep the text under %(max)d characters.") % {"max": TEXT_MAX})
    return text


# --- the dimensions follow the goals ---------------------------------------------------------------


def _sync_dimensions(report: EvaluationReport, view: selectors.EvaluationView) -> None:
    """Store one dimension per live row (figures refreshed, analysis kept); drop removed goals."""
    existing = {d.key: d for d in report.dimensions.all()}
    keys = set()
    for position, row in enumerate(view.dimensions):
        keys.add(row.key)
        dimension = existing.get(row.key) or EvaluationDimension(report=report, key=row.key)
        dimension.position = position
        dimension.goal_id = row.goal_id
        dimension.metric = row.metric[:60]
        dimension.name = str(row.name)[:200]
        dimension.unit = row.unit[:20]
        dimension.direction = row.direction
        dimension.tracked = row.tracked
        dimension.target = row.target
        dimension.actual = row.actual
        dimension.achievement = row.achievement
        dimension.met = row.met
        dimension.save()
    stale = [d.pk for key, d in existing.items() if key not in keys]
    if stale:
        EvaluationDimension.objects.filter(pk__in=stale).delete()
    report._prefetched_objects_cache = {}


def _refresh(report: EvaluationReport, campaign: Campaign) -> selectors.EvaluationView:
    view = selectors.evaluation_for(campaign=campaign, report=report)
    _sync_dimensions(report, view)
    return view


def _get_or_start(campaign: Campaign, actor) -> EvaluationReport:
    report = _report_locked(campaign)
    if report is not None:
        return report
    report = EvaluationReport.objects.create(campaign=campaign, created_by=actor)
    _refresh(report, campaign)
    audit_record(
        actor=actor,
        verb="evaluation.created",
        obj=report,
        campaign=campaign,
        after={"status": report.status, "dimensions": report.dimensions.count()},
    )
    return report


# --- writes ----------------------------------------------------------------------------------------------


@transaction.atomic
def evaluation_start(*, campaign: Campaign, actor) -> EvaluationReport:
    """Start the draft prefilled from the goals and the daily data (returns the existing one)."""
    campaign = _lock(campaign)
    _require_writer(actor, campaign)
    report = _report_locked(campaign)
    if report is not None:
        return report
    _require_open_campaign(campaign)
    return _get_or_start(campaign, actor)


def _meeting(campaign: Campaign, value):
    from campaignflow.execution.models import Meeting

    if value in (None, ""):
        return None
    try:
        return Meeting.objects.get(pk=int(value), campaign_id=campaign.pk)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise field_error("meeting", _("Choose a meeting of this campaign."))


@transaction.atomic
def evaluation_update(*, campaign: Campaign, actor, data: dict) -> EvaluationReport:
    """Write the summary, what worked and did not, lessons (keep/change/try) and the retrospective.

    Starts the draft when there is none; the figures are refreshed from the daily data.
    """
    campaign = _lock(campaign)
    _require_writer(actor, campaign)
    report = _report_locked(campaign)
    if report is not None:
        _require_draft(report)
    _require_open_campaign(campaign)
    clean = {name: _text(name, data[name]) for name in TEXT_FIELDS if name in data}
    meeting_given = "meeting" in data or "meeting_id" in data
    meeting = _meeting(campaign, data.get("meeting", data.get("meeting_id"))) if meeting_given else None
    report = report or _get_or_start(campaign, actor)
    before = {name: getattr(report, name) for name in clean} | (
        {"meeting": report.meeting_id} if meeting_given else {}
    )
    for name, text in clean.items():
        setattr(report, name, text)
    if meeting_given:
        report.meeting = meeting
    after = {name: getattr(report, name) for name in clean} | (
        {"meeting": report.meeting_id} if meeting_given else {}
    )
    report.save()
    _refresh(report, campaign)
    if before != after:
        audit_record(
            actor=actor, verb="evaluation.updated", obj=report, campaign=campaign, before=before, after=after
        )
    return report


def _actual(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise field_error("actual", _("Enter a number."))
    if not number.is_finite() or abs(number) > MAX_ACTUAL:
        raise field_error("actual", _("Enter a number."))
    return number


@transaction.atomic
def dimension_update(*, dimension: EvaluationDimension, actor, data: dict) -> EvaluationDimension:
    """Change a dimension's analysis, or the actual of a goal the daily data does not measure."""
    campaign = _lock(dimension.report.campaign)
    _require_writer(actor, campaign)
    report = EvaluationReport.objects.select_for_update(of=("self",)).get(pk=dimension.report_id)
    _require_draft(report)
    _require_open_campaign(campaign)
    dimension = EvaluationDimension.objects.get(pk=dimension.pk)
    before = {
        "analysis": dimension.analysis,
        "actual": str(dimension.actual) if dimension.actual is not None else None,
    }
    if "analysis" in data and data["analysis"] is not None:
        dimension.analysis = _text("analysis", data["analysis"])
    if "actual" in data:
        if dimension.tracked:
            raise field_error("actual", _("This actual comes from the daily data and cannot be typed in."))
        dimension.actual = _actual(data["actual"])
    dimension.save()
    _refresh(report, campaign)
    dimension.refresh_from_db()
    after = {
        "analysis": dimension.analysis,
        "actual": str(dimension.actual) if dimension.actual is not None else None,
    }
    if before != after:
        audit_record(
            actor=actor,
            verb="evaluationdimension.updated",
            obj=dimension,
            campaign=campaign,
            before=before,
            after=after,
        )
    return dimension


def _json(value):
    return None if value is None else str(value) if isinstance(value, Decimal) else value


@transaction.atomic
def evaluation_submit(*, campaign: Campaign, actor, comment: str = "") -> EvaluationReport:
    """Freeze the figures and send the report to management; only while the campaign is closing."""
    campaign = _lock(campaign)
    _require_writer(actor, campaign)
    comment = approvals.clean_comment(comment)
    report = _report_locked(campaign)
    if report is None:
        raise Conflict(_("Start the evaluation report before submitting it."), code="evaluation_missing")
    _require_draft(report)
    if campaign.status not in permissions.SUBMIT_STATUSES:
        raise Conflict(
            _("The evaluation report is submitted at close-out; this campaign is %(status)s, not closing.")
            % {"status": campaign.get_status_display()},
            code="campaign_not_closing",
        )
    if not report.summary.strip():
        raise field_error("summary", _("Write the summary before submitting the evaluation report."))
    view = _refresh(report, campaign)
    report.totals = {key: _json(value) for key, value in view.totals.items()}
    report.channels = [{key: _json(value) for key, value in row.items()} for row in view.channels]
    report.status = EvaluationStatus.SUBMITTED
    report.submitted_by = actor
    report.submitted_at = timezone.now()
    report.decided_by, report.decided_at, report.decision_comment = None, None, ""
    report.save()
    approvals.submitted(
        EvaluationFlow(report, campaign),
        actor,
        comment,
        before={"status": EvaluationStatus.DRAFT},
        after={"status": report.status, "revision": report.revision, "totals": report.totals},
    )
    return report


def _flow(campaign: Campaign) -> EvaluationFlow:
    campaign = _lock(campaign)
    return EvaluationFlow(_report_locked(campaign), campaign)


@transaction.atomic
def evaluation_approve(*, campaign: Campaign, actor, comment: str = "") -> EvaluationReport:
    """Management signs the report off; from now on it is immutable."""
    flow = _flow(campaign)
    approvals.approve(flow, actor, comment)
    return flow.subject


@transaction.atomic
def evaluation_reject(*, campaign: Campaign, actor, comment: str = "") -> EvaluationReport:
    """Back to draft with management's comment; the next revision starts."""
    flow = _flow(campaign)
    approvals.reject(flow, actor, comment)
    return flow.subject


def evaluation_action(*, campaign: Campaign, actor, action: str, comment: str = "") -> EvaluationReport:
    """submit, approve or reject by name: the one entry point for the API and the web UI."""
    actions = {"submit": evaluation_submit, "approve": evaluation_approve, "reject": evaluation_reject}
    if action not in actions:
        raise NotFound(_("Unknown action “%(action)s”.") % {"action": str(action)[:40]})
    return actions[action](campaign=campaign, actor=actor, comment=comment)


# --- the sign-off through the approval engine ---------------------------------------------------


class EvaluationFlow(approvals.SignOffFlow):
    """The report's sign-off (campaigns.approvals): management decides (administrators too, and
    they are asked when nobody is in management); the last decision is also kept on the report."""

    verb = "evaluation"
    submitted_status = EvaluationStatus.SUBMITTED
    draft_status = EvaluationStatus.DRAFT
    approved_status = EvaluationStatus.APPROVED
    not_a_decider = gettext_lazy("Only management may approve or reject the evaluation report.")
    reason_required = gettext_lazy("Say why the evaluation report is rejected.")
    not_submitted = gettext_lazy("Only a submitted evaluation report can be decided; this one is %(status)s.")
    not_submitted_code = "evaluation_not_submitted"
    requested_title, requested_body = REQUESTED_TITLE, REQUESTED_BODY
    approved_title, approved_body = APPROVED_TITLE, APPROVED_BODY
    rejected_title, rejected_body = REJECTED_TITLE, REJECTED_BODY

    def require_view(self, actor) -> None:
        _require_view(actor, self.campaign)

    def may_sign_off(self, actor) -> bool:
        return permissions.can_decide_evaluation(actor, self.campaign)

    def _keep_decision(self, actor, comment: str) -> None:
        report = self.subject
        report.decided_by, report.decided_at, report.decision_comment = actor, timezone.now(), comment

    def approved(self, actor, comment: str) -> None:
        self._keep_decision(actor, comment)
        super().approved(actor, comment)

    def rejected(self, actor, comment: str) -> None:
        self._keep_decision(actor, comment)
        self.subject.totals, self.subject.channels = {}, []
        super().rejected(actor, comment)

    def url(self) -> str:
        from django.urls import reverse

        return reverse("evaluation:campaign", args=[self.campaign.pk])


# --- lifecycle guard -----------------------------------------------------------------------------------


def archive_guard(campaign: Campaign) -> list[str]:
    """Lifecycle guard on `archive`: the evaluation report must be approved first."""
    status = EvaluationReport.objects.filter(campaign_id=campaign.pk).values_list("status", flat=True).first()
    if status == EvaluationStatus.APPROVED:
        return []
    if status is None:
        return [_("the evaluation report has not been written and approved")]
    return [
        _("the evaluation report is %(status)s, not approved") % {"status": EvaluationStatus(status).label}
    ]
