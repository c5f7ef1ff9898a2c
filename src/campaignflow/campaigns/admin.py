from django.contrib import admin

from .models import (
    Approval,
    BudgetLine,
    Campaign,
    CampaignMember,
    Goal,
    Milestone,
    Persona,
    RegistrationRecord,
    RequirementsBrief,
    Risk,
)


class GoalInline(admin.TabularInline):
    model = Goal
    extra = 0
    fk_name = "campaign"


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


class RiskInline(admin.TabularInline):
    model = Risk
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class MemberInline(admin.TabularInline):
    model = CampaignMember
    extra = 0


class PersonaInline(admin.StackedInline):
    model = Persona
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "department", "status", "revision", "start_date", "end_date")
    list_filter = ("status", "department", "template")
    search_fields = ("name", "number", "theme")
    readonly_fields = ("number", "status", "approval_level", "revision", "submitted_at", "approved_at")
    inlines = [MemberInline, GoalInline, BudgetLineInline, RiskInline, MilestoneInline, PersonaInline]


@admin.register(Approval)
class ApprovalAdmin(admin.ModelAdmin):
    list_display = ("campaign", "revision", "level", "decision", "actor", "at")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RegistrationRecord)
class RegistrationRecordAdmin(admin.ModelAdmin):
    list_display = ("number", "campaign", "owner_name", "department_name", "budget_total", "registered_at")

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(RequirementsBrief)
