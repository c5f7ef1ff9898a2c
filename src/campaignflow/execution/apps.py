from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExecutionConfig(AppConfig):
    name = "campaignflow.execution"
    label = "execution"
    verbose_name = _("Execution")

    def ready(self) -> None:
        from campaignflow.campaigns import demo as campaign_demo
        from campaignflow.campaigns.changes.services import register_after_apply
        from campaignflow.campaigns.lifecycle import register_on_registered
        from campaignflow.campaigns.navigation import CampaignTab, register_tab
        from campaignflow.campaigns.templatetags import campaign_ui

        from . import demo, readiness, services
        from .navigation import TABS, VERB_LABELS

        for key, label, url_name, order in TABS:
            register_tab(CampaignTab(key, label, url_name, order=order))
        # The campaign history names our audit verbs in words (unknown verbs show raw).
        for verb, label in VERB_LABELS.items():
            campaign_ui.VERB_LABELS.setdefault(verb, label)
        campaign_demo.register_before_action(demo.hook)
        register_on_registered(services.freeze_on_registration)
        register_after_apply(services.freeze_after_change)
        readiness.register()
