from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaignflow.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        # Stage 2 of the campaign app: change requests and the readiness checklist plug into the
        # lifecycle, the campaign tabs, the history wording and the demo through their registries.
        from . import changes, demo, demo_stage2, readiness
        from .lifecycle import register_guard
        from .navigation import CampaignTab, register_tab
        from .templatetags import campaign_ui

        register_guard("launch", readiness.readiness_guard)
        register_tab(CampaignTab("readiness", _("Readiness"), "campaigns:readiness", order=70))
        register_tab(CampaignTab("changes", _("Changes"), "campaigns:changes", order=80))
        campaign_ui.VERB_LABELS.update(changes.VERB_LABELS | readiness.VERB_LABELS)
        demo.register_before_action(demo_stage2.before_action)
