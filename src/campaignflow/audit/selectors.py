"""Reading the audit trail."""

from django.db.models import QuerySet

from .models import AuditEvent


def audit_for_campaign(*, campaign) -> QuerySet[AuditEvent]:
    """Every event about the campaign or anything in it, newest first."""
    return AuditEvent.objects.filter(campaign=campaign).select_related("actor")
