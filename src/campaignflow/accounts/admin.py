from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import ApiToken, Department, Organization, User, UserRole


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [UserRoleInline]
    list_display = ("username", "display_name", "department", "email", "is_active")
    list_filter = ("department", "is_active", "roles__role")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("CampaignFlow"), {"fields": ("department", "display_name", "language")}),
    )


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "currency", "timezone", "contingency_min", "contingency_max")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by the API or `campaignflow token`; here they are looked up and revoked."""

    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "user__username", "name")
    readonly_fields = ("user", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # a token made here would have no raw value anyone could use

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        # Through the service, so each revocation is checked and recorded in the audit trail.
        tokens = [token for token in queryset.select_related("user") if token.revoked_at is None]
        for token in tokens:
            services.token_revoke(actor=request.user, token=token)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", len(tokens))
            % {"count": len(tokens)},
            messages.SUCCESS,
        )
