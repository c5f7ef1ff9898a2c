from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

VERB_LABELS = {
    "alertrule.created": _("added an alert rule"),
    "alertrule.updated": _("changed an alert rule"),
    "alertrule.deleted": _("removed an alert rule"),
    "alert.opened": _("opened an alert"),
    "alert.reevaluated": _("re-evaluated an alert"),
    "alert.acknowledged": _("recorded a response plan for an alert"),
    "alert.resolved": _("resolved an alert"),
    "alert.escalated": _("escalated an unanswered alert"),
}


class AlertsConfig(AppConfig):
    name = "campaignflow.alerts"
    label = "alerts"
    verbose_name = _("Alerts")

    def ready(self) -> None:
        from campaignflow.campaigns import demo as campaign_demo
        from campaignflow.campaigns.navigation import CampaignTab, register_tab
        from campaignflow.campaigns.templatetags import campaign_ui
        from campaignflow.expenses.services import register_budget_watcher
        from campaignflow.metrics.services import register_after_import

        from . import demo, services, tasks  # noqa: F401 - tasks registers the periodic jobs

        register_tab(CampaignTab("alerts", _("Alerts"), "alerts:campaign", order=46))
        for verb, label in VERB_LABELS.items():
            campaign_ui.VERB_LABELS.setdefault(verb, label)
        register_after_import(services.after_import)
        register_budget_watcher(services.budget_alerts_sync)
        campaign_demo.register_before_action(demo.before_action)
