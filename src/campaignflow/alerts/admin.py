from django.contrib import admin

from .models import Alert, AlertRule


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "name",
        "campaign",
        "channel",
        "metric",
        "condition",
        "threshold",
        "severity",
        "active",
    )
    list_filter = ("active", "condition", "severity")
    raw_id_fields = ("campaign",)


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("id", "campaign", "metric", "channel", "day", "status", "due_at", "escalation_level")
    list_filter = ("status", "severity")
    raw_id_fields = ("campaign", "rule", "acknowledged_by", "resolved_by")
