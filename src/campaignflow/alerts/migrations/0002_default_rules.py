"""The organization's two default alert rules from seed 003 stage 3 (rules are editable).

转化率低于预期30% → CVR 30 % below its target; 负面评论超过50条 → more than 50 negative comments on
a day. Names stay blank so each reader sees the rule described in their own language.
"""

from decimal import Decimal

from django.db import migrations

DEFAULTS = (
    {"metric": "cvr", "condition": "below_target_pct", "threshold": Decimal("0.3"), "severity": "warning"},
    {"metric": "negative_comments", "condition": "above_absolute", "threshold": Decimal("50"), "severity": "critical"},
)


def create_defaults(apps, schema_editor):
    AlertRule = apps.get_model("alerts", "AlertRule")
    for values in DEFAULTS:
        exists = AlertRule.objects.filter(
            campaign__isnull=True, metric=values["metric"], condition=values["condition"]
        ).exists()
        if not exists:
            AlertRule.objects.create(campaign=None, channel=None, window="day", active=True, **values)


def remove_defaults(apps, schema_editor):
    AlertRule = apps.get_model("alerts", "AlertRule")
    for values in DEFAULTS:
        AlertRule.objects.filter(
            campaign__isnull=True, metric=values["metric"], condition=values["condition"], alerts__isnull=True
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
