from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

VERB_LABELS = {
    "metrics.imported": _("imported daily data"),
    "metrics.upserted": _("saved daily data"),
    "dailymetric.created": _("entered a day of channel data"),
    "dailymetric.updated": _("changed a day of channel data"),
    "dailymetric.deleted": _("removed a day of channel data"),
}


class MetricsConfig(AppConfig):
    name = "campaignflow.metrics"
    label = "metrics"
    verbose_name = _("Metrics")

    def ready(self) -> None:
        from campaignflow.campaigns import demo as campaign_demo
        from campaignflow.campaigns.navigation import CampaignTab, register_tab
        from campaignflow.campaigns.templatetags import campaign_ui

        from . import demo, permissions

        register_tab(
            CampaignTab(
                "dashboard", _("Dashboard"), "metrics:dashboard", order=40, visible=permissions.has_dashboard
            )
        )
        register_tab(
            CampaignTab("data", _("Data"), "metrics:data", order=41, visible=permissions.has_dashboard)
        )
        for verb, label in VERB_LABELS.items():
            campaign_ui.VERB_LABELS.setdefault(verb, label)
        campaign_demo.register_before_action(demo.before_action)
