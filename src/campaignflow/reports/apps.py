from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

VERB_LABELS = {
    "dailyreport.generated": _("generated the daily data report"),
    "interimreview.created": _("started an interim review"),
    "interimreview.updated": _("changed the summary of an interim review"),
    "interimreviewitem.updated": _("changed an item of an interim review"),
    "interimreview.refreshed": _("recalculated the actuals of an interim review"),
    "interimreview.finalised": _("finalised an interim review"),
}


class ReportsConfig(AppConfig):
    name = "campaignflow.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from campaignflow.campaigns import demo as campaign_demo
        from campaignflow.campaigns.navigation import CampaignTab, register_tab
        from campaignflow.campaigns.templatetags import campaign_ui

        from . import demo, kinds, permissions

        kinds.register()
        register_tab(
            CampaignTab(
                "reports", _("Reports"), "reports:campaign", order=60, visible=permissions.has_reports_tab
            )
        )
        for verb, label in VERB_LABELS.items():
            campaign_ui.VERB_LABELS.setdefault(verb, label)
        # After the metrics app's hook (it comes first in INSTALLED_APPS), so the days are filled.
        campaign_demo.register_before_action(demo.before_action)
