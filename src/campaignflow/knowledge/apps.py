from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

VERB_LABELS = {
    "knowledge.entry_created": _("froze the campaign into the knowledge base"),
    "knowledge.labelled": _("changed the knowledge base tags or keywords"),
    "knowledge.template_created": _("saved the archived campaign as a template"),
}


class KnowledgeConfig(AppConfig):
    name = "campaignflow.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from campaignflow.campaigns import demo as campaign_demo
        from campaignflow.campaigns import lifecycle, scenarios
        from campaignflow.campaigns.navigation import CampaignTab, register_tab
        from campaignflow.campaigns.templatetags import campaign_ui

        from . import demo, services
        from . import scenarios as saved_templates

        register_tab(CampaignTab("knowledge", _("Knowledge"), "knowledge:campaign", order=95))
        for verb, label in VERB_LABELS.items():
            campaign_ui.VERB_LABELS.setdefault(verb, label)
        lifecycle.register_after("archive", services.on_archive)
        scenarios.register_provider(saved_templates.get, saved_templates.load_all)
        campaign_demo.register_before_action(demo.before_action)
