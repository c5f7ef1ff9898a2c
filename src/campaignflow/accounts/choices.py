from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgRole(models.TextChoices):
    """Organization-wide roles (DESIGN §2). A user may hold several."""

    ADMIN = "admin", _("Administrator")  # manages users, departments and settings
    MANAGEMENT = "management", _("Management")  # final approver of plans and settlements
    DEPARTMENT_HEAD = "department_head", _("Department head")  # first approver for their department
    FINANCE = "finance", _("Finance")  # records expenses, settles budgets
    DATA_ANALYST = "data_analyst", _("Data analyst")  # owns metric definitions and daily data
    MEMBER = "member", _("Member")  # everyone else: plans and runs campaigns
