"""Reports decided before the approval engine get their decision recorded as a campaigns.Approval.

Until now the last decision lived only in decided_by / decided_at / decision_comment: an approved
report becomes an approval of its revision, a report sent back to draft a rejection of the revision
before its current one. The role is management when the approver holds it, otherwise admin (the
two who could decide). Earlier decisions were never stored and cannot be recovered.
"""

from django.db import migrations


def record_decisions(apps, schema_editor):
    EvaluationReport = apps.get_model("evaluation", "EvaluationReport")
    Approval = apps.get_model("campaigns", "Approval")
    UserRole = apps.get_model("accounts", "UserRole")
    ContentType = apps.get_model("contenttypes", "ContentType")
    reports = list(
        EvaluationReport.objects.filter(decided_by__isnull=False, status__in=["approved", "draft"]).order_by("pk")
    )
    if not reports:
        return
    report_type, _created = ContentType.objects.get_or_create(app_label="evaluation", model="evaluationreport")
    managers = set(UserRole.objects.filter(role="management").values_list("user_id", flat=True))
    Approval.objects.bulk_create(
        Approval(
            subject_type=report_type,
            subject_id=report.pk,
            revision=report.revision if report.status == "approved" else max(report.revision - 1, 1),
            level=1,
            role="management" if report.decided_by_id in managers else "admin",
            decision="approve" if report.status == "approved" else "reject",
            actor_id=report.decided_by_id,
            comment=report.decision_comment,
            at=report.decided_at or report.updated_at,
        )
        for report in reports
    )


def forget_decisions(apps, schema_editor):
    Approval = apps.get_model("campaigns", "Approval")
    ContentType = apps.get_model("contenttypes", "ContentType")
    report_type = ContentType.objects.filter(app_label="evaluation", model="evaluationreport").first()
    if report_type is not None:
        Approval.objects.filter(subject_type=report_type).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("campaigns", "0003_approval_subject"),
        ("evaluation", "0001_initial"),
    ]

    operations = [migrations.RunPython(record_decisions, forget_decisions)]
