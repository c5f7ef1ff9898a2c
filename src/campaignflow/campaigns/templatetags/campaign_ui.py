"""Display helpers for campaign pages: money, shares, status badges and audit verbs."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaignflow.campaigns.choices import CampaignStatus

register = template.Library()

# Audit verbs as a reader says them. Unknown verbs (from later apps) fall back to the raw verb.
VERB_LABELS = {
    "campaign.created": _("created the campaign"),
    "campaign.updated": _("updated the plan"),
    "brief.updated": _("updated the requirements brief"),
    "requirementsbrief.updated": _("updated the requirements brief"),
    "campaign.submitted": _("submitted the plan for approval"),
    "campaign.approved": _("approved the plan"),
    "campaign.rejected": _("rejected the plan"),
    "campaign.registered": _("registered the campaign"),
    "campaign.start_preparation": _("started preparation"),
    "campaign.launch": _("launched the campaign"),
    "campaign.optimize": _("started optimizing"),
    "campaign.close": _("closed the campaign"),
    "campaign.archive": _("archived the campaign"),
    "campaign.cancel": _("cancelled the campaign"),
    "goal.created": _("added a goal"),
    "goal.updated": _("changed a goal"),
    "goal.deleted": _("removed a goal"),
    "budgetline.created": _("added a budget line"),
    "budgetline.updated": _("changed a budget line"),
    "budgetline.deleted": _("removed a budget line"),
    "risk.created": _("added a risk"),
    "risk.updated": _("changed a risk"),
    "risk.deleted": _("removed a risk"),
    "milestone.created": _("added a milestone"),
    "milestone.updated": _("changed a milestone"),
    "milestone.deleted": _("removed a milestone"),
    "persona.created": _("added a persona"),
    "persona.updated": _("changed a persona"),
    "persona.deleted": _("removed a persona"),
    "member.added": _("added a team member"),
    "member.updated": _("changed a team member's role"),
    "member.removed": _("removed a team member"),
}

# Verbs whose object is the campaign itself: the object's name adds nothing.
CAMPAIGN_VERBS = {
    verb for verb in VERB_LABELS if verb.startswith(("campaign.", "brief.", "requirementsbrief."))
}

# Where in the editor a plan-check problem is fixed.
PROBLEM_ANCHORS = {
    "background": "section-plan",
    "target_audience": "section-plan",
    "theme": "section-plan",
    "start_date": "section-plan",
    "end_date": "section-plan",
    "goals": "section-goals",
    "budget_lines": "section-budget",
    "risks": "section-risks",
    "milestones": "section-milestones",
    "personas": "section-personas",
}


@register.filter
def money(value) -> str:
    """1234567.5 → '1,234,567.50'; empty → '—'."""
    if value is None or value == "":
        return "—"
    try:
        return f"{Decimal(value):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


@register.filter
def number(value) -> str:
    """A decimal without trailing zeros and with thousands separators: 1000000.0000 → '1,000,000'."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    text = f"{amount:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@register.filter
def pct(value, digits: int = 1) -> str:
    """A fraction as a percentage: 0.1 → '10.0%'; None → '—'."""
    if value is None or value == "":
        return "—"
    try:
        return f"{Decimal(value) * 100:.{int(digits)}f}%"
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


@register.simple_tag
def status_badge(status: str) -> str:
    """A coloured badge for a campaign status value."""
    try:
        label = CampaignStatus(status).label
    except ValueError:
        label = status
    return format_html('<span class="badge badge-{}">{}</span>', status, label)


@register.filter
def verb_label(event) -> str:
    """The audit event's verb as words, with the object it touched when that is not the campaign."""
    label = VERB_LABELS.get(event.verb)
    if label is None:
        return event.verb
    if event.verb in CAMPAIGN_VERBS or not event.object_repr:
        return str(label)
    return gettext("%(action)s “%(object)s”") % {"action": label, "object": event.object_repr}


@register.filter
def problem_anchor(field_name: str) -> str:
    """The editor section where the plan-check problem about `field_name` is fixed."""
    return PROBLEM_ANCHORS.get(str(field_name).split(".")[0], "section-plan")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.inclusion_tag("campaigns/_tabs.html", takes_context=True)
def campaign_tabs(context, campaign, active: str = "plan"):
    """The tab bar on every page of a campaign; apps register tabs in campaigns.navigation."""
    from campaignflow.campaigns.navigation import tabs_for

    return {"tabs": tabs_for(context["request"].user, campaign), "active": active}
