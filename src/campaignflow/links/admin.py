from django.contrib import admin

from .models import Click, Conversion, TrackedLink


@admin.register(TrackedLink)
class TrackedLinkAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "campaign", "channel", "utm_source", "utm_medium", "active", "created_at")
    list_filter = ("active", "channel")
    search_fields = ("code", "name", "target_url")
    raw_id_fields = ("campaign",)

    def has_add_permission(self, request):
        return False  # links are made through the service, which applies the naming rules

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Click)
class ClickAdmin(admin.ModelAdmin):
    list_display = ("at", "link", "ua_class", "is_bot", "rollup")
    list_filter = ("ua_class", "is_bot", "rollup")
    raw_id_fields = ("link",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Conversion)
class ConversionAdmin(admin.ModelAdmin):
    list_display = ("at", "link", "external_id", "value", "rollup")
    raw_id_fields = ("link", "click")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
