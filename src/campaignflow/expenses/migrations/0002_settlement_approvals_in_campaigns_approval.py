"""The settlement's decisions move into the one approval record (campaigns.Approval).

Each SettlementApproval becomes an Approval at level 1 with the settlement as its subject (same
revision, role, decision, approver, comment and time); then SettlementApproval is removed. The
reverse copies them back.
"""

from django.db import migrations


def _settlement_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    settlement_type, _created = ContentType.objects.get_or_create(app_label="expenses", model="settlement")
    return settlement_type


def copy_into_approvals(apps, schema_editor):
    SettlementApproval = apps.get_model("expenses", "SettlementApproval")
    Approval = apps.get_model("campaigns", "Approval")
    rows = list(SettlementApproval.objects.order_by("at", "id"))
    if not rows:
        return
    settlement_type = _settlement_type(apps)
    Approval.objects.bulk_create(
        Approval(
            subject_type=settlement_type,
            subject_id=row.settlement_id,
            revision=row.revision,
            level=1,
            role=row.role,
            decision=row.decision,
            actor_id=row.actor_id,
            comment=row.comment,
            at=row.at,
        )
        for row in rows
    )


def copy_back(apps, schema_editor):
    SettlementApproval = apps.get_model("expenses", "SettlementApproval")
    Approval = apps.get_model("campaigns", "Approval")
    settlement_type = _settlement_type(apps)
    decided = Approval.objects.filter(subject_type=settlement_type).order_by("at", "id")
    SettlementApproval.objects.bulk_create(
        SettlementApproval(
            settlement_id=row.subject_id,
            revision=row.revision,
            role=row.role,
            decision=row.decision,
            actor_id=row.actor_id,
            comment=row.comment,
            at=row.at,
        )
        for row in decided
    )
    decided.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("campaigns", "0003_approval_subject"),
        ("expenses", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_into_approvals, copy_back),
        migrations.DeleteModel(name="SettlementApproval"),
    ]
