from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

VERB_LABELS = {
    "link.created": _("created a tracked link"),
    "link.updated": _("changed a tracked link"),
    "link.deleted": _("removed a tracked link"),
    "linksettings.updated": _("changed the UTM naming rules"),
    "linksettings.secret_rotated": _("replaced the postback secret"),
}


class LinksConfig(AppConfig):
    name = "campaignflow.links"
    label = "links"
    verbose_name = _("Tracked links")

    def ready(self) -> None:
        from campaignflow.campaigns import demo as campaign_demo
        from campaignflow.campaigns.navigation import CampaignTab, register_tab
        from campaignflow.campaigns.templatetags import campaign_ui

        from . import demo, permissions

        register_tab(
            CampaignTab("links", _("Links"), "links:campaign", order=45, visible=permissions.has_links_tab)
        )
        for verb, label in VERB_LABELS.items():
            campaign_ui.VERB_LABELS.setdefault(verb, label)
        campaign_demo.register_before_action(demo.before_action)
