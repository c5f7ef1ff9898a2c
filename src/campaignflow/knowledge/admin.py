from django.contrib import admin

from .models import KnowledgeEntry, KnowledgeTemplate


@admin.register(KnowledgeEntry)
class KnowledgeEntryAdmin(admin.ModelAdmin):
    """Read-only: entries change only through the services (labels) and never by hand."""

    list_display = ("number", "name", "year", "department_name", "scenario", "is_history")
    list_filter = ("year", "scenario", "is_history")
    search_fields = ("number", "name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(KnowledgeTemplate)
class KnowledgeTemplateAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "entry", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
