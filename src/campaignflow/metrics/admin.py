from django.contrib import admin

from .models import Channel, DailyMetric, MetricDefinition


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "online")
    list_filter = ("kind", "online")


@admin.register(MetricDefinition)
class MetricDefinitionAdmin(admin.ModelAdmin):
    list_display = ("key", "name_en", "name_zh_hans", "formula", "unit", "direction", "builtin")
    list_filter = ("unit", "direction", "builtin")
    # Definitions change through the API/service, which checks the formula and records the change.
    readonly_fields = ("key", "formula", "unit", "direction", "builtin")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DailyMetric)
class DailyMetricAdmin(admin.ModelAdmin):
    list_display = ("date", "campaign", "channel", "impressions", "clicks", "conversions", "revenue", "cost")
    list_filter = ("channel",)
    date_hierarchy = "date"
    raw_id_fields = ("campaign",)
    list_select_related = ("campaign", "channel")

    def has_add_permission(self, request):
        return False  # daily data comes in through imports, the API and the grid, which check it

    def has_change_permission(self, request, obj=None):
        return False
