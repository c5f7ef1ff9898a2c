from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

VERB_LABELS = {
    "expense.created": _("recorded an expense"),
    "expense.updated": _("changed an expense"),
    "expense.deleted": _("removed an expense"),
    "expense.attached": _("attached a voucher to an expense"),
    "expense.detached": _("removed the voucher of an expense"),
    "settlement.updated": _("wrote the settlement's explanations"),
    "settlement.submitted": _("submitted the expense settlement"),
    "settlement.approved": _("approved the expense settlement"),
    "settlement.rejected": _("rejected the expense settlement"),
}


class ExpensesConfig(AppConfig):
    name = "campaignflow.expenses"
    label = "expenses"
    verbose_name = _("Expenses")

    def ready(self) -> None:
        from campaignflow.campaigns import demo as campaign_demo
        from campaignflow.campaigns.lifecycle import register_after, register_guard
        from campaignflow.campaigns.navigation import CampaignTab, register_tab
        from campaignflow.campaigns.templatetags import campaign_ui
        from campaignflow.core.files import register_owner

        from . import demo, permissions, services

        register_tab(
            CampaignTab(
                "budget", _("Budget"), "expenses:budget", order=55, visible=permissions.has_budget_tab
            )
        )
        for verb, label in VERB_LABELS.items():
            campaign_ui.VERB_LABELS.setdefault(verb, label)
        register_guard("archive", services.archive_guard)
        campaign_demo.register_before_action(demo.before_action)
        register_after("close", demo.after_close)
        register_owner("expenses", services.referenced_attachments)
